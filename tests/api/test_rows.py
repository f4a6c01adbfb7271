"""The fast list paths of claims and verdicts give exactly what the serializers would.

The serializers define the API and its schema; the lists build the same JSON another way
for speed. Every item of every list here is compared with the serializer's output for the
same objects, rendered by the API's own renderer.
"""

import json
from datetime import UTC, date, datetime

import pytest
from rest_framework.request import Request

from claims import services
from claims.api.serializers import ClaimSummarySerializer, VerdictListSerializer
from claims.choices import SpeakerKind, VerdictStatus
from claims.models import Claim, Rating, Verdict
from factcheck.api.renderers import JSONRenderer
from tests.api.helpers import API, body, draft, publish, submit, token_client, walk
from tests.factories import make_claim, make_speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def variety(demo_data, reviewer, editor):
    """Beyond the demo: a full date, an anonymous group, odd text, a fresh correction, a draft, one in review."""
    dated = make_claim(
        text="Unemployment fell to “4.1%” — the lowest since 2001.",
        speaker=make_speaker(name="Ana Ruiz", role="Minister", affiliation="Labour ministry"),
        made_on=date(2026, 2, 28),
        made_on_text="28 February",
        made_in="Parliament",
        language="es",
    )
    on_time = publish(dated, author=reviewer, editor=editor, rating="mostly-true", headline="Close, but 4.3%")
    # Fractions of a second with trailing zeros, which some JSON encoders shorten.
    moment = datetime(2026, 3, 1, 8, 0, 0, 120000, tzinfo=UTC)
    Verdict.objects.filter(pk=on_time.pk).update(
        published_at=moment,
        first_published_at=moment,
        updated_at=datetime(2026, 3, 1, 8, 0, 0, 5, tzinfo=UTC),
    )
    Claim.objects.filter(pk=dated.pk).update(updated_at=datetime(2026, 3, 1, 8, 0, 0, 500000, tzinfo=UTC))
    group = make_claim(
        text="Prices doubled.", speaker=make_speaker(name="Some traders", kind=SpeakerKind.GROUP, is_anonymous=True)
    )
    corrected = publish(group, author=reviewer, editor=editor, rating="false")
    services.verdict_correct(
        verdict=corrected,
        actor=editor,
        public_note="They rose by half.",
        changes={"rating": Rating.objects.get(slug="half-true")},
    )
    draft(make_claim(text="A draft without a rating."), author=reviewer)
    submit(make_claim(text="A claim in review.", speaker=make_speaker(name="Reviewed Speaker")), author=reviewer)


def rendered(serializer_class, instances, response) -> list[dict]:
    context = {"request": Request(response.wsgi_request)}
    data = serializer_class(instances, many=True, context=context).data
    return json.loads(JSONRenderer().render(data))


def compare_claims(client, params, *, statuses):
    response = client.get(f"{API}claims/", {"page_size": 200, **params})
    assert response.status_code == 200
    items = body(response)["results"]
    assert items, "nothing to compare"
    claims = []
    for item in items:
        claim = Claim.objects.select_related("speaker").get(pk=item["id"])
        claim.listed_verdict = Verdict.objects.select_related("rating").get(claim=claim, status__in=statuses)
        claims.append(claim)
    expected = rendered(ClaimSummarySerializer, claims, response)
    for item, serialized in zip(items, expected, strict=True):
        assert item == serialized


def compare_verdicts(client, params):
    response = client.get(f"{API}verdicts/", {"page_size": 200, **params})
    assert response.status_code == 200
    items = body(response)["results"]
    assert items, "nothing to compare"
    verdicts = [Verdict.objects.select_related("rating", "claim").get(pk=item["id"]) for item in items]
    expected = rendered(VerdictListSerializer, verdicts, response)
    for item, serialized in zip(items, expected, strict=True):
        assert item == serialized


@pytest.mark.parametrize("ordering", ["-published_at", "updated_at"])
def test_public_claims_list(client, variety, ordering):
    compare_claims(client, {"ordering": ordering}, statuses=[VerdictStatus.PUBLISHED])


def test_public_claims_list_when_filtered(client, variety):
    compare_claims(client, {"q": "Korea", "rating": "disputed,unverifiable,true"}, statuses=[VerdictStatus.PUBLISHED])


@pytest.mark.parametrize("status", ["draft", "in_review", "published"])
def test_desk_claims_list(variety, reviewer, status):
    compare_claims(
        token_client(reviewer), {"status": status, "ordering": "-updated_at"}, statuses=[VerdictStatus(status)]
    )


@pytest.mark.parametrize("ordering", ["-updated_at", "published_at"])
def test_public_verdicts_list(client, variety, ordering):
    compare_verdicts(client, {"ordering": ordering})


def test_public_verdicts_list_when_filtered(client, variety):
    compare_verdicts(client, {"status": "superseded"})
    compare_verdicts(client, {"q": "Prices"})


def test_desk_verdicts_list(variety, reviewer):
    desk = token_client(reviewer)
    compare_verdicts(desk, {})
    response = desk.get(f"{API}verdicts/?status=draft&status=in_review")
    assert {item["status"] for item in body(response)["results"]} == {"draft", "in_review"}
    compare_verdicts(desk, {"status": "draft"})
    compare_verdicts(desk, {"status": "in_review"})


def test_paged_lists_match_too(client, variety):
    """Items on later pages (reached through a cursor) are built the same way."""
    items = walk(client, f"{API}claims/", {"page_size": 2})
    first = client.get(f"{API}claims/", {"page_size": 200})
    assert items == body(first)["results"]
    verdicts = walk(client, f"{API}verdicts/", {"page_size": 3})
    assert verdicts == body(client.get(f"{API}verdicts/", {"page_size": 200}))["results"]
