"""/api/v1/claims/similar/ and the Google Fact Check Tools compatible /api/v1/claims:search."""

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.matching.selectors import _visible_matched_claims, listed_verdicts, similar_claims, visible_claims
from claims.models import Verdict
from tests.api.helpers import API, body, draft, get_json, publish, token_client
from tests.factories import make_claim, make_publisher, make_speaker, make_verdict

pytestmark = pytest.mark.django_db

SIMILAR = f"{API}claims/similar/"
SEARCH = f"{API}claims:search"


@pytest.fixture
def desk(reviewer, editor, rating):
    speaker = make_speaker(name="Igor Korotchenko")
    own = make_claim(text="North Korea promised 100,000 volunteers to fight in Ukraine.", speaker=speaker)
    own.made_on = timezone.now().date().replace(year=2022, month=8, day=5)
    own.save()
    publish(own, author=reviewer, editor=editor, headline="Pyongyang did not pledge a hundred thousand fighters")
    fact_checker = make_publisher(name="Other Checkers", url="https://www.otherchecks.example/")
    imported = make_claim(text="North Korean troops are fighting near Kursk.", language="en")
    make_verdict(
        imported,
        status="published",
        rating=rating,
        reviewed_by=fact_checker,
        review_url="https://www.otherchecks.example/kursk",
        review_rating_label="Mostly true",
        headline="Yes, North Korean soldiers are in Kursk",
    )
    unpublished = make_claim(text="North Korea promised 200,000 volunteers zqsecretword.")
    draft(unpublished, author=reviewer)
    return {"own": own, "imported": imported, "unpublished": unpublished}


def test_similar_ranks_and_describes_published_claims(client, desk):
    data = get_json(client, SIMILAR, {"text": "Did Pyongyang pledge 100,000 volunteers for the war in Ukraine?"})
    first = data["results"][0]
    assert first["id"] == desk["own"].pk
    assert 0 < first["score"] <= 1
    assert first["speaker"] == "Igor Korotchenko"
    assert first["verdict"]["status"] == "published"
    assert first["verdict"]["rating"]["slug"] == "false"
    assert first["verdict"]["claim_review_url"].endswith(f"/verdicts/{first['verdict']['id']}/claim-review/")
    # The links are built by concatenation: they are the routes' own addresses.
    verdict = first["verdict"]["id"]
    assert first["url"] == f"http://testserver{reverse('api-v1:claim-detail', args=[first['id']])}"
    assert first["verdict"]["url"] == f"http://testserver{reverse('api-v1:verdict-detail', args=[verdict])}"
    assert (
        first["verdict"]["claim_review_url"]
        == f"http://testserver{reverse('api-v1:verdict-claim-review', args=[verdict])}"
    )
    assert desk["unpublished"].pk not in [item["id"] for item in data["results"]]
    assert "zqsecretword" not in str(data)


def test_desk_members_may_ask_for_unpublished_claims(client, desk, reviewer):
    params = {"text": "North Korea promised 200,000 volunteers", "unpublished": "true"}
    assert client.get(SIMILAR, params).status_code == 403
    data = get_json(token_client(reviewer), SIMILAR, params)
    first = data["results"][0]
    assert first["id"] == desk["unpublished"].pk
    assert first["verdict"]["status"] == "draft"
    assert first["verdict"]["claim_review_url"] is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"text": ""},
        {"text": "x" * 1001},
        {"text": "x", "limit": "0"},
        {"text": "x", "limit": "51"},
        {"text": "x", "limit": ""},
        {"text": "x", "unpublished": "maybe"},
        {"text": "x", "colour": "red"},
        {"text": "a\x00b"},
        {"text": "x", "limit": ["1", "2"]},
        {"text": ["x", "y"]},
    ],
)
def test_similar_refuses_bad_parameters(client, desk, params):
    response = client.get(SIMILAR, params)
    assert response.status_code == 400
    assert body(response)["detail"]


def test_search_answers_in_googles_shape(client, desk):
    data = get_json(client, SEARCH, {"query": "Pyongyang pledged 100,000 volunteers for Ukraine"})
    claim = data["claims"][0]
    assert claim["text"] == desk["own"].text
    assert claim["claimant"] == "Igor Korotchenko"
    assert claim["claimDate"] == "2022-08-05T00:00:00Z"
    (review,) = claim["claimReview"]
    assert review["publisher"]["name"]
    assert review["title"] == "Pyongyang did not pledge a hundred thousand fighters"
    assert review["textualRating"] == "False"
    assert review["languageCode"] == "en"
    assert review["reviewDate"].endswith("Z")
    assert review["url"].endswith(f"/fact-checks/{desk['own'].pk}/")
    assert "zqsecretword" not in str(data)


def test_imported_reviews_keep_their_publisher_and_can_be_filtered_by_site(client, desk):
    data = get_json(client, SEARCH, {"query": "North Korea", "reviewPublisherSiteFilter": "otherchecks.example"})
    assert [claim["text"] for claim in data["claims"]] == [desk["imported"].text]
    review = data["claims"][0]["claimReview"][0]
    assert review["publisher"] == {"name": "Other Checkers", "site": "www.otherchecks.example"}
    assert review["url"] == "https://www.otherchecks.example/kursk"
    assert review["textualRating"] == "Mostly true"
    nothing = get_json(client, SEARCH, {"query": "North Korea", "reviewPublisherSiteFilter": "nowhere.example"})
    assert nothing == {"claims": []}


def test_max_age_days_keeps_recent_reviews(client, desk):
    month_ago = timezone.now() - timedelta(days=30)
    Verdict.objects.filter(claim=desk["imported"]).update(published_at=month_ago, first_published_at=month_ago)
    recent = get_json(client, SEARCH, {"query": "North Korea", "maxAgeDays": "7"})
    assert desk["imported"].text not in [claim["text"] for claim in recent["claims"]]
    older = get_json(client, SEARCH, {"query": "North Korea", "maxAgeDays": "31"})
    assert desk["imported"].text in [claim["text"] for claim in older["claims"]]


def test_search_pages_with_tokens(client, desk):
    first = get_json(client, SEARCH, {"query": "North Korea", "pageSize": "1"})
    assert len(first["claims"]) == 1
    second = get_json(client, SEARCH, {"query": "North Korea", "pageSize": "1", "pageToken": first["nextPageToken"]})
    assert len(second["claims"]) == 1
    assert "nextPageToken" not in second
    assert {first["claims"][0]["text"], second["claims"][0]["text"]} == {desk["own"].text, desk["imported"].text}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"query": ""},
        {"query": "x", "pageSize": "101"},
        {"query": "x", "maxAgeDays": "0"},
        {"query": "x", "pageToken": "not a token!"},
        {"query": "x", "pageToken": base64.urlsafe_b64encode(b"5000").decode()},
        {"query": "x", "languageCode": ""},
        {"query": "x", "offset": ["1", "0.0"]},
        {"query": ["x", "y"]},
    ],
)
def test_search_refuses_bad_parameters(client, desk, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert body(response)["detail"]


@pytest.mark.parametrize(
    "path, params", [(SIMILAR, {"text": "x", "limit": ["1", "2"]}), (SEARCH, {"query": ["x", "y"]})]
)
def test_a_parameter_given_twice_is_refused_by_name(client, desk, path, params):
    repeated = next(name for name, value in params.items() if isinstance(value, list))
    assert body(client.get(path, params))["errors"] == {repeated: ["Give this parameter once."]}


def _shown(matches) -> list:
    """Everything a match is shown with, as plain values."""
    return [
        (
            match.claim_id,
            match.claim.text,
            match.claim.language,
            match.claim.made_on,
            match.claim.speaker.name if match.claim.speaker_id else None,
            [
                (
                    verdict.pk,
                    verdict.status,
                    verdict.headline,
                    verdict.published_at,
                    verdict.review_url,
                    verdict.review_rating_label,
                    (verdict.rating.slug, verdict.rating.label) if verdict.rating_id else None,
                    (verdict.reviewed_by.name, verdict.reviewed_by.url) if verdict.reviewed_by_id else None,
                )
                for verdict in listed_verdicts(match.claim)
            ],
        )
        for match in matches
    ]


@pytest.mark.parametrize("desk_member", [False, True])
def test_matches_are_read_as_the_querysets_read_them_in_a_constant_number_of_queries(desk, desk_member):
    statements = ["North Korea volunteers Ukraine", "North Korean soldiers in Kursk", "volunteers zqsecretword"]
    for text in statements * 2:  # the second round runs the statements compiled in the first
        read = similar_claims(text, desk_member=desk_member)
        assert read, text
        queryset = visible_claims(desk_member=desk_member)
        assert _shown(read) == _shown(similar_claims(text, desk_member=desk_member, claims=queryset))
    seen = {match.claim_id for text in statements for match in similar_claims(text, desk_member=desk_member)}
    assert (desk["unpublished"].pk in seen) is desk_member
    # The claims, then their verdicts, however many matched.
    claim_ids = [claim.pk for claim in desk.values()]
    for ids in (claim_ids[:1], claim_ids, claim_ids * 20):
        with CaptureQueriesContext(connection) as captured:
            _visible_matched_claims(ids, desk_member=desk_member, using="default")
        assert len(captured) == 2
