"""manage.py webhooks add|list|remove|recover: webhook subscriptions from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integrations.models import WebhookEventType, WebhookSubscription
from integrations.services import webhook_subscription_create, webhook_subscription_remove
from integrations.webhooks.delivery import recover_orphans


class Command(BaseCommand):
    help = "Add, list or remove webhook subscriptions; queue again deliveries whose worker died."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Subscribe a receiver; prints its id and signing secret.")
        add.add_argument("--name", required=True)
        add.add_argument("--url", required=True)
        add.add_argument(
            "--events",
            default=",".join(WebhookEventType.values),
            help=f"Comma-separated event types (default: all): {', '.join(WebhookEventType.values)}.",
        )
        add.add_argument("--secret", help="A whsec_ secret of your own (default: a new random one).")
        actions.add_parser("list", help="List subscriptions.")
        remove = actions.add_parser("remove", help="Remove a subscription and its deliveries.")
        remove.add_argument("id", type=int)
        actions.add_parser("recover", help="Queue again the deliveries whose worker stopped mid-attempt.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _add(self, *, name, url, events, secret, **options):
        try:
            subscription = webhook_subscription_create(
                name=name, url=url, events=[e.strip() for e in events.split(",") if e.strip()], secret=secret
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        self.stdout.write(f"Subscription {subscription.pk} added. Signing secret: {subscription.secret}")

    def _list(self, **options):
        for subscription in WebhookSubscription.objects.order_by("id"):
            state = "active" if subscription.is_active else "inactive"
            self.stdout.write(
                f"{subscription.pk}\t{subscription.name}\t{subscription.url}\t{state}\t{','.join(subscription.events)}"
            )

    def _remove(self, *, id, **options):
        subscription = WebhookSubscription.objects.filter(pk=id).first()
        if subscription is None:
            raise CommandError(f"No webhook subscription {id}.")
        webhook_subscription_remove(subscription=subscription)
        self.stdout.write(f"Subscription {id} removed.")

    def _recover(self, **options):
        self.stdout.write(f"{recover_orphans()} deliveries queued again.")
