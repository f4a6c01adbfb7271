"""The desk's two roles as groups: reviewers grade claims, editors also publish, return, correct and retract."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER = [
    "sources.view_publisher",
    "sources.add_publisher",
    "sources.change_publisher",
    "sources.view_source",
    "sources.add_source",
    "sources.change_source",
    "claims.view_speaker",
    "claims.add_speaker",
    "claims.change_speaker",
    "claims.view_topic",
    "claims.add_topic",
    "claims.change_topic",
    "claims.view_rating",
    "claims.view_claim",
    "claims.add_claim",
    "claims.change_claim",
    "claims.view_appearance",
    "claims.add_appearance",
    "claims.change_appearance",
    "claims.delete_appearance",
    "claims.view_verdict",
    "claims.add_verdict",
    "claims.change_verdict",
    "claims.submit_verdict",
    "claims.view_evidence",
    "claims.add_evidence",
    "claims.change_evidence",
    "claims.delete_evidence",
]
EDITOR = REVIEWER + [
    "claims.change_others_verdict",
    "claims.publish_verdict",
    "claims.return_verdict",
    "claims.correct_verdict",
    "claims.retract_verdict",
    "claims.delete_claim",
    "claims.delete_speaker",
    "sources.delete_source",
    "sources.delete_publisher",
]
ROLES = {"Reviewer": REVIEWER, "Editor": EDITOR}


def create_roles(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are normally created after all migrations run; create them now so the
    # groups can reference them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(Permission.objects.using(db).get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_default_rating_scale"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
