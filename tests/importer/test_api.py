"""Imported reviews are published fact-checks: in the public API, its ClaimReview and its search."""

import pytest
from django.core.cache import cache

from claims.models import Verdict
from tests.api.helpers import API, body, get_json, walk
from tests.importer.helpers import ALL_REVIEWS, CORRECTIV, DECODEURS, FULL_FACT, MALDITA, json_input, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def imported(db):
    run(json_input("reviews.json", ALL_REVIEWS))
    return {v.review_url: v for v in Verdict.objects.select_related("claim")}


def claim_ids(client, **params) -> set[int]:
    return {item["id"] for item in walk(client, f"{API}claims/", params)}


def test_imported_claims_are_listed_publicly(client, imported):
    assert claim_ids(client) == {v.claim_id for v in imported.values()}


def test_claim_review_gives_the_reviewers_own_url_author_and_rating(client, imported):
    claim = imported[MALDITA["url"]].claim_id

    response = client.get(f"{API}claims/{claim}/claim-review/")

    assert response.status_code == 200
    data = body(response)
    assert data["@type"] == "ClaimReview"
    assert data["url"] == MALDITA["url"]
    assert data["claimReviewed"] == MALDITA["claimReviewed"]
    assert data["author"] == {"@type": "Organization", "name": "Maldita.es", "url": "https://maldita.es/"}
    assert data["reviewRating"]["alternateName"] == "Falso"
    assert data["headline"] == MALDITA["headline"]
    assert data["inLanguage"] == "es"


def test_an_unmapped_review_shows_its_own_label(client, imported):
    verdict = imported[FULL_FACT["url"]]

    data = get_json(client, f"{API}verdicts/{verdict.pk}/claim-review/")

    assert data["url"] == FULL_FACT["url"]
    assert data["reviewRating"] == {"@type": "Rating", "alternateName": FULL_FACT["reviewRating"]["alternateName"]}
    assert data["author"]["name"] == "Full Fact"


def test_the_claim_detail_carries_the_mapped_rating(client, imported):
    verdict = imported[DECODEURS["url"]]

    data = get_json(client, f"{API}claims/{verdict.claim_id}/")

    assert data["text"] == DECODEURS["claimReviewed"]
    assert data["verdict"]["rating"]["slug"] == "mostly-false"


def test_filter_by_rating_including_unmapped(client, imported):
    assert claim_ids(client, rating="unmapped") == {imported[FULL_FACT["url"]].claim_id}
    assert imported[MALDITA["url"]].claim_id in claim_ids(client, rating="false")


@pytest.mark.parametrize(
    ("term", "url"),
    [
        ("pegatina", MALDITA["url"]),
        ("Fleischsteuer", CORRECTIV["url"]),
        ("Bardella", DECODEURS["url"]),  # the speaker's name
        ("agriculteurs", DECODEURS["url"]),
    ],
)
def test_search_finds_imported_claims(client, imported, term, url):
    assert claim_ids(client, q=term) == {imported[url].claim_id}


def test_the_public_feed_carries_imported_reviews(client, imported):
    response = client.get(f"{API}claim-reviews/", {"page_size": 100})

    assert response.status_code == 200
    urls = {element["item"][0]["url"] for element in body(response)["dataFeedElement"]}
    assert urls == set(imported)
