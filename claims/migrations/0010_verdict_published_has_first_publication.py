"""Once backfilled (0009), every verdict that was ever published keeps its first publication time.

A separate migration: on PostgreSQL the backfill leaves deferred foreign-key checks
pending, and a table with pending trigger events cannot be altered in the same
transaction.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_api_indexes_and_first_publication")]

    operations = [
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ("published", "superseded", "retracted")), _negated=True),
                    models.Q(
                        ("first_published_at__isnull", False), ("first_published_at__lte", models.F("published_at"))
                    ),
                    _connector="OR",
                ),
                name="claims_verdict_published_has_first_publication",
            ),
        ),
    ]
