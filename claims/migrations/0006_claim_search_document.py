"""PostgreSQL: one stored full-text document per claim, kept current by triggers.

The document joins the claim text (weight A), the speaker's name (B) and every
appearance quote (C), so a search is one GIN index lookup instead of a union over three
tables. Triggers keep it current whoever writes (admin, services, imports, bulk COPY);
statement-level triggers on appearances recompute each touched claim once per
statement. The column is not part of the Django model: SQLite has no tsvector, and the
search falls back to substring matches there (claims.selectors.search_claims).
"""

from django.db import migrations

FORWARD = r"""
ALTER TABLE claims_claim ADD COLUMN IF NOT EXISTS search_document tsvector;

CREATE OR REPLACE FUNCTION claims_claim_build_search_document(claim claims_claim) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', claim.text), 'A')
        || setweight(to_tsvector('english', coalesce(
               (SELECT s.name FROM claims_speaker s WHERE s.id = claim.speaker_id), '')), 'B')
        || setweight(to_tsvector('english', coalesce(
               (SELECT string_agg(a.quote, ' ' ORDER BY a.id) FROM claims_appearance a WHERE a.claim_id = claim.id),
               '')), 'C')
$$;

CREATE OR REPLACE FUNCTION claims_claim_search_document_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new claim has no appearances yet: its text and its speaker are the document.
        NEW.search_document := setweight(to_tsvector('english', NEW.text), 'A')
            || setweight(to_tsvector('english', coalesce(
                   (SELECT s.name FROM claims_speaker s WHERE s.id = NEW.speaker_id), '')), 'B');
    ELSE
        NEW.search_document := claims_claim_build_search_document(NEW);
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS claims_claim_search_document ON claims_claim;
CREATE TRIGGER claims_claim_search_document BEFORE INSERT OR UPDATE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_claim_search_document_trigger();

-- Touching a claim (UPDATE ... SET id = id) runs the row trigger above, which rebuilds it.
-- Only quotes are in the document: appearances without one (imported reviews) change nothing.
CREATE OR REPLACE FUNCTION claims_appearance_refresh_claims() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE claims_claim SET id = id WHERE id IN (SELECT DISTINCT claim_id FROM new_rows WHERE quote <> '');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE claims_claim SET id = id WHERE id IN (SELECT DISTINCT claim_id FROM old_rows WHERE quote <> '');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claims_appearance_refresh_claims_insert ON claims_appearance;
DROP TRIGGER IF EXISTS claims_appearance_refresh_claims_update ON claims_appearance;
DROP TRIGGER IF EXISTS claims_appearance_refresh_claims_delete ON claims_appearance;
CREATE TRIGGER claims_appearance_refresh_claims_insert AFTER INSERT ON claims_appearance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_appearance_refresh_claims();
CREATE TRIGGER claims_appearance_refresh_claims_update AFTER UPDATE ON claims_appearance
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claims_appearance_refresh_claims();
CREATE TRIGGER claims_appearance_refresh_claims_delete AFTER DELETE ON claims_appearance
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_appearance_refresh_claims();

CREATE OR REPLACE FUNCTION claims_speaker_refresh_claims() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE claims_claim SET id = id
    WHERE speaker_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.name <> o.name);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claims_speaker_refresh_claims ON claims_speaker;
CREATE TRIGGER claims_speaker_refresh_claims AFTER UPDATE ON claims_speaker
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claims_speaker_refresh_claims();

UPDATE claims_claim SET id = id;

CREATE INDEX IF NOT EXISTS claims_claim_search_document ON claims_claim USING gin (search_document);
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS claims_speaker_refresh_claims ON claims_speaker;
DROP TRIGGER IF EXISTS claims_appearance_refresh_claims_insert ON claims_appearance;
DROP TRIGGER IF EXISTS claims_appearance_refresh_claims_update ON claims_appearance;
DROP TRIGGER IF EXISTS claims_appearance_refresh_claims_delete ON claims_appearance;
DROP TRIGGER IF EXISTS claims_claim_search_document ON claims_claim;
DROP FUNCTION IF EXISTS claims_speaker_refresh_claims();
DROP FUNCTION IF EXISTS claims_appearance_refresh_claims();
DROP FUNCTION IF EXISTS claims_claim_search_document_trigger();
DROP FUNCTION IF EXISTS claims_claim_build_search_document(claims_claim);
DROP INDEX IF EXISTS claims_claim_search_document;
ALTER TABLE claims_claim DROP COLUMN IF EXISTS search_document;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
