"""Claim matching: the ranking, the index that follows the claims table, visibility."""

import numpy as np
import pytest
from django.utils import timezone

from claims.matching import index as matching_index
from claims.matching.embedding import DIMENSIONS, embed
from claims.matching.selectors import METHODS, match_claims, similar_claims
from claims.models import Claim
from claims.services import public_record_changed
from tests.api.helpers import draft, publish
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

CLAIMS = [
    "Russia is buying millions of rockets and artillery shells from North Korea.",
    "Inflation in Brazil doubled last year.",
    "The new bridge in Lisbon cost twice its budget.",
    "Wind turbines cause cancer in people living nearby.",
    "La inflación en Argentina superó el 200 por ciento.",
]


@pytest.fixture
def claims(reviewer, editor):
    made = [make_claim(text=text, language="es" if "inflación" in text else "en") for text in CLAIMS]
    for claim in made[:4]:
        publish(claim, author=reviewer, editor=editor)
    return made


def test_embeddings_load_from_the_package_and_are_unit_vectors():
    vectors = embed(["Moscow buys North Korean munitions", "Moscow purchases munitions from Pyongyang", ""])
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1, atol=1e-5)
    assert not vectors[2].any()
    assert vectors[0] @ vectors[1] > 0.5


@pytest.mark.parametrize("method", METHODS)
def test_each_method_ranks_a_reworded_claim_first(claims, method):
    statement = "Russia purchases rockets and shells from North Korea"
    matches = match_claims(statement, public_only=True, method=method)
    assert matches[0].claim_id == claims[0].pk
    assert all(0 <= match.score <= 1 for match in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_the_same_statement_scores_one(claims):
    match = match_claims(CLAIMS[1])[0]
    assert match.claim_id == claims[1].pk
    assert match.score == pytest.approx(1.0, abs=1e-3)


def test_scores_stay_within_zero_and_one_for_a_statement_matched_word_for_word():
    # A statement whose int8 vector rounds its cosine with itself past 1 (1.0004, seen by the fuzz run).
    text = (
        "North Korea was the third country, after Russia and Syria, to recognise the independence "
        "of the Donetsk and Luhansk territories."
    )
    make_claim(text=text, language="en")
    [match] = match_claims(text, language="en", limit=1, public_only=False)
    for score in (match.score, match.semantic, match.lexical):
        assert 0.0 <= score <= 1.0
    assert match.semantic == pytest.approx(1.0, abs=0.01)


def test_only_published_claims_for_the_public_every_claim_for_the_desk(claims, reviewer):
    unpublished = claims[4]
    draft(unpublished, author=reviewer)
    public = similar_claims("La inflación en Argentina superó el 200 por ciento", language="es")
    assert unpublished.pk not in [m.claim_id for m in public]
    desk = similar_claims("La inflación en Argentina superó el 200 por ciento", language="es", desk_member=True)
    assert desk[0].claim_id == unpublished.pk
    assert desk[0].claim.listed_verdicts[0].status == "draft"


def test_language_restricts_and_parses(claims):
    matches = match_claims("inflación Argentina", language="es", public_only=False)
    assert [m.claim_id for m in matches] == [claims[4].pk]
    assert matches[0].lexical > 0
    assert match_claims("inflación Argentina", language="fr", public_only=False) == []


def test_a_newly_published_claim_is_found_at_the_next_sync(claims, reviewer, editor):
    text = "The lighthouse keeper's parrot predicted every storm of the decade."
    assert similar_claims(text)[0].claim_id != -1  # the index is built
    claim = make_claim(text=text)
    assert claim.pk not in [m.claim_id for m in similar_claims(text)]
    publish(claim, author=reviewer, editor=editor)
    assert similar_claims(text)[0].claim_id == claim.pk


def test_an_edited_claim_is_matched_by_its_new_text(claims):
    index = matching_index.semantic_index()
    claim = claims[2]
    before = index.vectors_of([claim.pk])[claim.pk]
    claim.text = "Greenland's ice sheet lost a trillion tonnes in a single summer."
    claim.save()
    match = match_claims("Greenland ice sheet lost a trillion tonnes")[0]
    assert match.claim_id == claim.pk
    assert not np.allclose(index.vectors_of([claim.pk])[claim.pk], before)


def test_the_sync_waits_for_its_interval(claims, settings):
    index = matching_index.semantic_index()
    settings.MATCHING = {"SYNC_INTERVAL": 3600}
    index.sync(force=True)
    claim = make_claim(text="Octopuses were elected to the city council.")
    assert index.sync() == 0
    assert index.sync(force=True) == 1
    assert index.vectors_of([claim.pk])


def test_a_retracted_claim_leaves_the_public_ranking(claims, editor):
    from claims import services

    verdict = claims[3].verdicts.get()
    assert similar_claims(CLAIMS[3])[0].claim_id == claims[3].pk
    services.verdict_retract(verdict=verdict, actor=editor, public_note="We got this wrong.")
    assert claims[3].pk not in [m.claim_id for m in similar_claims(CLAIMS[3])]


def test_a_deleted_claim_is_not_returned(claims):
    lonely = make_claim(text="A unicorn was seen grazing in the parliament garden.")
    assert match_claims(lonely.text, public_only=False)[0].claim_id == lonely.pk
    Claim.objects.filter(pk=lonely.pk).delete()
    assert lonely.pk not in [m.claim_id for m in match_claims(lonely.text, public_only=False)]


def _partitioned_index(rng) -> tuple[matching_index.SemanticIndex, np.ndarray]:
    """An index of 2,000 public random unit vectors (claim ids 1 to 2,000), grouped into partitions."""
    index = matching_index.SemanticIndex()
    index.watermark = timezone.now()  # nothing to load
    vectors = rng.normal(size=(2000, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index._reserve(2000)
    index._store(slice(0, 2000), vectors)
    index.ids[:2000] = np.arange(1, 2001)
    index.public[:2000] = True
    index.count = 2000
    index.partition()
    return index, vectors


def test_a_partitioned_index_finds_what_scoring_everything_finds(monkeypatch):
    monkeypatch.setattr(matching_index, "EXACT_BELOW", 100)
    rng = np.random.default_rng(1)
    index, vectors = _partitioned_index(rng)
    assert index.centroids is not None
    # A query close to a stored vector finds it through the partition.
    for row in (0, 777, 1999):
        query = vectors[row] + rng.normal(scale=0.01, size=DIMENSIONS).astype(np.float32)
        query /= np.linalg.norm(query)
        assert index.search(query, limit=1, public_only=True)[0].claim_id == row + 1


def test_a_partitioned_index_scores_a_row_changed_since_grouping_by_its_latest_vector(monkeypatch):
    monkeypatch.setattr(matching_index, "EXACT_BELOW", 100)
    # Only the best coarse score is scored in full: a stale coarse vector would lose the row.
    monkeypatch.setattr(matching_index, "RERANK", 1)
    rng = np.random.default_rng(2)
    index, _ = _partitioned_index(rng)
    for _ in range(3):  # changed again and again after grouping, as a sync changes it
        vector = rng.normal(size=DIMENSIONS).astype(np.float32)
        vector /= np.linalg.norm(vector)
        index._store([5], vector[None, :])
        index.recent.add(5)
        assert index.search(vector, limit=1, public_only=True)[0].claim_id == 6


def test_public_record_changes_reach_the_index(claims):
    index = matching_index.semantic_index()
    row = index._row(claims[4].pk)
    assert not index.public[row]
    Claim.objects.filter(pk=claims[4].pk).update(text=claims[4].text)  # no timestamp change: nothing to see
    public_record_changed([claims[4].pk])
    index.sync(force=True)
    assert index.stamps[row] == matching_index._stamp(Claim.objects.get(pk=claims[4].pk).updated_at)


def test_posting_lists_answer_the_same_before_and_after_folding_in_changes():
    from claims.matching.lexical import Postings

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    postings = Postings()
    rows = [set(rng.choice(words, size=5).tolist()) for _ in range(300)]
    public = np.array([row % 3 != 0 for row in range(300)])
    postings.load(0, rows)
    postings.rebuild(300, public)
    # Edits, publications and new rows go to the overlay.
    for row in rng.choice(300, size=60, replace=False).tolist():
        rows[row] = set(rng.choice(words, size=4).tolist())
        postings.set_row(row, rows[row], was_public=bool(public[row]), is_public=True, new=False)
        public[row] = True
    for row in range(300, 320):
        rows.append({"w1", "fresh"})
        postings.set_row(row, rows[row], was_public=False, is_public=False, new=True)
    public = np.concatenate([public, np.zeros(20, dtype=bool)])
    assert postings.published == int(public.sum())
    for word in words[:5]:
        assert postings.frequency[postings.vocabulary[word]] == sum(word in rows[r] for r in range(320) if public[r])
    query = {"w1", "w7", "w30", "fresh"}
    before = postings.top(query, allowed=None, limit=20)
    exact_before = postings.cosines(query, before)
    postings.rebuild(320, public)
    after = postings.top(query, allowed=None, limit=20)
    assert set(before) == set(after)
    assert postings.cosines(query, before) == pytest.approx(exact_before)
    # Each row's exact cosine agrees with one computed from its words by hand.
    weights = {
        word: np.log((public.sum() + 1) / (sum(word in rows[r] for r in range(320) if public[r]) + 1)) + 1
        for word in [*words, "fresh"]
    }
    row = after[0]
    shared = sum(weights[w] ** 2 for w in query & rows[row])
    norm_q = np.sqrt(sum(weights[w] ** 2 for w in query))
    norm_d = np.sqrt(sum(weights[w] ** 2 for w in rows[row]))
    assert postings.cosines(query, [row])[0] == pytest.approx(shared / (norm_q * norm_d))


def test_lexical_candidates_hold_a_rarer_word_and_are_scored_on_every_word(monkeypatch):
    from claims.matching import lexical

    # 400 rows say "year", 3 of them also "pyongyang"; 2 more say only "pyongyang"; "volunteers" is
    # in one. Every row has three words, so the words held decide the order.
    rows = [{"year", f"a{i}", f"b{i}"} for i in range(397)]
    rows += [{"year", "pyongyang", "volunteers"}, {"year", "pyongyang", "c1"}, {"year", "pyongyang", "c2"}]
    rows += [{"pyongyang", "d1", "d2"}, {"pyongyang", "e1", "e2"}]
    postings = lexical.Postings()
    postings.load(0, rows)
    postings.rebuild(len(rows), np.ones(len(rows), dtype=bool))
    query = {"pyongyang", "volunteers", "year"}
    monkeypatch.setattr(lexical, "SCAN_BUDGET", 10**9)
    everything = postings.top(query, allowed=None, limit=20)
    # Read in full, the lists rank the rows sharing the most (rarest) words first.
    assert everything == [397, 398, 399, 400, 401, *range(15)]
    cosines = postings.cosines(query, everything)
    assert cosines == sorted(cosines, reverse=True)

    # The lists of "volunteers" and "pyongyang" hold fewer than 10 rows: "year"'s is left unread.
    monkeypatch.setattr(lexical, "SCAN_BUDGET", 10)
    # They give 5 candidates, fewer than the 10 to rank exactly: "year"'s list is read after all.
    assert postings.top(query, allowed=None, limit=20) == everything
    # Two to rank exactly: the 5 are enough, a row holding only "year" scores far below the second.
    monkeypatch.setattr(lexical, "EXACT_DEPTH", 2)
    assert postings.top(query, allowed=None, limit=20) == everything[:5]


def test_the_best_lexical_matches_are_those_reading_every_list_gives(monkeypatch):
    from claims.matching import lexical

    rng = np.random.default_rng(5)
    # Zipfian words: a few are held by most rows, as "year" or "say" are by claims.
    words = [f"w{i}" for i in range(300)]
    frequency = 1 / np.arange(1, len(words) + 1)
    frequency /= frequency.sum()
    rows = [set(rng.choice(words, size=int(rng.integers(2, 9)), p=frequency).tolist()) for _ in range(3000)]
    public = rng.random(3000) < 0.7
    postings = lexical.Postings()
    postings.load(0, rows)
    postings.rebuild(3000, public)
    for row in rng.choice(3000, size=100, replace=False).tolist():  # the overlay
        postings.set_row(row, {"w0", "w150"}, was_public=bool(public[row]), is_public=bool(public[row]), new=False)
    queries = [set(rng.choice(words, size=int(rng.integers(1, 7)), p=frequency).tolist()) for _ in range(60)]
    monkeypatch.setattr(lexical, "SCAN_BUDGET", 10**9)
    full = [postings.top(query, allowed=public.__getitem__, limit=30) for query in queries]
    monkeypatch.setattr(lexical, "SCAN_BUDGET", 1)
    found = [postings.top(query, allowed=public.__getitem__, limit=30) for query in queries]
    assert [ranked[: lexical.EXACT_DEPTH] for ranked in found] == [ranked[: lexical.EXACT_DEPTH] for ranked in full]
    # Below them, some rows holding only common words were left out.
    assert found != full


def test_posting_lists_reach_every_row_as_similar_as_asked():
    from claims.matching.lexical import Postings

    rng = np.random.default_rng(5)
    # A few common words and many rare ones, as in claims.
    words = [f"w{i}" for i in range(12)] + [f"rare{i}" for i in range(300)]
    postings = Postings()
    rows = [set(rng.choice(words, size=6, p=_zipf(len(words))).tolist()) for _ in range(400)]
    postings.load(0, rows)
    postings.rebuild(400, np.ones(400, dtype=bool))
    for row in range(400, 430):  # rows since the arrays were built sit in the overlay
        rows.append(set(rows[row - 400]) | {"fresh"})
        postings.set_row(row, rows[row], was_public=False, is_public=True, new=True)
    statements = [set(rows[row]) - {rng.choice(sorted(rows[row]))} for row in range(0, 430, 7)]
    statements += [set(rng.choice(words, size=5).tolist()) | {"unheard"} for _ in range(20)]
    for needed in (0.5, 0.875):
        owners, found = postings.reaching(statements, needed)
        reached = set(zip(owners.tolist(), found.tolist(), strict=True))
        expected = set()
        for position, lexemes in enumerate(statements):
            cosines = postings.cosines(lexemes, list(range(430)))
            expected |= {(position, row) for row, cosine in enumerate(cosines) if cosine >= needed}
        assert expected and expected <= reached
        # Few that fall short are scored beyond that: reaching is a filter, not every row sharing a word.
        assert len(reached) < 2 * len(expected)


def _zipf(size: int) -> np.ndarray:
    weights = 1 / np.arange(1, size + 1)
    return weights / weights.sum()


def test_best_matches_are_what_match_claims_ranks_first(claims):
    from claims.matching.selectors import best_matches

    added = make_claim(text="The lighthouse keeper's parrot predicted every storm of the decade.", language="en")
    statements = [
        (CLAIMS[1], None),
        (CLAIMS[1], "en"),
        ("Russia purchases rockets and shells from North Korea", "en"),
        ("Russia is buying millions of artillery shells and rockets from North Korea.", None),
        (CLAIMS[4], "es"),
        (CLAIMS[4], "fr"),
        ("The lighthouse keeper's parrot predicted every storm of this decade.", "en"),
        (added.text, "EN"),
        ("Octopuses were elected to the city council.", None),
        ("", None),
    ]
    for at_least in (0.95, 0.85, 0.7):
        best = best_matches(statements, at_least=at_least, public_only=False)
        expected = []
        for text, language in statements:
            matches = match_claims(text, language=language, public_only=False, limit=1)
            expected.append(matches[0] if matches and matches[0].score >= at_least else None)
        assert [(m.claim_id, m.score) if m else None for m in best] == [
            (m.claim_id, m.score) if m else None for m in expected
        ]
        assert any(expected) and not all(expected)
    with pytest.raises(ValueError):
        best_matches(statements, at_least=0.5)


def test_best_matches_are_found_by_searching_where_many_claims_score_alike(claims):
    from claims.matching.index import semantic_index
    from claims.matching.selectors import CANDIDATES, best_matches

    # More copies of a claim than search returns: which of them it returns is not certain without it.
    Claim.objects.bulk_create([Claim(text=CLAIMS[1], language="en") for _ in range(CANDIDATES + 10)])
    statements = [(CLAIMS[1], "en"), ("Inflation in Brazil doubled last year!", "EN")]
    best = best_matches(statements, at_least=0.95, public_only=False)
    assert all(best)
    vectors = embed([text for text, _ in statements])
    ids = [match.claim_id for match in best if match]
    languages = [language for _, language in statements]
    assert semantic_index().surely_found(vectors, ids, languages, limit=CANDIDATES, public_only=False) == [False, False]
    for (text, language), match in zip(statements, best, strict=True):
        [expected] = match_claims(text, language=language, public_only=False, limit=1)
        assert match and (match.claim_id, match.score) == (expected.claim_id, expected.score)


def test_posting_lists_reach_past_a_row_edited_to_hold_no_word():
    from claims.matching.lexical import Postings

    postings = Postings()
    postings.load(0, [{"a", "b"}, {"a", "c"}, {"a", "rare"}])
    postings.rebuild(3, np.ones(3, dtype=bool))
    postings.set_row(2, set(), was_public=True, is_public=True, new=False)
    owners, rows = postings.reaching([{"a", "rare"}, {"a", "b"}], 0.875)
    assert list(zip(owners.tolist(), rows.tolist(), strict=True)) == [(1, 0)]
