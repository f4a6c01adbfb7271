"""Filters, search, orderings and cursor pagination of the lists, and the 400s for bad parameters."""

import base64
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.utils.urls import replace_query_param

from claims import services
from claims.choices import SpeakerKind, Stance, VerdictStatus
from claims.models import Claim, Evidence, Rating, Speaker, Topic, Verdict
from factcheck.api.pagination import LINK_MARK, LINK_TEMPLATES, link_template
from sources.choices import SourceKind
from sources.models import Source
from tests.api.helpers import (
    API,
    PAGINATED_JSON_ENDPOINTS,
    body,
    get_json,
    ids,
    publish,
    rolled_back_at_the_end,
    token_client,
    walk,
)
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker, make_verdict

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def published(claim, rating, at, **fields):
    return make_verdict(
        claim, status=VerdictStatus.PUBLISHED, rating=Rating.objects.get(slug=rating), published_at=at, **fields
    )


def build_catalogue():
    """A small desk whose every filter has a known answer.

    Claims A-D are published (D as a correction), E's verdict is retracted, F is a draft.
    """
    c = SimpleNamespace()
    c.gazette = make_publisher(name="Harbour Gazette")
    c.radio = make_publisher(name="Radio Wren")
    c.hidden_outlet = make_publisher(name="Hidden Outlet")
    c.src1 = make_source(
        title="Harbour traffic report",
        publisher=c.gazette,
        url="https://example.org/harbour",
        published_on=date(2025, 3, 2),
    )
    c.src2 = make_source(
        title="Interview with Tobias Wren",
        publisher=c.radio,
        url="https://example.org/wren",
        kind=SourceKind.BROADCAST,
        language="fr",
        published_on=date(2025, 6, 16),
    )
    c.src3 = make_source(title="Ministry statement", kind=SourceKind.OFFICIAL_STATEMENT)
    c.src4 = make_source(
        title="Annual shipping review",
        publisher=c.gazette,
        url="https://example.org/review",
        kind=SourceKind.REPORT,
        published_on=date(2025, 1, 20),
    )
    c.src5 = make_source(title="Hidden memo", publisher=c.hidden_outlet)

    c.s1 = make_speaker(name="Marguerite Oyelaran", role="Port director")
    c.s2 = make_speaker(name="Tobias Wren", role="Economist")
    c.s3 = make_speaker(name="Unnamed dockers", kind=SpeakerKind.GROUP, is_anonymous=True)
    c.s4 = make_speaker(name="Hidden Person")

    c.economy = Topic.objects.create(name="Economy", slug="economy")
    c.ports = Topic.objects.create(name="Ports", slug="ports")
    c.secret_topic = Topic.objects.create(name="Secret things", slug="secret-things")

    c.a = make_claim(text="The harbour handled nine million containers.", speaker=c.s1, made_on=date(2025, 3, 1))
    c.b = make_claim(text="Wages rose faster than prices.", speaker=c.s2, made_on=date(2025, 6, 15), language="fr")
    c.c = make_claim(text="Night shifts were cancelled.", speaker=c.s3)
    c.d = make_claim(text="The new quay cost twice the budget.", speaker=c.s1, made_on=date(2025, 9, 30))
    c.e = make_claim(text="Fishing quotas were halved.", speaker=c.s2)
    c.f = make_claim(text="The lighthouse will close.", speaker=c.s4)
    c.a.topics.add(c.economy)
    c.b.topics.add(c.economy, c.ports)
    c.c.topics.add(c.ports)
    c.f.topics.add(c.secret_topic)
    make_appearance(c.a, c.src1, "our cranes never stopped")
    make_appearance(c.b, c.src2, "wages went up")
    make_appearance(c.c, c.src1, "no night shifts")
    make_appearance(c.c, c.src2, "the night is quiet")
    make_appearance(c.d, c.src3, "the quay was expensive")
    make_appearance(c.f, c.src5, "the lighthouse closes")

    c.va = published(c.a, "false", utc(2026, 1, 10, 10))
    c.vb = published(c.b, "true", utc(2026, 2, 10, 10))
    c.vc = published(c.c, "disputed", utc(2026, 3, 10, 10))
    c.vd0 = make_verdict(
        c.d, status=VerdictStatus.SUPERSEDED, rating=Rating.objects.get(slug="false"), published_at=utc(2026, 1, 5)
    )
    c.vd = published(
        c.d,
        "mostly-false",
        utc(2026, 4, 10, 10),
        supersedes=c.vd0,
        first_published_at=utc(2026, 1, 5),
        public_note="Corrected.",
    )
    c.ve = make_verdict(
        c.e,
        status=VerdictStatus.RETRACTED,
        rating=Rating.objects.get(slug="unverifiable"),
        published_at=utc(2026, 1, 20),
    )
    Evidence.objects.create(verdict=c.ve, source=c.src4, stance=Stance.CONTEXT)
    c.vf = make_verdict(c.f, status=VerdictStatus.DRAFT, rating=Rating.objects.get(slug="false"))

    # Distinct, known modification times, in an order different from publication.
    for claim, moment in [(c.a, 4), (c.b, 1), (c.c, 3), (c.d, 2), (c.e, 5), (c.f, 6)]:
        Claim.objects.filter(pk=claim.pk).update(updated_at=utc(2026, 5, moment))
    for verdict, moment in [(c.va, 6), (c.vb, 2), (c.vc, 4), (c.vd0, 1), (c.vd, 3), (c.ve, 5), (c.vf, 7)]:
        Verdict.objects.filter(pk=verdict.pk).update(updated_at=utc(2026, 5, moment))
    for speaker, moment in [(c.s1, 1), (c.s2, 2), (c.s3, 3), (c.s4, 4)]:
        Speaker.objects.filter(pk=speaker.pk).update(updated_at=utc(2026, 1, moment))
    for source, moment in [(c.src1, 3), (c.src2, 1), (c.src3, 4), (c.src4, 2), (c.src5, 5)]:
        Source.objects.filter(pk=source.pk).update(updated_at=utc(2026, 1, moment))
    return c


@pytest.fixture(scope="module")
def _catalogue(django_db_setup, django_db_blocker):
    with rolled_back_at_the_end(django_db_blocker):
        yield build_catalogue()


@pytest.fixture
def catalogue(_catalogue, db):
    return _catalogue


def claim_ids(client, **params) -> set[int]:
    return set(ids(walk(client, f"{API}claims/", params)))


def verdict_ids(client, **params) -> set[int]:
    return set(ids(walk(client, f"{API}verdicts/", params)))


class TestClaimFilters:
    def test_unfiltered(self, client, catalogue):
        c = catalogue
        assert claim_ids(client) == {c.a.pk, c.b.pk, c.c.pk, c.d.pk}

    @pytest.mark.parametrize(
        ("term", "expected"),
        [
            ("containers", "a"),  # claim text
            ("cranes", "a"),  # appearance quote
            ("Oyelaran", "ad"),  # speaker name
            ("Wren", "b"),  # speaker name (E is retracted)
            ("lighthouse", ""),  # only in the draft
            ("quotas", ""),  # only in the retracted claim
        ],
    )
    def test_search(self, client, catalogue, term, expected):
        assert claim_ids(client, q=term) == {getattr(catalogue, key).pk for key in expected}

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"rating": "false"}, "a"),
            ({"rating": "false,true"}, "ab"),
            ({"rating": "mostly-false"}, "d"),
            ({"rating": "disputed"}, "c"),
            ({"rating": "opinion"}, ""),
            ({"topic": "economy"}, "ab"),
            ({"topic": "ports"}, "bc"),
            ({"topic": "economy,ports"}, "abc"),
            ({"language": "fr"}, "b"),
            ({"language": "en"}, "acd"),
            ({"made_after": "2025-06-15"}, "bd"),
            ({"made_before": "2025-06-15"}, "ab"),
            ({"made_after": "2025-04-01", "made_before": "2025-12-31"}, "bd"),
            ({"published_after": "2026-02-10T10:00:00Z"}, "bcd"),
            ({"published_before": "2026-02-10T10:00:00Z"}, "a"),
            ({"published_after": "2026-02-01T00:00:00Z", "published_before": "2026-04-01T00:00:00Z"}, "bc"),
            ({"updated_since": "2026-05-03T00:00:00Z"}, "ac"),
            ({"rating": "false", "language": "en", "q": "harbour"}, "a"),
        ],
    )
    def test_filters(self, client, catalogue, params, expected):
        assert claim_ids(client, **params) == {getattr(catalogue, key).pk for key in expected}

    def test_filters_by_reference(self, client, catalogue):
        c = catalogue
        assert claim_ids(client, speaker=c.s1.pk) == {c.a.pk, c.d.pk}
        assert claim_ids(client, speaker=c.s2.pk) == {c.b.pk}
        assert claim_ids(client, speaker=c.s4.pk) == set()
        assert claim_ids(client, source=c.src1.pk) == {c.a.pk, c.c.pk}
        assert claim_ids(client, source=c.src2.pk) == {c.b.pk, c.c.pk}
        assert claim_ids(client, source=c.src3.pk) == {c.d.pk}
        assert claim_ids(client, source=c.src5.pk) == set()
        assert claim_ids(client, publisher=c.gazette.pk) == {c.a.pk, c.c.pk}
        assert claim_ids(client, publisher=c.radio.pk) == {c.b.pk, c.c.pk}
        assert claim_ids(client, speaker=c.s1.pk, rating="false") == {c.a.pk}


class TestVerdictFilters:
    def test_unfiltered_shows_every_public_version(self, client, catalogue):
        c = catalogue
        assert verdict_ids(client) == {c.va.pk, c.vb.pk, c.vc.pk, c.vd0.pk, c.vd.pk, c.ve.pk}

    def test_filters(self, client, catalogue):
        c = catalogue
        assert verdict_ids(client, claim=c.d.pk) == {c.vd0.pk, c.vd.pk}
        assert verdict_ids(client, claim=c.f.pk) == set()
        assert verdict_ids(client, status="superseded") == {c.vd0.pk}
        assert verdict_ids(client, status="retracted") == {c.ve.pk}
        assert set(ids(walk(client, f"{API}verdicts/?status=published&status=retracted"))) == {
            c.va.pk,
            c.vb.pk,
            c.vc.pk,
            c.vd.pk,
            c.ve.pk,
        }
        assert verdict_ids(client, rating="false") == {c.va.pk, c.vd0.pk}
        # E's verdict was retracted: E is no longer public, and neither is who said it.
        assert verdict_ids(client, speaker=c.s2.pk) == {c.vb.pk}
        assert verdict_ids(client, q="Wren") == {c.vb.pk}
        assert verdict_ids(client, q="quotas") == {c.ve.pk}  # its text still is
        assert verdict_ids(client, q="quay") == {c.vd0.pk, c.vd.pk}
        assert verdict_ids(client, topic="ports") == {c.vb.pk, c.vc.pk}
        assert verdict_ids(client, source=c.src1.pk) == {c.va.pk, c.vc.pk}
        assert verdict_ids(client, publisher=c.radio.pk) == {c.vb.pk, c.vc.pk}
        assert verdict_ids(client, language="fr") == {c.vb.pk}
        assert verdict_ids(client, published_after="2026-01-10T10:00:00Z", published_before="2026-03-01T00:00:00Z") == {
            c.va.pk,
            c.vb.pk,
            c.ve.pk,
        }
        assert verdict_ids(client, updated_since="2026-05-04T00:00:00Z") == {c.va.pk, c.vc.pk, c.ve.pk}


class TestOtherFilters:
    def test_speakers(self, client, catalogue):
        c = catalogue

        def names(**params):
            return [item["name"] for item in walk(client, f"{API}speakers/", params)]

        assert names() == ["Marguerite Oyelaran", "Tobias Wren", "Unnamed dockers"]
        assert names(q="wren") == ["Tobias Wren"]
        assert names(kind="group") == ["Unnamed dockers"]
        assert names(kind="person") == ["Marguerite Oyelaran", "Tobias Wren"]
        assert names(is_anonymous="true") == ["Unnamed dockers"]
        assert names(is_anonymous="false") == ["Marguerite Oyelaran", "Tobias Wren"]
        assert names(updated_since="2026-01-02T00:00:00Z") == ["Tobias Wren", "Unnamed dockers"]
        assert c.s4.name not in names(q="hidden")

    def test_sources(self, client, catalogue):
        c = catalogue

        def source_ids(**params):
            return set(ids(walk(client, f"{API}sources/", params)))

        # Source 4 is public because the retracted verdict cited it; source 5 only backs a draft.
        assert source_ids() == {c.src1.pk, c.src2.pk, c.src3.pk, c.src4.pk}
        assert source_ids(q="harbour") == {c.src1.pk}
        assert source_ids(web_url="https://example.org/wren") == {c.src2.pk}
        assert source_ids(publisher=c.gazette.pk) == {c.src1.pk, c.src4.pk}
        assert source_ids(kind="broadcast") == {c.src2.pk}
        assert source_ids(language="fr") == {c.src2.pk}
        assert source_ids(published_after="2025-03-02") == {c.src1.pk, c.src2.pk}
        assert source_ids(published_before="2025-03-02") == {c.src1.pk, c.src4.pk}
        assert source_ids(updated_since="2026-01-03T00:00:00Z") == {c.src1.pk, c.src3.pk}

    def test_publishers_and_topics(self, client, catalogue):
        assert [item["name"] for item in walk(client, f"{API}publishers/")] == ["Harbour Gazette", "Radio Wren"]
        assert [item["name"] for item in walk(client, f"{API}publishers/", {"q": "gaz"})] == ["Harbour Gazette"]
        assert [item["slug"] for item in walk(client, f"{API}topics/")] == ["economy", "ports"]
        assert [item["slug"] for item in walk(client, f"{API}topics/", {"q": "econ"})] == ["economy"]
        assert [item["slug"] for item in walk(client, f"{API}topics/", {"ordering": "-name"})] == ["ports", "economy"]

    def test_claim_review_feed_filters(self, client, catalogue):
        def reviewed(**params):
            feed = body(client.get(f"{API}claim-reviews/", params))
            return {element["item"][0]["claimReviewed"] for element in feed["dataFeedElement"]}

        c = catalogue
        assert reviewed() == {c.a.text, c.b.text, c.c.text, c.d.text}
        assert reviewed(published_after="2026-03-01T00:00:00Z") == {c.c.text, c.d.text}
        assert reviewed(published_before="2026-03-01T00:00:00Z") == {c.a.text, c.b.text}
        assert reviewed(updated_since="2026-05-04T00:00:00Z") == {c.a.text, c.c.text}


class TestOrderings:
    def test_claims(self, client, catalogue):
        c = catalogue

        def order(ordering):
            return ids(walk(client, f"{API}claims/", {"ordering": ordering}))

        assert ids(walk(client, f"{API}claims/")) == [c.d.pk, c.c.pk, c.b.pk, c.a.pk]
        assert order("-published_at") == [c.d.pk, c.c.pk, c.b.pk, c.a.pk]
        assert order("published_at") == [c.a.pk, c.b.pk, c.c.pk, c.d.pk]
        assert order("-updated_at") == [c.a.pk, c.c.pk, c.d.pk, c.b.pk]
        assert order("updated_at") == [c.b.pk, c.d.pk, c.c.pk, c.a.pk]

    def test_verdicts(self, client, catalogue):
        c = catalogue

        def order(ordering):
            return ids(walk(client, f"{API}verdicts/", {"ordering": ordering}))

        by_update = [c.va.pk, c.ve.pk, c.vc.pk, c.vd.pk, c.vb.pk, c.vd0.pk]
        by_publication = [c.vd.pk, c.vc.pk, c.vb.pk, c.ve.pk, c.va.pk, c.vd0.pk]
        assert ids(walk(client, f"{API}verdicts/")) == by_update
        assert order("-updated_at") == by_update
        assert order("updated_at") == by_update[::-1]
        assert order("-published_at") == by_publication
        assert order("published_at") == by_publication[::-1]

    def test_speakers_sources_publishers_topics(self, client, catalogue):
        c = catalogue

        def order(endpoint, ordering, key="id"):
            return ids(walk(client, f"{API}{endpoint}/", {"ordering": ordering}), key)

        assert order("speakers", "name") == [c.s1.pk, c.s2.pk, c.s3.pk]
        assert order("speakers", "-name") == [c.s3.pk, c.s2.pk, c.s1.pk]
        assert order("speakers", "updated_at") == [c.s1.pk, c.s2.pk, c.s3.pk]
        assert order("speakers", "-updated_at") == [c.s3.pk, c.s2.pk, c.s1.pk]
        public_sources = sorted([c.src1.pk, c.src2.pk, c.src3.pk, c.src4.pk])
        assert ids(walk(client, f"{API}sources/")) == public_sources[::-1]
        assert order("sources", "id") == public_sources
        assert order("sources", "-id") == public_sources[::-1]
        assert order("sources", "updated_at") == [c.src2.pk, c.src4.pk, c.src1.pk, c.src3.pk]
        assert order("sources", "-updated_at") == [c.src3.pk, c.src1.pk, c.src4.pk, c.src2.pk]
        assert order("publishers", "-name") == [c.radio.pk, c.gazette.pk]
        assert order("topics", "name", "slug") == ["economy", "ports"]

    def test_feed_ordering(self, client, catalogue):
        c = catalogue
        feed = body(client.get(f"{API}claim-reviews/", {"ordering": "published_at"}))
        assert [element["item"][0]["claimReviewed"] for element in feed["dataFeedElement"]] == [
            c.a.text,
            c.b.text,
            c.c.text,
            c.d.text,
        ]


ALL_ORDERINGS = {
    "claims": ["-published_at", "published_at", "-updated_at", "updated_at"],
    "verdicts": ["-updated_at", "updated_at", "-published_at", "published_at"],
    "speakers": ["name", "-name", "-updated_at", "updated_at"],
    "sources": ["-id", "id", "-updated_at", "updated_at"],
    "publishers": ["name", "-name"],
    "topics": ["name", "-name"],
}


class TestPagination:
    @pytest.mark.parametrize(
        ("endpoint", "ordering"), [(e, o) for e, orderings in ALL_ORDERINGS.items() for o in orderings]
    )
    def test_next_links_visit_every_item_once(self, client, catalogue, endpoint, ordering):
        key = "slug" if endpoint == "topics" else "id"
        everything = ids(
            get_json(client, f"{API}{endpoint}/", {"ordering": ordering, "page_size": 200})["results"], key
        )
        pages = []
        data = get_json(client, f"{API}{endpoint}/", {"ordering": ordering, "page_size": 2})
        while True:
            assert len(data["results"]) <= 2
            pages.append(ids(data["results"], key))
            if not data["next"]:
                break
            data = get_json(client, data["next"])
        visited = [item for page in pages for item in page]
        assert visited == everything
        assert len(set(visited)) == len(visited)
        assert len(pages) == (len(everything) + 1) // 2

    @pytest.mark.parametrize("ordering", ["-published_at", "published_at", "-updated_at", "updated_at"])
    def test_ties_are_neither_skipped_nor_repeated(self, client, ordering):
        moment = utc(2026, 6, 1, 12)
        claims = [make_claim(text=f"Tied claim {i}.") for i in range(7)]
        for claim in claims:
            published(claim, "false", moment)
        Claim.objects.filter(pk__in=[claim.pk for claim in claims]).update(updated_at=moment)
        visited = ids(walk(client, f"{API}claims/", {"ordering": ordering, "page_size": 2, "q": "Tied"}))
        assert sorted(visited) == sorted(claim.pk for claim in claims)

    @pytest.mark.parametrize(
        ("endpoint", "ordering"),
        [("claims", "-published_at"), ("claims", "updated_at"), ("verdicts", "-updated_at"), ("sources", "id")],
    )
    def test_previous_links_walk_back_through_the_same_pages(self, client, catalogue, endpoint, ordering):
        forward = [get_json(client, f"{API}{endpoint}/", {"ordering": ordering, "page_size": 2})]
        while forward[-1]["next"]:
            forward.append(get_json(client, forward[-1]["next"]))
        assert len(forward) >= 2
        backward = [forward[-1]]
        while backward[-1]["previous"]:
            backward.append(get_json(client, backward[-1]["previous"]))
        assert [ids(page["results"]) for page in backward] == [ids(page["results"]) for page in reversed(forward)]

    def test_previous_links_lead_back(self, client, catalogue):
        first = get_json(client, f"{API}claims/", {"page_size": 2})
        second = get_json(client, first["next"])
        assert second["previous"]
        back = get_json(client, second["previous"])
        assert ids(back["results"]) == ids(first["results"])

    def test_default_and_maximum_page_sizes(self, client):
        since = timezone.now().isoformat()
        claims = Claim.objects.bulk_create(Claim(text=f"Paged claim {i}.") for i in range(205))
        rating = Rating.objects.get(slug="false")
        Verdict.objects.bulk_create(
            Verdict(
                claim=claim,
                status=VerdictStatus.PUBLISHED,
                rating=rating,
                published_at=utc(2026, 1, 1) + timedelta(minutes=i),
                first_published_at=utc(2026, 1, 1) + timedelta(minutes=i),
            )
            for i, claim in enumerate(claims)
        )
        default = get_json(client, f"{API}claims/", {"updated_since": since})
        assert len(default["results"]) == 50 and default["next"]
        largest = get_json(client, f"{API}claims/", {"updated_since": since, "page_size": 200})
        assert len(largest["results"]) == 200 and largest["next"]
        assert len(get_json(client, largest["next"])["results"]) == 5
        feed = body(client.get(f"{API}claim-reviews/", {"updated_since": since}))
        assert len(feed["dataFeedElement"]) == 100
        everything = body(client.get(f"{API}claim-reviews/", {"updated_since": since, "page_size": 500}))
        assert len(everything["dataFeedElement"]) == 205


class TestFirstPageLinks:
    """A first page's next link is made from its address once (factcheck.api.pagination.LINK_TEMPLATES)."""

    @pytest.mark.parametrize(
        ("address", "usable"),
        [
            ("http://testserver/api/v1/claims/", True),
            ("http://testserver/api/v1/claims/?page_size=2", True),
            ("http://testserver/api/v1/claims/?q=caf%C3%A9+bar&page_size=2&ordering=-updated_at", True),
            ("http://testserver/api/v1/claims/?topic=a&topic=b&rating=&page_size=2", True),
            ("http://testserver/api/v1/claims/?q=a%26b%3Dc%2Bd&page_size=2", True),
            # The mark itself, plainly or encoded, in another parameter: no template is used.
            (f"http://testserver/api/v1/claims/?q={LINK_MARK}&page_size=2", False),
            (f"http://testserver/api/v1/claims/?q={LINK_MARK[:3]}%{ord(LINK_MARK[3]):X}{LINK_MARK[4:]}", False),
        ],
    )
    def test_the_link_is_drf_s_for_any_cursor(self, address, usable):
        template = link_template(address, "cursor")
        assert bool(template) is usable
        for value in ("eyJvIjoiLXB1Ymxpc2hlZF9hdCJ9", "A-_z09", "x"):
            expected = replace_query_param(address, "cursor", value)
            assert (template.replace(LINK_MARK, value) == expected) is usable

    def test_a_first_page_asked_again_links_as_the_first_time(self, client, catalogue):
        url = f"{API}claims/?page_size=1&ordering=-updated_at"
        LINK_TEMPLATES.values.clear()
        links = [get_json(client, url)["next"] for _ in range(3)]
        assert links[0] and links.count(links[0]) == 3
        value = parse_qs(urlsplit(links[0]).query)["cursor"][0]
        assert links[0] == replace_query_param(f"http://testserver{url}", "cursor", value)
        assert list(LINK_TEMPLATES.values) == [(f"http://testserver{url}", "cursor")]
        # A deeper page's links are made each time, not kept.
        get_json(client, links[0])
        assert len(LINK_TEMPLATES.values) == 1


class TestIncrementalSync:
    def test_updated_since_picks_up_a_verdict_published_later(self, client, reviewer, editor):
        earlier = publish(make_claim(text="Published before the sync."), author=reviewer, editor=editor)
        later_claim = make_claim(text="Published after the sync.")
        waiting = services.verdict_submit(
            verdict=services.verdict_save(
                verdict=Verdict(
                    claim=later_claim,
                    rating=Rating.objects.get(slug="half-true"),
                    headline="Half of it",
                    explanation="Some of it holds.",
                ),
                actor=reviewer,
            ),
            actor=reviewer,
        )
        since = timezone.now().isoformat()
        assert claim_ids(client, updated_since=since) == set()
        assert verdict_ids(client, updated_since=since) == set()

        later = services.verdict_publish(verdict=waiting, actor=editor)
        assert claim_ids(client, updated_since=since) == {later_claim.pk}
        assert verdict_ids(client, updated_since=since) == {later.pk}
        feed = body(client.get(f"{API}claim-reviews/", {"updated_since": since}))
        assert [element["item"][0]["claimReviewed"] for element in feed["dataFeedElement"]] == [later_claim.text]
        assert {earlier.claim_id, later_claim.pk} <= claim_ids(client)

    def test_updated_since_picks_up_corrections_and_retractions(self, client, reviewer, editor):
        corrected = publish(make_claim(text="To be corrected."), author=reviewer, editor=editor)
        retracted = publish(make_claim(text="To be retracted."), author=reviewer, editor=editor)
        untouched = publish(make_claim(text="Left alone."), author=reviewer, editor=editor)
        since = timezone.now().isoformat()

        correction = services.verdict_correct(verdict=corrected, actor=editor, public_note="Fixed a date.")
        services.verdict_retract(verdict=retracted, actor=editor, public_note="Withdrawn.")

        assert claim_ids(client, updated_since=since) == {corrected.claim_id}
        changed = {item["id"]: item["status"] for item in walk(client, f"{API}verdicts/", {"updated_since": since})}
        assert changed == {corrected.pk: "superseded", correction.pk: "published", retracted.pk: "retracted"}
        assert untouched.pk not in changed


def cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


BAD_PARAMETERS = [
    # ids
    ("claims", {"speaker": "abc"}),
    ("claims", {"speaker": "0"}),
    ("claims", {"speaker": "-3"}),
    ("claims", {"speaker": "1.5"}),
    ("claims", {"source": "x"}),
    ("claims", {"publisher": "first"}),
    ("verdicts", {"claim": "x"}),
    ("verdicts", {"speaker": "NaN"}),
    ("sources", {"publisher": "x"}),
    # dates and times
    ("claims", {"made_after": "2025-13-01"}),
    ("claims", {"made_before": "yesterday"}),
    ("claims", {"published_after": "2025-02-30T00:00:00Z"}),
    ("claims", {"published_before": "soon"}),
    ("claims", {"updated_since": "2025-01-01T25:00:00Z"}),
    ("verdicts", {"updated_since": "last week"}),
    ("verdicts", {"published_after": "2025-01-01T00:00:00+25:00"}),
    ("speakers", {"updated_since": "x"}),
    ("sources", {"published_after": "2025-01-01T00:00:00Z"}),
    ("sources", {"published_before": "2025-02-30"}),
    ("claim-reviews", {"updated_since": "x"}),
    ("claim-reviews", {"published_after": "x"}),
    # choices
    ("claims", {"status": "bogus"}),
    ("verdicts", {"status": "bogus"}),
    ("speakers", {"kind": "robot"}),
    ("speakers", {"is_anonymous": "maybe"}),
    ("sources", {"kind": "rumour"}),
    # slugs
    ("claims", {"rating": "nope"}),
    ("claims", {"rating": "false,nope"}),
    ("verdicts", {"rating": "nope"}),
    ("claims", {"topic": "nope"}),
    ("verdicts", {"topic": "economy,nope"}),
    # search terms
    *((endpoint, {"q": "x" * 201}) for endpoint in PAGINATED_JSON_ENDPOINTS),
    # page sizes
    *((endpoint, {"page_size": size}) for endpoint in PAGINATED_JSON_ENDPOINTS for size in ["0", "201", "x"]),
    ("claims", {"page_size": "-1"}),
    ("claims", {"page_size": "1.5"}),
    ("claims", {"page_size": ""}),
    ("claims", {"page_size": "²"}),
    ("claim-reviews", {"page_size": "0"}),
    ("claim-reviews", {"page_size": "501"}),
    # cursors
    ("claims", {"cursor": "garbage!"}),
    ("claims", {"cursor": "é"}),
    ("claims", {"cursor": "!!!"}),
    ("claims", {"cursor": cursor("o=-1")}),
    ("claims", {"cursor": cursor("r=x")}),
    ("claims", {"cursor": cursor("p=garbage")}),
    ("claims", {"cursor": cursor("p=garbage"), "ordering": "-updated_at"}),
    ("verdicts", {"cursor": cursor("p=garbage")}),
    ("speakers", {"cursor": cursor("p=garbage"), "ordering": "-updated_at"}),
    ("sources", {"cursor": cursor("p=garbage")}),
    ("claim-reviews", {"cursor": cursor("p=garbage")}),
    # orderings
    ("claims", {"ordering": "id"}),
    ("claims", {"ordering": "name"}),
    ("claims", {"ordering": ""}),
    ("verdicts", {"ordering": "-id"}),
    ("speakers", {"ordering": "published_at"}),
    ("sources", {"ordering": "title"}),
    ("publishers", {"ordering": "-updated_at"}),
    ("topics", {"ordering": "slug"}),
    ("claim-reviews", {"ordering": "-updated_at"}),
    # unknown parameters
    *((endpoint, {"search": "x"}) for endpoint in [*PAGINATED_JSON_ENDPOINTS, "ratings", "claim-reviews"]),
    ("ratings", {"page_size": "5"}),
    # Claims and verdicts come as JSON or CSV; other lists have one format and no such parameter.
    ("speakers", {"format": "json"}),
    ("claims", {"format": "xml"}),
    ("claims", {"limit": "5"}),
]


@pytest.fixture
def no_exception_raising(client):
    # A server error must show up as a failed assertion on its status, not as an exception.
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    ("endpoint", "params"),
    BAD_PARAMETERS,
    ids=[f"{endpoint}-{'-'.join(f'{k}={v[:12]}' for k, v in params.items())}" for endpoint, params in BAD_PARAMETERS],
)
def test_bad_parameters_are_400_with_a_json_message(no_exception_raising, endpoint, params):
    response = no_exception_raising.get(f"{API}{endpoint}/", params)
    assert response.status_code == 400, response.content[:300]
    # JSON (the feed answers in JSON-LD, which is JSON too).
    assert response["Content-Type"].split(";")[0] in ("application/json", "application/ld+json")
    data = body(response)
    assert isinstance(data["detail"], str) and data["detail"]
    assert set(data["errors"]) & set(params), data


def test_unknown_parameter_message_names_the_allowed_ones(client):
    data = get_json(client, f"{API}claims/", {"sort": "x"}, status=400)
    allowed = re.search(r"accepts: (.*)\.", data["errors"]["sort"][0]).group(1).split(", ")
    assert {"q", "rating", "speaker", "topic", "cursor", "page_size", "ordering", "updated_since"} <= set(allowed)
    detail = get_json(client, f"{API}ratings/false/", {"expand": "1"}, status=400)
    assert "expand" in detail["errors"]


def test_status_repeated_with_an_unpublished_one_is_refused(client):
    data = get_json(client, f"{API}verdicts/?status=published&status=in_review", status=403)
    assert "status" in data["errors"]


def test_asking_anonymously_for_an_unpublished_status_is_forbidden(no_exception_raising):
    # Well formed, but not the caller's to ask: 403, with the same JSON shape as a 400.
    response = no_exception_raising.get(f"{API}claims/", {"status": "superseded"})
    assert response.status_code == 403
    data = body(response)
    assert "desk members" in data["detail"] and "status" in data["errors"]


def test_desk_must_order_unpublished_claims_by_update(reviewer):
    data = get_json(token_client(reviewer), f"{API}claims/", {"status": "draft"}, status=400)
    assert "ordering" in data["errors"]


def test_q_of_200_characters_is_accepted(client):
    assert get_json(client, f"{API}claims/", {"q": "x" * 200})["results"] == []


OUT_OF_RANGE = [
    ("claims", {"speaker": "9" * 25}),
    ("claims", {"source": "9" * 25}),
    ("claims", {"publisher": "9" * 25}),
    ("verdicts", {"claim": "9" * 25}),
    ("sources", {"publisher": "9" * 25}),
    ("claims", {"updated_since": "9999-12-31T23:00:00-05:00"}),
    ("claims", {"published_after": "0001-01-01T00:00:00+05:00"}),
    ("verdicts", {"updated_since": "0001-01-01T00:00:00+05:00"}),
    ("speakers", {"updated_since": "9999-12-31T23:00:00-05:00"}),
    ("claim-reviews", {"updated_since": "9999-12-31T23:00:00-05:00"}),
]


@pytest.mark.parametrize(
    ("endpoint", "params"),
    OUT_OF_RANGE,
    ids=[f"{endpoint}-{'-'.join(f'{k}={v[:12]}' for k, v in params.items())}" for endpoint, params in OUT_OF_RANGE],
)
def test_values_out_of_range_are_never_a_server_error(no_exception_raising, endpoint, params):
    response = no_exception_raising.get(f"{API}{endpoint}/", params)
    assert response.status_code in (200, 400), response.content[:200]
    assert body(response)


@pytest.mark.parametrize("path", ["claims/{big}/", "verdicts/{big}/", "speakers/{big}/", "claims/{big}/claim-review/"])
def test_ids_out_of_range_are_not_found(no_exception_raising, path):
    response = no_exception_raising.get(f"{API}{path.format(big='9' * 25)}")
    assert response.status_code == 404
    assert body(response)["detail"]


@pytest.mark.parametrize("offset", ["+21:02", "-23:50", "+15:59"])
def test_times_with_offsets_iso_8601_allows_are_read(client, offset):
    # PostgreSQL keeps offsets up to ±15:59 only: the API compares in UTC.
    checked = [("claims", "updated_since"), ("verdicts", "published_after"), ("claim-reviews", "published_before")]
    for endpoint, name in checked:
        response = client.get(f"{API}{endpoint}/", {name: f"2024-05-02T09:00:00{offset}"})
        assert response.status_code == 200, (endpoint, response.content[:300])


def test_times_past_the_edges_of_the_calendar_in_utc_compare_as_the_edges(client, demo_data):
    # 0001-01-01T00:00+05:00 is in year 0 in UTC, 9999-12-31T23:00-05:00 in year 10000.
    everything = get_json(client, f"{API}claims/")["results"]
    assert everything
    after_the_start = get_json(client, f"{API}claims/", {"published_after": "0001-01-01T00:00:00+05:00"})
    assert after_the_start["results"] == everything
    assert get_json(client, f"{API}claims/", {"updated_since": "9999-12-31T23:00:00-05:00"})["results"] == []
