"""PostgreSQL: trigram index on speaker names, for finding speakers by any part of a name.

It lives outside the model state because SQLite cannot build it (and rebuilds a table's
indexes from model state on every ALTER). The expression matches the SQL Django
generates for ``name__icontains``, so the admin's speaker search and autocomplete use it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "claims_speaker_name_trgm": (
        "CREATE INDEX IF NOT EXISTS claims_speaker_name_trgm ON claims_speaker "
        "USING gin ((UPPER((name)::text)) gin_trgm_ops)"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES.values():
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_verdict_return_comment_queue_and_claim_order")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
