"""A claim's list columns by its key, for the claim list's filters at a million claims.

The claim list filters by topic, verdict or source and sorts by creation time. Started
from a filter's keys (a topic's claims, say), the planner reads each claim's date and
assignee by key; from the table that is a read of the whole wide row (text, search
documents), which does not stay in memory at a million claims. This index holds those
columns beside the key, so the probe reads only the index. PostgreSQL only (INCLUDE).
"""

from django.db import migrations

CREATE = "CREATE INDEX claims_claim_list_by_key ON claims_claim (id) INCLUDE (created_at, assigned_to_id)"
DROP = "DROP INDEX claims_claim_list_by_key"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0022_admin_filter_indexes_beside_public_version"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
