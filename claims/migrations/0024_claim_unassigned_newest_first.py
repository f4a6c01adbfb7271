"""The admin's "assigned to nobody" newest first: a partial index the page walks alone."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0023_claim_list_columns_by_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("assigned_to__isnull", True)),
                name="claims_claim_unassigned_newest",
            ),
        ),
    ]
