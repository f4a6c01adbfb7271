"""Every endpoint of the read API answers with its documented shape; writes are refused;
the number of queries a list costs does not grow with the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Evidence, Rating
from tests.api.helpers import (
    API,
    LIST_ENDPOINTS,
    body,
    get_json,
    ids,
    publish,
    published_fact_checks,
    submit,
    token_client,
)
from tests.factories import make_appearance, make_claim, make_source, make_speaker

pytestmark = pytest.mark.django_db

ANCHOR_CLAIM = 13
ANCHOR_TEXT = "North Korea promised 100,000 volunteers to fight in Russia's invasion of Ukraine."
CORRECTED_CLAIM = 7

SPEAKER_BRIEF = {"id", "url", "name", "kind", "is_anonymous", "role"}
SPEAKER = SPEAKER_BRIEF | {"affiliation", "wikidata_id", "track_record", "updated_at"}
RATING_BRIEF = {"slug", "label", "value", "colour"}
RATING = RATING_BRIEF | {"url", "description", "position"}
VERDICT_SUMMARY = {"id", "url", "status", "headline", "rating", "published_at", "is_correction"}
VERDICT_LIST_ITEM = VERDICT_SUMMARY | {"claim", "updated_at"}
VERDICT_DETAIL = VERDICT_SUMMARY | {
    "explanation",
    "public_note",
    "first_published_at",
    "retracted_at",
    "evidence",
    "corrects",
    "corrected_by",
    "claim",
    "claim_review_url",
    "updated_at",
    "internal",
    "reviewed_by",
    "review_url",
    "original_rating",
}
EARLIER_VERDICT = VERDICT_SUMMARY | {"public_note", "retracted_at"}
INTERNAL = {"internal_notes", "return_comment", "reviewer", "editor", "submitted_at", "version"}
CLAIM_BRIEF = {"id", "url", "text"}
CLAIM_SUMMARY = {
    "id",
    "url",
    "text",
    "speaker",
    "made_on",
    "made_on_text",
    "made_in",
    "language",
    "verdict",
    "updated_at",
}
CLAIM_DETAIL = CLAIM_SUMMARY | {"topics", "appearances", "reviews", "earlier_verdicts", "retraction", "fact_check_url"}
REVIEW = VERDICT_SUMMARY | {"reviewed_by", "review_url", "original_rating"}
PUBLISHER_BRIEF = {"id", "url", "name"}
PUBLISHER = PUBLISHER_BRIEF | {"homepage", "updated_at"}
SOURCE_BRIEF = {"id", "url", "title", "web_url", "publisher", "kind", "published_on"}
SOURCE = SOURCE_BRIEF | {"byline", "language", "has_archive", "updated_at"}
TOPIC_BRIEF = {"slug", "name"}
TOPIC = TOPIC_BRIEF | {"url", "description"}
EVIDENCE = {"source", "stance", "quote", "note"}
APPEARANCE = {"quote", "attributed_to", "source"}


def assert_rating_brief(rating):
    assert set(rating) == RATING_BRIEF
    assert rating["colour"].startswith("#") and len(rating["colour"]) == 7


def assert_verdict_summary(verdict, keys=VERDICT_SUMMARY):
    assert set(verdict) == keys
    assert verdict["url"].endswith(f"{API}verdicts/{verdict['id']}/")
    assert_rating_brief(verdict["rating"])


def assert_source_brief(source):
    assert set(source) == SOURCE_BRIEF
    assert source["url"].endswith(f"{API}sources/{source['id']}/")
    if source["publisher"] is not None:
        assert set(source["publisher"]) == PUBLISHER_BRIEF


class TestListsOnDemoData:
    """The demo desk has four published fact-checks (one of them corrected) and one retraction."""

    def test_claims(self, client, demo_data):
        data = get_json(client, f"{API}claims/")
        assert set(data) == {"next", "previous", "results"}
        assert data["next"] is None and data["previous"] is None
        items = data["results"]
        assert sorted(ids(items)) == [1, 7, 11, 13]
        for item in items:
            assert set(item) == CLAIM_SUMMARY
            assert item["url"].endswith(f"{API}claims/{item['id']}/")
            assert item["speaker"] is None or set(item["speaker"]) == SPEAKER_BRIEF
            assert_verdict_summary(item["verdict"])
            assert item["verdict"]["status"] == "published"
        anchor = next(item for item in items if item["id"] == ANCHOR_CLAIM)
        assert anchor["text"] == ANCHOR_TEXT
        assert anchor["speaker"]["name"] == "Igor Korotchenko"
        assert anchor["speaker"]["role"] == "Russian talk show host"
        assert anchor["made_on"] is None and anchor["made_on_text"] == "August 5"
        assert anchor["made_in"] == "Russian state TV"
        assert anchor["verdict"]["rating"] == {
            "slug": "disputed",
            "label": "Disputed",
            "value": None,
            "colour": Rating.objects.get(slug="disputed").colour,
        }
        corrected = next(item for item in items if item["id"] == CORRECTED_CLAIM)
        assert corrected["speaker"] is None
        assert corrected["verdict"]["is_correction"] is True
        assert anchor["verdict"]["is_correction"] is False

    def test_verdicts(self, client, demo_data):
        items = get_json(client, f"{API}verdicts/")["results"]
        # Published, superseded and retracted verdicts; never the draft (6) or the one in review (7).
        assert sorted(ids(items)) == [1, 2, 3, 4, 5, 8]
        assert {item["status"] for item in items} == {"published", "superseded", "retracted"}
        for item in items:
            assert_verdict_summary(item, VERDICT_LIST_ITEM)
            assert set(item["claim"]) == CLAIM_BRIEF
            assert item["claim"]["url"].endswith(f"{API}claims/{item['claim']['id']}/")

    def test_speakers(self, client, demo_data):
        items = get_json(client, f"{API}speakers/")["results"]
        assert [item["name"] for item in items] == ["Frederick W. Kagan", "Igor Korotchenko", "US intelligence"]
        for item in items:
            assert set(item) == SPEAKER
            assert item["url"].endswith(f"{API}speakers/{item['id']}/")
        assert {item["name"]: item["track_record"] for item in items} == {
            "Frederick W. Kagan": {"opinion": 1},
            "Igor Korotchenko": {"disputed": 1},
            "US intelligence": {"unverifiable": 1},
        }

    def test_sources(self, client, demo_data):
        items = get_json(client, f"{API}sources/")["results"]
        assert len(items) == 2
        for item in items:
            assert set(item) == SOURCE
            assert_source_brief({key: item[key] for key in SOURCE_BRIEF})
            assert item["has_archive"] is True
        by_title = {item["title"]: item for item in items}
        post = by_title["Russia to buy rockets, artillery shells from North Korea: US intelligence"]
        assert post["publisher"]["name"] == "New York Post"
        assert by_title["Russia Buying Millions of Artillery Shells, Rockets from North Korea"]["publisher"] is None

    def test_publishers(self, client, demo_data):
        items = get_json(client, f"{API}publishers/")["results"]
        # The Times and AP are named by the articles but publish no source of the demo.
        assert [item["name"] for item in items] == ["New York Post"]
        assert set(items[0]) == PUBLISHER

    def test_topics(self, client, demo_data):
        items = get_json(client, f"{API}topics/")["results"]
        assert [item["slug"] for item in items] == [
            "arms-trade",
            "diplomacy",
            "donbas",
            "north-korea",
            "russia-ukraine-war",
        ]
        for item in items:
            assert set(item) == TOPIC
            assert item["url"].endswith(f"{API}topics/{item['slug']}/")

    def test_ratings_are_the_whole_scale_unpaginated(self, client, demo_data):
        items = get_json(client, f"{API}ratings/")
        assert isinstance(items, list)
        assert [item["slug"] for item in items] == [
            "true",
            "mostly-true",
            "half-true",
            "mostly-false",
            "false",
            "disputed",
            "unverifiable",
            "opinion",
            "unmapped",
        ]
        for item in items:
            assert set(item) == RATING
        assert [item["value"] for item in items] == [5, 4, 3, 2, 1, None, None, None, None]

    def test_claim_reviews_feed(self, client, demo_data):
        response = client.get(f"{API}claim-reviews/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/ld+json")
        feed = body(response)
        assert feed["@type"] == "DataFeed"
        reviewed = {element["item"][0]["claimReviewed"] for element in feed["dataFeedElement"]}
        assert len(reviewed) == 4
        assert ANCHOR_TEXT in reviewed

    @pytest.mark.parametrize("endpoint", ["claims", "verdicts", "speakers", "sources", "publishers", "topics"])
    def test_every_item_url_leads_to_its_detail(self, client, demo_data, endpoint):
        for item in get_json(client, f"{API}{endpoint}/")["results"]:
            detail = get_json(client, item["url"])
            key = "slug" if endpoint == "topics" else "id"
            assert detail[key] == item[key]


class TestDetailsOnDemoData:
    def test_anchor_claim_in_full(self, client, demo_data):
        claim = get_json(client, f"{API}claims/{ANCHOR_CLAIM}/")
        assert set(claim) == CLAIM_DETAIL
        assert claim["text"] == ANCHOR_TEXT
        assert claim["fact_check_url"].endswith(f"/fact-checks/{ANCHOR_CLAIM}/")
        assert {topic["slug"] for topic in claim["topics"]} == {"north-korea", "russia-ukraine-war"}
        assert all(set(topic) == TOPIC_BRIEF for topic in claim["topics"])

        [appearance] = claim["appearances"]
        assert set(appearance) == APPEARANCE
        assert "100,000" in appearance["quote"]
        assert appearance["attributed_to"] == "Russian talk show host Igor Korotchenko"
        assert_source_brief(appearance["source"])
        assert appearance["source"]["title"] == "Russia Buying Millions of Artillery Shells, Rockets from North Korea"

        [review] = claim["reviews"]
        assert set(review) == REVIEW
        assert (review["id"], review["reviewed_by"]) == (claim["verdict"]["id"], None)

        verdict = claim["verdict"]
        assert set(verdict) == VERDICT_DETAIL
        assert verdict["rating"]["slug"] == "disputed"
        assert verdict["internal"] is None
        # The desk's own verdict: no other fact-checker, no original rating.
        assert (verdict["reviewed_by"], verdict["review_url"], verdict["original_rating"]) == (None, "", "")
        assert verdict["claim_review_url"].endswith(f"{API}verdicts/{verdict['id']}/claim-review/")
        [evidence] = verdict["evidence"]
        assert set(evidence) == EVIDENCE
        assert evidence["stance"] == "contradicts"
        assert evidence["quote"] == "his claim was disputed by the Russian Foreign Ministry"
        assert_source_brief(evidence["source"])
        assert claim["earlier_verdicts"] == []

    def test_corrected_claim_shows_the_version_it_replaced(self, client, demo_data):
        claim = get_json(client, f"{API}claims/{CORRECTED_CLAIM}/")
        verdict = claim["verdict"]
        assert verdict["is_correction"] is True
        assert verdict["public_note"].startswith("Correction:")
        assert_verdict_summary(verdict["corrects"])
        assert verdict["corrects"]["status"] == "superseded"
        assert verdict["corrected_by"] is None
        assert len(verdict["evidence"]) == 2
        [earlier] = claim["earlier_verdicts"]
        assert set(earlier) == EARLIER_VERDICT
        assert earlier["id"] == verdict["corrects"]["id"]
        assert earlier["status"] == "superseded"

    def test_superseded_verdict_points_to_its_correction(self, client, demo_data):
        corrected = get_json(client, f"{API}claims/{CORRECTED_CLAIM}/")["verdict"]
        old = get_json(client, f"{API}verdicts/{corrected['corrects']['id']}/")
        assert set(old) == VERDICT_DETAIL
        assert old["status"] == "superseded"
        assert old["corrected_by"]["id"] == corrected["id"]
        assert old["claim_review_url"] is None
        assert old["internal"] is None

    def test_retracted_verdict_carries_its_note(self, client, demo_data):
        verdict = get_json(client, f"{API}verdicts/8/")
        assert verdict["status"] == "retracted"
        assert verdict["public_note"].startswith("Retraction:")
        assert verdict["retracted_at"] is not None
        assert verdict["claim_review_url"] is None

    def test_speaker_source_publisher_topic_rating(self, client, demo_data):
        speaker = get_json(client, f"{API}speakers/15/")
        assert set(speaker) == SPEAKER
        assert speaker["name"] == "Igor Korotchenko" and speaker["track_record"] == {"disputed": 1}
        source = get_json(client, f"{API}sources/1/")
        assert set(source) == SOURCE and source["publisher"]["name"] == "New York Post"
        publisher = get_json(client, f"{API}publishers/1/")
        assert set(publisher) == PUBLISHER and publisher["name"] == "New York Post"
        topic = get_json(client, f"{API}topics/north-korea/")
        assert set(topic) == TOPIC and topic["name"] == "North Korea"
        rating = get_json(client, f"{API}ratings/disputed/")
        assert set(rating) == RATING and rating["label"] == "Disputed" and rating["value"] is None

    def test_earlier_versions_keep_their_public_notes(self, client, reviewer, editor):
        claim = make_claim(text="The bridge was built in 1931.", speaker=make_speaker(name="A historian"))
        first = publish(claim, author=reviewer, editor=editor, rating="false")
        second = services.verdict_correct(verdict=first, actor=editor, public_note="First note: the date was 1932.")
        third = services.verdict_correct(
            verdict=second,
            actor=editor,
            public_note="Second note: rated mostly true.",
            changes={"rating": Rating.objects.get(slug="mostly-true")},
        )
        data = get_json(client, f"{API}claims/{claim.pk}/")
        assert data["verdict"]["id"] == third.pk
        assert data["verdict"]["public_note"] == "Second note: rated mostly true."
        assert data["verdict"]["rating"]["slug"] == "mostly-true"
        assert data["verdict"]["corrects"]["id"] == second.pk
        assert [(v["id"], v["status"], v["public_note"]) for v in data["earlier_verdicts"]] == [
            (second.pk, "superseded", "First note: the date was 1932."),
            (first.pk, "superseded", ""),
        ]

    def test_a_retraction_stays_on_record_when_the_claim_is_checked_again(self, client, reviewer, editor):
        claim = make_claim(text="The reservoir is full.")
        first = publish(claim, author=reviewer, editor=editor, rating="true")
        services.verdict_retract(verdict=first, actor=editor, public_note="Withdrawn: the gauge was broken.")
        withdrawn = get_json(client, f"{API}claims/{claim.pk}/")
        assert (withdrawn["verdict"], withdrawn["retraction"]["id"]) == (None, first.pk)
        second = publish(claim, author=reviewer, editor=editor, rating="mostly-false")
        data = get_json(client, f"{API}claims/{claim.pk}/")
        assert data["retraction"] is None
        assert data["verdict"]["id"] == second.pk
        assert data["verdict"]["is_correction"] is False and data["verdict"]["corrects"] is None
        [earlier] = data["earlier_verdicts"]
        assert earlier["id"] == first.pk
        assert earlier["status"] == "retracted"
        assert earlier["public_note"] == "Withdrawn: the gauge was broken."
        assert earlier["retracted_at"] is not None

    def test_track_record_counts_published_verdicts_only(self, client, reviewer, editor):
        speaker = make_speaker(name="Counted Speaker")
        for rating in ["false", "false", "true"]:
            publish(
                make_claim(text=f"A {rating} claim.", speaker=speaker), author=reviewer, editor=editor, rating=rating
            )
        corrected = publish(make_claim(text="Corrected.", speaker=speaker), author=reviewer, editor=editor)
        services.verdict_correct(
            verdict=corrected,
            actor=editor,
            public_note="Now half true.",
            changes={"rating": Rating.objects.get(slug="half-true")},
        )
        retracted = publish(make_claim(text="Retracted.", speaker=speaker), author=reviewer, editor=editor)
        services.verdict_retract(verdict=retracted, actor=editor, public_note="Withdrawn.")
        submit(make_claim(text="In review.", speaker=speaker), author=reviewer, rating="true")
        data = get_json(client, f"{API}speakers/{speaker.pk}/")
        assert data["track_record"] == {"false": 2, "true": 1, "half-true": 1}


def test_docs_and_schema_are_served(client):
    for path in ["/api/docs/", "/api/redoc/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert body(schema)["openapi"].startswith("3.")


def test_api_root_lists_the_endpoints(client):
    data = get_json(client, API)
    assert set(data) == set(LIST_ENDPOINTS)


@pytest.mark.parametrize(
    "path",
    [
        *(f"{endpoint}/" for endpoint in LIST_ENDPOINTS),
        "claims/13/",
        "verdicts/1/",
        "speakers/15/",
        "sources/1/",
        "publishers/1/",
        "topics/north-korea/",
        "ratings/disputed/",
        "claims/13/claim-review/",
        "verdicts/1/claim-review/",
    ],
)
def test_writes_are_refused(client, path):
    for method in ["post", "put", "patch", "delete"]:
        response = getattr(client, method)(f"{API}{path}", data={"text": "x"}, content_type="application/json")
        assert response.status_code == 405, (method, path)
        assert "read-only" in body(response)["detail"]


def test_writes_are_refused_to_desk_members_too(demo_data, editor):
    desk = token_client(editor)
    assert desk.delete(f"{API}claims/13/").status_code == 405
    assert desk.post(f"{API}claims/", data={"text": "x"}, content_type="application/json").status_code == 405
    assert get_json(desk, f"{API}claims/13/")["text"] == ANCHOR_TEXT


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    data = body(response)
    if isinstance(data, list):
        return len(queries), len(data)
    if "dataFeedElement" in data:
        return len(queries), len(data["dataFeedElement"])
    return len(queries), len(data["results"])


def _grow_scale(n):
    start = Rating.objects.count()
    for i in range(start, start + n):
        Rating.objects.create(slug=f"extra-{i}", label=f"Extra {i}", colour="#123456", position=100 + i)


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_query_count_does_not_grow_with_the_page(client, endpoint):
    url = f"{API}{endpoint}/"
    published_fact_checks(3, prefix="small")
    _grow_scale(3)
    client.get(url)  # anything a first request loads once per process
    small_queries, small_items = _count_queries(client, url)

    published_fact_checks(9, prefix="large")
    _grow_scale(9)
    large_queries, large_items = _count_queries(client, url)

    assert large_items == small_items + 9
    assert large_queries == small_queries


@pytest.mark.parametrize("endpoint", ["claims", "verdicts", "speakers", "sources"])
def test_query_count_does_not_grow_with_the_page_for_desk_members(reviewer, endpoint):
    desk = token_client(reviewer)
    url = f"{API}{endpoint}/"
    published_fact_checks(3, prefix="small")
    desk.get(url)
    small_queries, small_items = _count_queries(desk, url)
    published_fact_checks(9, prefix="large")
    large_queries, large_items = _count_queries(desk, url)
    assert large_items == small_items + 9
    assert large_queries == small_queries


@pytest.mark.parametrize("path", ["claims/{claim}/", "verdicts/{verdict}/", "claims/{claim}/claim-review/"])
def test_query_count_of_details_does_not_grow_with_nested_lists(client, path):
    def detail_queries(verdict):
        url = f"{API}{path.format(claim=verdict.claim_id, verdict=verdict.pk)}"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    [few, many] = published_fact_checks(2, prefix="nested")
    for i in range(6):
        source = make_source(title=f"extra source {i}")
        make_appearance(many.claim, source, f"extra quote {i}")
        Evidence.objects.create(verdict=many, source=source, note=f"extra note {i}")
    detail_queries(few)
    assert detail_queries(many) == detail_queries(few)


def _filter_values(verdict) -> dict[str, str]:
    """A value for each list filter that finds ``verdict`` (published_fact_checks' data)."""
    claim = verdict.claim
    appearance = claim.appearances.select_related("source").get()
    return {
        "rating": "false,true",
        "topic": claim.topics.get().slug,
        "speaker": str(claim.speaker_id),
        "source": str(appearance.source_id),
        "publisher": str(appearance.source.publisher_id),
        "language": claim.language,
        "q": claim.text.split()[0],
        "published_after": "2000-01-01T00:00:00Z",
        "made_after": "2000-01-01",
        "updated_since": "2000-01-01T00:00:00Z",
    }


@pytest.mark.parametrize("endpoint", ["claims", "verdicts"])
@pytest.mark.parametrize(
    "parameter",
    ["rating", "topic", "speaker", "source", "publisher", "language", "q", "published_after", "updated_since"],
)
def test_a_filtered_list_is_one_statement_on_postgresql(client, endpoint, parameter):
    # Slugs are checked and the public record's version read by the page's own statement.
    [verdict] = published_fact_checks(1, prefix="filtered")
    value = _filter_values(verdict)[parameter]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}{endpoint}/", {parameter: value})
    assert response.status_code == 200, response.content[:300]
    found = [item["id"] for item in body(response)["results"]]
    assert (verdict.claim_id if endpoint == "claims" else verdict.pk) in found
    # Elsewhere the version is read first and each slug filter checks its slugs first.
    expected = 1 if connection.vendor == "postgresql" else 2 + (parameter in ("rating", "topic"))
    assert len(queries) == expected, [query["sql"] for query in queries]


@pytest.mark.parametrize(("parameter", "value"), [("rating", "false,nope"), ("topic", "nope")])
def test_an_unknown_slug_is_a_400_in_one_statement_on_postgresql(client, parameter, value):
    published_fact_checks(1, prefix="unknown")
    for _ in range(2):  # the second time with the list's SQL compiled already
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}claims/", {parameter: value})
        assert response.status_code == 400
        assert body(response)["errors"][parameter] == [f"Unknown {parameter}: nope."]
        assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
