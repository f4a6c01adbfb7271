"""PostgreSQL: each published verdict carries its claim's search document, for newest-first searches.

A public list's search walks the published verdicts newest first and keeps those whose
claim holds the words, until it has a page. With the document on the claim, every verdict
walked costs a visit to the verdict's row and to its claim's: for a word in 1% of claims
about 6,000 verdicts and 24,000 buffers, ~30 ms at a million claims on two slow cores.
With a copy on the verdict, in a newest-first index that also holds every verdict column
a list page reads, the walk is an index-only scan: the words are checked in the index,
and only the page's rows are fetched (~4 ms). A GIN index over the same copies serves rare
words, which a walk would take too long to find.

Triggers keep the copy exact whoever writes: a verdict gets its claim's document when it
is published (or moved to another claim) and loses it otherwise; a claim whose document
changes (its text, speaker or quotes: migration 0006) passes it to its published
verdicts (and to any written before it). The copy is not part of the Django model, like the claim's own document.
Only a statement over published verdicts reads it (claims.selectors.MatchesSearchDocument).

The covering index must include every verdict column the list statement reads (the
item's JSON in claims.api.rows): a statement that reads one more is still right, but its
scan fetches each verdict's row again.
"""

from django.db import migrations

FORWARD = r"""
ALTER TABLE claims_verdict ADD COLUMN IF NOT EXISTS search_document tsvector;

CREATE OR REPLACE FUNCTION claims_verdict_search_document_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'published' THEN
        NEW.search_document := NULL;
    ELSIF TG_OP = 'INSERT' OR OLD.status <> 'published' OR OLD.claim_id <> NEW.claim_id
            OR NEW.search_document IS NULL THEN
        NEW.search_document := (SELECT c.search_document FROM claims_claim c WHERE c.id = NEW.claim_id);
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS claims_verdict_search_document ON claims_verdict;
CREATE TRIGGER claims_verdict_search_document BEFORE INSERT OR UPDATE ON claims_verdict
    FOR EACH ROW EXECUTE FUNCTION claims_verdict_search_document_trigger();

-- Statement-level, over the rows each statement wrote: a bulk load (COPY, or the appearance
-- triggers touching every claim they changed) passes the documents in one join, where a
-- row trigger would run one UPDATE per claim.
CREATE OR REPLACE FUNCTION claims_claim_pass_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A verdict written before its claim (foreign keys checked at commit, as loaddata does).
        UPDATE claims_verdict v SET search_document = n.search_document
            FROM new_rows n WHERE v.claim_id = n.id AND v.status = 'published';
    ELSE
        UPDATE claims_verdict v SET search_document = n.search_document
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE v.claim_id = n.id AND v.status = 'published'
                AND o.search_document IS DISTINCT FROM n.search_document;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS claims_claim_pass_search_document ON claims_claim;
CREATE TRIGGER claims_claim_pass_search_document AFTER UPDATE ON claims_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_pass_search_document();
DROP TRIGGER IF EXISTS claims_claim_pass_first_search_document ON claims_claim;
CREATE TRIGGER claims_claim_pass_first_search_document AFTER INSERT ON claims_claim
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_pass_search_document();

UPDATE claims_verdict v SET search_document = c.search_document
    FROM claims_claim c WHERE c.id = v.claim_id AND v.status = 'published';

CREATE INDEX IF NOT EXISTS claims_verdict_public_search ON claims_verdict (published_at DESC, id DESC)
    INCLUDE (claim_id, reviewed_by_id, rating_id, supersedes_id, status, headline, search_document)
    WHERE status = 'published';
CREATE INDEX IF NOT EXISTS claims_verdict_public_words ON claims_verdict USING gin (search_document)
    WHERE status = 'published';
"""

BACKWARD = r"""
DROP INDEX IF EXISTS claims_verdict_public_words;
DROP INDEX IF EXISTS claims_verdict_public_search;
DROP TRIGGER IF EXISTS claims_claim_pass_search_document ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_pass_first_search_document ON claims_claim;
DROP FUNCTION IF EXISTS claims_claim_pass_search_document();
DROP TRIGGER IF EXISTS claims_verdict_search_document ON claims_verdict;
DROP FUNCTION IF EXISTS claims_verdict_search_document_trigger();
ALTER TABLE claims_verdict DROP COLUMN IF EXISTS search_document;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("claims", "0024_claim_unassigned_newest_first")]

    operations = [migrations.RunPython(forward, backward)]
