from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# username, password, group, superuser. Known passwords: this command refuses to run unless DEBUG is on.
DEMO_ACCOUNTS = [
    ("reviewer", "reviewer", "Reviewer", False),
    ("editor", "editor", "Editor", False),
    ("admin", "admin", None, True),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts: reviewer/reviewer, editor/editor, admin/admin. DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a public server).")

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts have well-known passwords; run with DJANGO_DEBUG=1 (or --force).")
        User = get_user_model()
        for username, password, group_name, superuser in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(f"{'created' if created else 'reset'} {username} (password: {password})")
