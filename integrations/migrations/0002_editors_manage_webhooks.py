"""Editors manage webhook subscriptions and see (and redeliver) their deliveries."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "add_webhooksubscription",
    "change_webhooksubscription",
    "delete_webhooksubscription",
    "view_webhooksubscription",
    "change_webhookdelivery",
    "view_webhookdelivery",
]


def forward(apps, schema_editor):
    db = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="integrations", codename__in=EDITOR_PERMISSIONS
    )
    for group in Group.objects.using(db).filter(name="Editor"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_webhooks_and_api_keys"), ("claims", "0003_reviewer_and_editor_roles")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
