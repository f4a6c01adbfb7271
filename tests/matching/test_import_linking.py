"""Imports: a review of a claim already on file joins that claim instead of adding another."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.matching.imports import LINK_THRESHOLD
from claims.matching.selectors import match_claims
from claims.models import Claim
from tests.api.helpers import publish
from tests.factories import make_claim
from tests.importer.helpers import FULL_FACT, POLITIFACT, json_input, outcome, review, run, table_counts, verdict_for

pytestmark = pytest.mark.django_db

ON_FILE = "Russia is buying millions of rockets and artillery shells from North Korea."
RESTATED = "Russia is buying millions of artillery shells and rockets from North Korea."


def imported(claim_text: str, url: str = "https://www.politifact.com/factchecks/2022/sep/06/russia-north-korea/"):
    return run(json_input("reviews.json", [review(POLITIFACT, url=url, claimReviewed=claim_text)]))


def test_a_review_of_a_claim_on_file_joins_it():
    desk = make_claim(text=ON_FILE, language="en")
    assert match_claims(RESTATED, language="en", public_only=False)[0].score >= LINK_THRESHOLD
    summary = imported(RESTATED)
    assert outcome(summary, "claims") == {"linked": 1}
    assert Claim.objects.count() == 1
    verdict = verdict_for("https://www.politifact.com/factchecks/2022/sep/06/russia-north-korea/")
    assert verdict.claim_id == desk.pk
    assert any("1 linked" in line for line in summary.lines())


def test_a_claim_on_the_same_subject_saying_something_else_is_not_joined():
    make_claim(text="Russia is buying drones from Iran to strike Ukrainian cities.", language="en")
    summary = imported("Russia is buying millions of artillery shells from North Korea.")
    assert outcome(summary, "claims") == {"created": 1}
    assert Claim.objects.count() == 2


def test_a_claim_the_desk_checked_takes_another_fact_checkers_review_beside_its_own(reviewer, editor):
    desk = make_claim(text=ON_FILE, language="en")
    own = publish(desk, author=reviewer, editor=editor)
    summary = imported(RESTATED)
    assert outcome(summary, "claims") == {"linked": 1}
    assert Claim.objects.count() == 1
    assert desk.verdicts.count() == 2
    # The desk's own verdict is untouched and still the one the claim is shown with.
    own.refresh_from_db()
    assert own.status == "published" and own.reviewed_by_id is None
    desk.refresh_from_db()
    assert desk.text == ON_FILE


def test_two_reviews_in_one_import_do_not_join_the_same_claim():
    desk = make_claim(text=ON_FILE, language="en")
    summary = run(
        json_input(
            "reviews.json",
            [
                review(POLITIFACT, url="https://www.politifact.com/factchecks/a/", claimReviewed=RESTATED),
                review(POLITIFACT, url="https://www.politifact.com/factchecks/b/", claimReviewed=ON_FILE),
            ],
        )
    )
    assert outcome(summary, "claims") == {"linked": 1, "created": 1}
    assert desk.verdicts.count() == 1


def test_importing_a_joined_review_again_leaves_the_claim_on_file_as_it_is():
    desk = make_claim(text=ON_FILE, language="en")
    Claim.objects.filter(pk=desk.pk).update(created_at=timezone.now() - timedelta(days=3))
    imported(RESTATED)
    summary = imported(RESTATED)
    desk.refresh_from_db()
    assert desk.text == ON_FILE
    assert outcome(summary, "claims") == {"unchanged": 1}
    assert Claim.objects.count() == 1


def test_importing_again_leaves_a_claim_an_earlier_batch_created_and_a_later_one_joined_as_it_is(monkeypatch):
    # The first review creates the claim; the second, a batch later in the same import,
    # joins it. Claim and reviews are created at the same moment: the second review's
    # wording must not become the claim's when the same feed is imported again.
    monkeypatch.setattr("claims.importing.run.BATCH", 1)
    feed = json_input(
        "reviews.json",
        [
            review(POLITIFACT, url="https://www.politifact.com/factchecks/a/", claimReviewed=ON_FILE),
            review(FULL_FACT, url="https://fullfact.org/online/b/", claimReviewed=RESTATED),
        ],
    )
    first = run(feed)
    assert outcome(first, "claims") == {"created": 1, "linked": 1}
    claim = Claim.objects.get()
    counts = table_counts()

    second = run(feed)

    assert outcome(second, "claims") == {"unchanged": 2}
    assert outcome(second, "reviews") == {"unchanged": 2}
    assert table_counts() == counts  # no history row either
    refreshed = Claim.objects.get()
    assert refreshed.text == ON_FILE
    assert refreshed.updated_at == claim.updated_at and refreshed.version == claim.version


STATEMENTS = [
    ("The minimum wage has doubled since 2010.", "en"),
    ("Crime in the capital fell by a third last year.", "en"),
    ("El desempleo juvenil bajó al 20 por ciento.", "es"),
    ("Wind farms now supply half of the country's electricity.", "en"),
    ("The new bridge cost twice its budget.", None),
]


def _feed():
    return json_input(
        "reviews.json",
        [
            review(POLITIFACT, url=f"https://www.politifact.com/factchecks/{n}/", claimReviewed=text, inLanguage=lang)
            for n, (text, lang) in enumerate(STATEMENTS)
        ],
    )


def test_an_import_hands_the_index_its_earlier_batches_claims_as_reading_them_back_would(monkeypatch):
    # Each batch's claims are handed to the matching index before the next batch is linked
    # (claims.matching.imports.Linking), instead of that batch's sync reading them back.
    from claims.matching.index import SemanticIndex, loaded_index

    monkeypatch.setattr("claims.importing.run.BATCH", 2)
    make_claim(text=ON_FILE, language="en")
    with CaptureQueriesContext(connection) as queries:
        assert outcome(run(_feed()), "claims") == {"created": 5}

    # Claims were read with their text and lexemes once, as the index loaded (the desk's claim).
    assert sum('AS "is_public"' in query["sql"] for query in queries.captured_queries) == 1
    index = loaded_index("default")
    assert index is not None and index.count == 5  # the desk's claim and the first two batches'
    # The last batch's claim is left to the sync, as any claim committed elsewhere is.
    assert index.sync(force=True) == 1
    read_back = SemanticIndex()
    read_back.sync(force=True)
    assert read_back.ids[: read_back.count].tolist() == index.ids[: index.count].tolist()
    assert read_back.stamps[:6].tolist() == index.stamps[:6].tolist()
    assert read_back.public[:6].tolist() == index.public[:6].tolist()
    np.testing.assert_allclose(read_back._vectors(slice(0, 6)), index._vectors(slice(0, 6)), atol=1e-6)
    for row in range(6):
        assert _language(read_back, row) == _language(index, row)
        assert _lexemes(read_back, row) == _lexemes(index, row)


def test_a_dry_run_of_one_batch_leaves_nothing_in_the_index():
    from claims.matching.index import loaded_index

    make_claim(text=ON_FILE, language="en")
    assert outcome(run(_feed(), dry_run=True), "claims") == {"created": 5}
    assert Claim.objects.count() == 1
    index = loaded_index("default")
    assert index is not None and index.count == 1


def _language(index, row: int) -> str:
    return next(code for code, number in index.language_codes.items() if number == index.languages[row])


def _lexemes(index, row: int) -> set[str]:
    words = {number: word for word, number in index.postings.vocabulary.items()}
    return {words[number] for number in index.postings.lexemes_of(row).tolist()}


def test_claims_a_rolled_back_import_handed_the_index_are_never_joined(monkeypatch):
    # A dry run of several batches hands the index its earlier batches' claims, which the
    # rollback then removes: importing the same feed for real must create every claim
    # again, not join the claims the dry run left in the index.
    monkeypatch.setattr("claims.importing.run.BATCH", 2)
    assert outcome(run(_feed(), dry_run=True), "claims") == {"created": 5}
    assert Claim.objects.count() == 0

    assert outcome(run(_feed()), "claims") == {"created": 5}
    assert sorted(Claim.objects.values_list("text", flat=True)) == sorted(text for text, _ in STATEMENTS)
    assert all(verdict_for(url).claim.text == text for url, text in _urls_and_texts())


def _urls_and_texts():
    return [(f"https://www.politifact.com/factchecks/{n}/", text) for n, (text, _) in enumerate(STATEMENTS)]
