"""The off-scale rating for imported reviews, and the permission to import (given to editors).

An imported review whose rating does not map onto the desk's scale keeps its own label
(Verdict.review_rating_label) and is rated "Not on our scale": published, never forced
onto a wrong rating, and easy to find and map later.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

UNMAPPED = {
    "slug": "unmapped",
    "label": "Not on our scale",
    "value": None,
    "colour": "#9ca3af",
    "description": "An imported review whose verdict does not map onto this desk's scale; its own label is kept.",
}


def forward(apps, schema_editor):
    db = schema_editor.connection.alias
    Rating = apps.get_model("claims", "Rating")
    position = (Rating.objects.using(db).order_by("-position").values_list("position", flat=True).first() or 0) + 1
    Rating.objects.using(db).get_or_create(slug=UNMAPPED["slug"], defaults={**UNMAPPED, "position": position})

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(db).get(content_type__app_label="claims", codename="import_claimreview")
    for group in Group.objects.using(db).filter(name="Editor"):
        group.permissions.add(permission)


def backward(apps, schema_editor):
    apps.get_model("claims", "Rating").objects.using(schema_editor.connection.alias).filter(
        slug=UNMAPPED["slug"], verdicts__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_imported_reviews")]

    operations = [migrations.RunPython(forward, backward)]
