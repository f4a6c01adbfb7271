"""PostgreSQL trigram index for finding sources by title (admin autocomplete, filters).

Outside the model state for the same reason as claims 0005: SQLite cannot build it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SQL = (
    "CREATE INDEX IF NOT EXISTS sources_source_title_trgm ON sources_source "
    "USING gin ((UPPER((title)::text)) gin_trgm_ops)"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS sources_source_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
