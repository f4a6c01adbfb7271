"""PostgreSQL search indexes: full text on claim text and quotes, trigrams on speaker names.

They live outside the model state because SQLite cannot build them (and rebuilds a
table's indexes from model state on every ALTER). On SQLite the search falls back to
substring matches. The expressions must stay identical to those in
``claims.selectors.search_claims`` for PostgreSQL to use the indexes.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "claims_claim_text_fts": (
        "CREATE INDEX IF NOT EXISTS claims_claim_text_fts ON claims_claim "
        "USING gin (to_tsvector('english'::regconfig, COALESCE((text)::text, '')))"
    ),
    "claims_appearance_quote_fts": (
        "CREATE INDEX IF NOT EXISTS claims_appearance_quote_fts ON claims_appearance "
        "USING gin (to_tsvector('english'::regconfig, COALESCE((quote)::text, '')))"
    ),
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
