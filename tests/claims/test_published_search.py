"""A search over published verdicts finds what the claims' own documents find, after every change.

On PostgreSQL each published verdict carries a copy of its claim's search document
(migration 0025), read when the rows searched are published verdicts alone
(``published_only``). The copy must follow every change a claim's document follows: text,
quotes, speaker; and a verdict has one only while it is published. On SQLite both paths
are the substring search, and the same answers are asserted.
"""

import pytest
from django.db import connection
from django.utils import timezone

from claims.choices import VerdictStatus
from claims.models import Rating, Verdict
from claims.selectors import search_claims
from tests.factories import make_appearance, make_claim, make_source, make_speaker, make_verdict

pytestmark = pytest.mark.django_db


def published_found(term: str) -> set[int]:
    """Claim ids of published verdicts found by ``term``, through the verdicts' copies."""
    published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
    own = set(search_claims(published, term, through="claim", published_only=True).values_list("claim_id", flat=True))
    # The same rows searched through the claims' documents: the copies never disagree.
    claims = set(search_claims(published, term, through="claim").values_list("claim_id", flat=True))
    assert own == claims
    return own


def copies_match() -> None:
    """Every published verdict holds its claim's document, every other verdict none."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM claims_verdict v JOIN claims_claim c ON c.id = v.claim_id
            WHERE (v.status = 'published' AND v.search_document IS DISTINCT FROM c.search_document)
               OR (v.status <> 'published' AND v.search_document IS NOT NULL)
            """
        )
        assert cursor.fetchone()[0] == 0


@pytest.fixture
def harbour():
    speaker = make_speaker(name="Aurelia Montfort")
    claim = make_claim(text="The harbour handled nine million containers.", speaker=speaker)
    make_verdict(claim, VerdictStatus.PUBLISHED)
    other = make_claim(text="An unrelated statement about orchards.")
    make_verdict(other, VerdictStatus.PUBLISHED)
    return claim


def test_a_published_verdict_is_found_by_its_claims_words(harbour):
    if connection.vendor == "postgresql":
        published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
        sql = str(search_claims(published, "harbour", through="claim", published_only=True).query)
        # The verdicts' own copies, with no join to the claims for the words.
        assert '"claims_verdict".search_document @@' in sql
        assert "claims_claim" not in sql
    assert published_found("harbour") == {harbour.pk}
    assert published_found("Montfort") == {harbour.pk}
    orchards = published_found("orchards")
    assert len(orchards) == 1 and harbour.pk not in orchards
    copies_match()


def test_edited_text_quotes_and_speaker_reach_the_copy(harbour):
    harbour.text = "The port handled nine million containers."
    harbour.save()
    assert published_found("harbour") == set()
    assert published_found("port") == {harbour.pk}
    appearance = make_appearance(harbour, make_source(), "Dockers counted the cranes twice.")
    assert published_found("cranes") == {harbour.pk}
    appearance.quote = "Dockers counted the gantries twice."
    appearance.save()
    assert published_found("cranes") == set()
    assert published_found("gantries") == {harbour.pk}
    appearance.delete()
    assert published_found("gantries") == set()
    speaker = harbour.speaker
    speaker.name = "Aurelia Delacroix"
    speaker.save()
    assert published_found("Delacroix") == {harbour.pk}
    assert published_found("Montfort") == set()
    copies_match()


def test_only_a_published_verdict_holds_a_copy(harbour):
    verdict = harbour.verdicts.get()
    verdict.status = VerdictStatus.RETRACTED
    verdict.retracted_at = timezone.now()
    verdict.public_note = "Retracted."
    verdict.save()
    assert published_found("harbour") == set()
    copies_match()
    draft = make_verdict(harbour, VerdictStatus.DRAFT, rating=Rating.objects.get(slug="false"))
    copies_match()
    draft.status = VerdictStatus.PUBLISHED
    draft.published_at = draft.first_published_at = timezone.now()
    draft.save()
    assert published_found("harbour") == {harbour.pk}
    copies_match()


def test_a_verdict_moved_to_another_claim_takes_that_claims_words(harbour):
    orchard = make_claim(text="Orchards flowered early in the valley.")
    verdict = harbour.verdicts.get()
    verdict.claim = orchard
    verdict.save()
    assert published_found("harbour") == set()
    assert published_found("valley") == {orchard.pk}
    copies_match()


def test_the_public_claims_list_searches_the_verdicts_copies(harbour, client):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/claims/", {"q": "harbour"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [harbour.pk]
    if connection.vendor == "postgresql":
        (statement,) = [query["sql"] for query in queries.captured_queries if "websearch_to_tsquery" in query["sql"]]
        assert '"claims_verdict".search_document @@' in statement
