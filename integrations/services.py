"""Writes for the integrations: webhook subscriptions (used by the admin and the command)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import WebhookEventType, WebhookSubscription
from .webhooks import addresses


def check_subscription(*, url: str, events: list[str]) -> None:
    """Refuse a receiver address webhooks may not reach, or an unknown event type (ValidationError)."""
    addresses.check_url(url)
    try:
        addresses.resolve(url)
    except addresses.RefusedAddress as error:
        raise ValidationError({"url": str(error)}) from error
    unknown = sorted(set(events) - set(WebhookEventType.values))
    if unknown:
        raise ValidationError({"events": f"Unknown event types: {', '.join(unknown)}."})
    if not events:
        raise ValidationError({"events": "Choose at least one event type."})


@transaction.atomic
def webhook_subscription_create(
    *, name: str, url: str, events: list[str], actor: User | None = None, secret: str | None = None
) -> WebhookSubscription:
    if actor is not None and not actor.has_perm("integrations.add_webhooksubscription"):
        raise PermissionDenied("You do not have permission to add webhook subscriptions.")
    check_subscription(url=url, events=events)
    subscription = WebhookSubscription(name=name, url=url, events=sorted(set(events)), created_by=actor)
    if secret:
        subscription.secret = secret
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_remove(*, subscription: WebhookSubscription, actor: User | None = None) -> None:
    """Remove a subscription and its deliveries (sent or not): nothing more goes to that receiver."""
    if actor is not None and not actor.has_perm("integrations.delete_webhooksubscription"):
        raise PermissionDenied("You do not have permission to remove webhook subscriptions.")
    subscription.delete()
