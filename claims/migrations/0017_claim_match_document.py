"""PostgreSQL: each claim's text as a full-text document in its own language, for matching.

``claims_match_config(language)`` maps a BCP 47 tag to the text search configuration of
its language where PostgreSQL ships one, ``simple`` (no stemming, no stop words)
otherwise; it is the one place that mapping is declared, used by the stored column and
by every query (claims.matching.lexical). The column holds the claim's text only (not
its quotes or speaker, unlike ``search_document``): a statement is matched against what
was checked. It is generated, so every writer (admin, imports, COPY) keeps it current.
"""

from django.db import migrations

CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
CASES = "\n".join(f"        WHEN '{code}' THEN '{config}'::regconfig" for code, config in CONFIGS.items())

FORWARD = f"""
CREATE OR REPLACE FUNCTION claims_match_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(split_part(language, '-', 1))
{CASES}
        ELSE 'simple'::regconfig
    END
$$;
ALTER TABLE claims_claim ADD COLUMN IF NOT EXISTS match_document tsvector
    GENERATED ALWAYS AS (to_tsvector(claims_match_config(language), text)) STORED;
CREATE INDEX IF NOT EXISTS claims_claim_match_document ON claims_claim USING gin (match_document);
"""

BACKWARD = """
DROP INDEX IF EXISTS claims_claim_match_document;
ALTER TABLE claims_claim DROP COLUMN IF EXISTS match_document;
DROP FUNCTION IF EXISTS claims_match_config(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("claims", "0016_history_choices_checked_and_rating_value_minimum")]

    operations = [migrations.RunPython(forward, backward)]
