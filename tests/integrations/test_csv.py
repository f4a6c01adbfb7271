"""CSV of the claims and verdicts lists: the same rows, filters and ordering as JSON."""

import csv
import io

import pytest
from django.core.cache import cache

from claims.models import Rating, Topic
from integrations.csv_export import flatten
from tests.factories import make_claim, make_speaker, make_verdict

from .helpers import correct, published_fact_check, retract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(reviewer, editor):
    speaker = make_speaker("Igor Korotchenko", role="Editor")
    topic = Topic.objects.create(name="Artillery", slug="artillery")
    verdicts = []
    for n in range(7):
        verdict = published_fact_check(
            f"Claim number {n}.", reviewer=reviewer, editor=editor, speaker=speaker if n % 2 else None
        )
        if n % 3 == 0:
            verdict.claim.topics.add(topic)
        verdicts.append(verdict)
    correct(verdicts[1], editor=editor, rating=Rating.objects.get(slug="true"))
    retract(verdicts[2], editor=editor)
    make_verdict(make_claim('=HYPERLINK("http://evil.example") a draft'))
    return verdicts


def csv_rows(client, url, **params) -> list[dict]:
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def json_rows(client, url, **params) -> list[dict]:
    items, params = [], {**params, "page_size": 2}
    while url:
        page = client.get(url, params).json()
        items += page["results"]
        url, params = page["next"], {}
    return items


def as_cells(item: dict, header: list[str]) -> dict:
    """A JSON item as the CSV row it must equal: its flattened values under the CSV's columns."""

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    flat = flatten(item)
    # Every value the JSON item has is in some column (a null object has no columns of its own).
    assert {key for key, value in flat.items() if value is not None} <= set(header)
    return {column: cell(flat.get(column)) for column in header}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/claims/", {}),
        ("/api/v1/claims/", {"ordering": "updated_at"}),
        ("/api/v1/claims/", {"topic": "artillery"}),
        ("/api/v1/claims/", {"q": "number"}),
        ("/api/v1/verdicts/", {}),
        ("/api/v1/verdicts/", {"status": "retracted"}),
        ("/api/v1/verdicts/", {"rating": "true", "ordering": "published_at"}),
    ],
)
def test_csv_has_the_same_rows_as_json(client, desk, url, params):
    rows = csv_rows(client, url, **params)
    expected = [as_cells(item, list(rows[0])) for item in json_rows(client, url, **params)]
    assert expected, "the filter should select something"
    assert rows == expected


def test_csv_never_shows_drafts_and_has_a_header_when_empty(client, desk):
    response = client.get("/api/v1/claims/", {"format": "csv", "q": "HYPERLINK"})
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].startswith("id,url,text,speaker.id,speaker.url,speaker.name")
    assert len(text.splitlines()) == 1


def test_text_a_spreadsheet_would_run_is_escaped(client, reviewer, editor):
    published_fact_check("=1+1 is a formula", reviewer=reviewer, editor=editor)
    rows = csv_rows(client, "/api/v1/claims/")
    assert rows[0]["text"] == "'=1+1 is a formula"


def test_csv_pages_follow_the_json_pages(client, desk):
    first = client.get("/api/v1/claims/", {"format": "csv", "page_size": "2"})
    assert first.status_code == 200 and not first.streaming
    rows = list(csv.DictReader(io.StringIO(first.content.decode())))
    json_page = client.get("/api/v1/claims/", {"page_size": "2"}).json()
    assert [row["id"] for row in rows] == [str(item["id"]) for item in json_page["results"]]
    next_url = first["Link"].split(">", 1)[0].lstrip("<")
    assert "format=csv" in next_url and "cursor=" in next_url
    second = list(csv.DictReader(io.StringIO(client.get(next_url).content.decode())))
    json_next = client.get(json_page["next"]).json()
    assert [row["id"] for row in second] == [str(item["id"]) for item in json_next["results"]]
    bad = client.get("/api/v1/claims/", {"format": "csv", "cursor": "abc"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"


def test_csv_refuses_bad_filters_like_json(client, desk):
    response = client.get("/api/v1/verdicts/", {"format": "csv", "published_after": "yesterday"})
    assert response.status_code == 400
    assert client.get("/api/v1/verdicts/", {"format": "csv", "status": "draft"}).status_code == 403


def test_accept_header_asks_for_csv_too(client, desk):
    response = client.get("/api/v1/verdicts/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_a_detail_as_csv_is_one_row(client, desk):
    verdict = desk[0]
    response = client.get(f"/api/v1/verdicts/{verdict.pk}/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 and rows[0]["id"] == str(verdict.pk) and rows[0]["rating.slug"] == "false"
