"""The public never sees unpublished work: not in a list, a detail, a filter, a search or a page.

A desk with content in every workflow state is built through the services, each piece of
text carrying a unique marker word. Every list (every ordering, every filter, a search
for every marker, every page), every detail and every public page is then requested as
anonymous callers and users without a desk role see them, and no response may contain
an unpublished marker or refer to an unpublished object.
"""

import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.throttling import AnonRateThrottle

from claims import services
from claims.models import Evidence, Topic
from tests.api.helpers import (
    API,
    body,
    draft,
    get_json,
    ids,
    publish,
    rolled_back_at_the_end,
    submit,
    token_client,
    walk,
)
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker

pytestmark = pytest.mark.django_db

SECRET_MARKERS = [
    "zqdraftclaim",
    "zqdrafthead",
    "zqdraftexpl",
    "zqdraftnote",
    "zqdraftspeaker",
    "zqdraftsource",
    "zqdraftoutlet",
    "zqdrafttopic",
    "zqdraftquote",
    "zqdraftcited",
    "zqdraftevidence",
    "zqreviewclaim",
    "zqreviewhead",
    "zqreviewexpl",
    "zqreviewnote",
    "zqreviewspeaker",
    "zqreviewquote",
    "zqreturnedclaim",
    "zqreturnedhead",
    "zqreturncomment",
    "zqpublishednote",
    "zqsupersedednote",
    "zqcorrectionnote",
    "zqretractednote",
    "zqredrafthead",
    "zqredraftexpl",
    "zqredraftnote",
    "zqlonelyclaim",
    "zqlonelyspeaker",
    "zqlonelyquote",
    "zqretractedspeaker",
    # Who reviewed and approved is desk business too.
    "zqreviewer",
    "zqeditor",
]
PUBLIC_MARKERS = [
    "zqpublicclaim",
    "zqpublichead",
    "zqpublicexpl",
    "zqpublicspeaker",
    "zqpublicsource",
    "zqpublicoutlet",
    "zqpublictopic",
    "zqpublicquote",
    "zqpublicevidence",
    "zqcorrectedclaim",
    "zqcorrectionhead",
    "zqcorrectionpublicnote",
    "zqretractedclaim",
    "zqretractionpublicnote",
]
ORDERINGS = {
    "claims": ["-published_at", "published_at", "-updated_at", "updated_at"],
    "verdicts": ["-updated_at", "updated_at", "-published_at", "published_at"],
    "speakers": ["name", "-name", "-updated_at", "updated_at"],
    "sources": ["-id", "id", "-updated_at", "updated_at"],
    "publishers": ["name", "-name"],
    "topics": ["name", "-name"],
}
REFERENCE = re.compile(
    r"/api/v1/(claims|verdicts|speakers|sources|publishers|topics)/([^/?#\"\s]+)/|/fact-checks/(\d+)/"
)


def member(username: str, group: str | None, *, is_staff: bool = True):
    user = get_user_model().objects.create_user(username=username, password=username, is_staff=is_staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def build_desk():
    """Content in every workflow state, each text with its marker."""
    author = member("zqreviewer", "Reviewer")
    editor = member("zqeditor", "Editor")
    w = SimpleNamespace(author=author, editor=editor)

    # Published and public.
    w.public_outlet = make_publisher(name="zqpublicoutlet")
    w.public_source = make_source(title="zqpublicsource report", publisher=w.public_outlet)
    w.public_speaker = make_speaker(name="zqpublicspeaker", role="Minister")
    w.public_topic = Topic.objects.create(name="zqpublictopic", slug="zqpublictopic")
    w.public_claim = make_claim(
        text="zqpublicclaim the port handled nine million containers.", speaker=w.public_speaker
    )
    w.public_claim.topics.add(w.public_topic)
    make_appearance(w.public_claim, w.public_source, "zqpublicquote said the minister")
    w.published = publish(
        w.public_claim,
        author=author,
        editor=editor,
        headline="zqpublichead",
        explanation="zqpublicexpl",
        internal_notes="zqpublishednote",
    )
    Evidence.objects.create(verdict=w.published, source=w.public_source, note="zqpublicevidence")

    # Published, then corrected: both versions are public, internal notes are not.
    w.corrected_claim = make_claim(text="zqcorrectedclaim exports doubled.", speaker=w.public_speaker)
    make_appearance(w.corrected_claim, w.public_source, "exports doubled")
    w.original = publish(w.corrected_claim, author=author, editor=editor, internal_notes="zqsupersedednote")
    w.correction = services.verdict_correct(
        verdict=w.original,
        actor=editor,
        public_note="zqcorrectionpublicnote",
        changes={"headline": "zqcorrectionhead", "internal_notes": "zqcorrectionnote"},
    )

    # Published, then retracted, and now worked on again as a draft.
    w.retracted_speaker = make_speaker(name="zqretractedspeaker")
    w.retracted_claim = make_claim(text="zqretractedclaim the dam is failing.", speaker=w.retracted_speaker)
    w.retracted = publish(w.retracted_claim, author=author, editor=editor, internal_notes="zqretractednote")
    services.verdict_retract(verdict=w.retracted, actor=editor, public_note="zqretractionpublicnote")
    w.redraft = draft(
        w.retracted_claim,
        author=author,
        headline="zqredrafthead",
        explanation="zqredraftexpl",
        internal_notes="zqredraftnote",
    )

    # A draft with its own speaker, source, publisher, topic and cited source.
    w.draft_outlet = make_publisher(name="zqdraftoutlet")
    w.draft_source = make_source(title="zqdraftsource", publisher=w.draft_outlet)
    w.cited_source = make_source(title="zqdraftcited")
    w.draft_speaker = make_speaker(name="zqdraftspeaker")
    w.draft_topic = Topic.objects.create(name="zqdrafttopic", slug="zqdrafttopic")
    w.draft_claim = make_claim(text="zqdraftclaim the mine reopened.", speaker=w.draft_speaker)
    w.draft_claim.topics.add(w.draft_topic)
    make_appearance(w.draft_claim, w.draft_source, "zqdraftquote")
    w.draft = draft(
        w.draft_claim,
        author=author,
        rating="false",
        headline="zqdrafthead",
        explanation="zqdraftexpl",
        internal_notes="zqdraftnote",
    )
    Evidence.objects.create(verdict=w.draft, source=w.cited_source, note="zqdraftevidence")

    # In review, sharing the public source and topic.
    w.review_speaker = make_speaker(name="zqreviewspeaker")
    w.review_claim = make_claim(text="zqreviewclaim wages rose.", speaker=w.review_speaker)
    w.review_claim.topics.add(w.public_topic)
    make_appearance(w.review_claim, w.public_source, "zqreviewquote")
    w.in_review = submit(
        w.review_claim,
        author=author,
        headline="zqreviewhead",
        explanation="zqreviewexpl",
        internal_notes="zqreviewnote",
    )

    # Returned to its reviewer with a comment, by the public speaker.
    w.returned_claim = make_claim(text="zqreturnedclaim taxes fell.", speaker=w.public_speaker)
    w.returned = submit(w.returned_claim, author=author, headline="zqreturnedhead")
    w.returned = services.verdict_return(verdict=w.returned, actor=editor, comment="zqreturncomment")

    # No verdict at all.
    w.lonely_speaker = make_speaker(name="zqlonelyspeaker")
    w.lonely_claim = make_claim(text="zqlonelyclaim rain is coming.", speaker=w.lonely_speaker)
    make_appearance(w.lonely_claim, w.public_source, "zqlonelyquote")

    w.secret = {
        ("claims", str(pk)) for pk in (w.draft_claim.pk, w.review_claim.pk, w.returned_claim.pk, w.lonely_claim.pk)
    }
    w.secret |= {("verdicts", str(v.pk)) for v in (w.draft, w.in_review, w.returned, w.redraft)}
    w.secret |= {
        ("speakers", str(s.pk)) for s in (w.draft_speaker, w.review_speaker, w.lonely_speaker, w.retracted_speaker)
    }
    w.secret |= {("sources", str(w.draft_source.pk)), ("sources", str(w.cited_source.pk))}
    w.secret |= {("publishers", str(w.draft_outlet.pk)), ("topics", "zqdrafttopic")}
    w.public = {
        ("claims", str(w.public_claim.pk)),
        ("claims", str(w.corrected_claim.pk)),
        *(("verdicts", str(v.pk)) for v in (w.published, w.original, w.correction, w.retracted)),
        ("speakers", str(w.public_speaker.pk)),
        ("sources", str(w.public_source.pk)),
        ("publishers", str(w.public_outlet.pk)),
        ("topics", "zqpublictopic"),
    }
    return w


@pytest.fixture(scope="module")
def _desk(django_db_setup, django_db_blocker):
    with rolled_back_at_the_end(django_db_blocker):
        yield build_desk()


@pytest.fixture
def desk(_desk, db):
    return _desk


class Walker:
    """Requests pages as one caller and keeps what each response showed."""

    def __init__(self, client: Client):
        self.client = client
        self.shown: list[tuple[str, str]] = []  # (request, visible text)

    def get(self, url: str, params: dict | None = None, *, expect=(200,)):
        params = params or {}
        response = self.client.get(url, params)
        assert response.status_code in expect, (url, params, response.status_code, response.content[:300])
        self.record(f"{url} {params}", response, params)
        return response

    def record(self, request: str, response, params: dict):
        if response["Content-Type"].startswith("text/html"):
            text = response.content.decode()
        else:
            data = body(response) if response.content else {}
            if isinstance(data, dict):
                # Next and previous links repeat the caller's own parameters.
                data = {key: value for key, value in data.items() if key not in ("next", "previous")}
            text = json.dumps(data, ensure_ascii=False)
            if response.status_code >= 400:
                # An error may quote what the caller sent; that is not a leak.
                for value in params.values():
                    if not str(value).isdigit():
                        text = text.replace(str(value), "")
        self.shown.append((request, text))

    def walk(self, url: str, params: dict | None = None) -> list[dict]:
        params = params or {}
        response = self.get(url, params)
        data = body(response)
        items = list(data["results"])
        while data["next"]:
            response = self.client.get(data["next"])
            assert response.status_code == 200
            self.record(data["next"], response, {})
            data = body(response)
            items.extend(data["results"])
        return items

    def walk_feed(self, params: dict):
        response = self.get(f"{API}claim-reviews/", params)
        while "next" in response.get("Link", ""):
            next_url = re.search(r'<([^>]+)>; rel="next"', response["Link"]).group(1)
            response = self.client.get(next_url)
            assert response.status_code == 200
            self.record(next_url, response, {})


# Words the claims and verdicts search covers: claim text, appearance quotes, speaker names.
SEARCHABLE = [
    "zqdraftclaim",
    "zqdraftspeaker",
    "zqdraftquote",
    "zqreviewclaim",
    "zqreviewspeaker",
    "zqreviewquote",
    "zqreturnedclaim",
    "zqlonelyclaim",
    "zqlonelyspeaker",
    "zqlonelyquote",
    "zqretractedspeaker",
    "zqpublicclaim",
    "zqpublicspeaker",
    "zqpublicquote",
    "zqretractedclaim",
]


def visit_everything(walker: Walker, w) -> None:
    for endpoint, orderings in ORDERINGS.items():
        url = f"{API}{endpoint}/"
        walker.walk(url)
        for ordering in orderings:
            walker.walk(url, {"ordering": ordering, "page_size": 2})
        if endpoint in ("claims", "verdicts"):
            for marker in SEARCHABLE:
                walker.walk(url, {"q": marker})
        else:
            # Names and titles are matched as substrings: "zq" finds every marker at once.
            for term in ["zq", "zqdraft", "zqreview", "zqlonely", "zqretracted"]:
                walker.walk(url, {"q": term})
    for endpoint in ("claims", "verdicts"):
        url = f"{API}{endpoint}/"
        parameter = {"speakers": "speaker", "sources": "source", "publishers": "publisher", "topics": "topic"}
        for kind, key in sorted(w.secret | w.public):
            if kind in parameter:
                walker.get(url, {parameter[kind]: key}, expect=(200, 400))
            if kind == "claims" and endpoint == "verdicts":
                walker.walk(url, {"claim": key})
        walker.walk(url, {"rating": "false,true,mostly-false"})
        walker.walk(url, {"language": "en", "published_after": "2000-01-01T00:00:00Z"})
        walker.walk(url, {"updated_since": "2000-01-01T00:00:00Z", "page_size": 3})
    for status in ("published", "superseded", "retracted"):
        walker.walk(f"{API}verdicts/", {"status": status})
    walker.walk(f"{API}claims/", {"status": "published"})
    walker.get(f"{API}verdicts/?status=published&status=superseded&status=retracted")
    for params in ({}, {"page_size": 1}, {"ordering": "published_at"}, {"updated_since": "2000-01-01T00:00:00Z"}):
        walker.walk_feed(params)
    walker.get(f"{API}ratings/")
    visit_details(walker, w)


def visit_details(walker: Walker, w) -> None:
    for kind, key in sorted(w.secret):
        walker.get(f"{API}{kind}/{key}/", expect=(404,))
        if kind in ("claims", "verdicts"):
            walker.get(f"{API}{kind}/{key}/claim-review/", expect=(404,))
        if kind == "claims":
            walker.get(f"/fact-checks/{key}/", expect=(404,))
    for kind, key in sorted(w.public):
        walker.get(f"{API}{kind}/{key}/")
        if kind == "claims":
            walker.get(f"{API}{kind}/{key}/claim-review/")
            walker.get(f"/fact-checks/{key}/")
    # Public versions that are not (or no longer) the standing fact-check have no ClaimReview.
    for verdict in (w.original, w.retracted):
        walker.get(f"{API}verdicts/{verdict.pk}/claim-review/", expect=(404,))
    walker.get(f"{API}verdicts/{w.correction.pk}/claim-review/")
    walker.get(f"{API}claims/{w.retracted_claim.pk}/", expect=(404,))
    walker.get(f"{API}claims/{w.retracted_claim.pk}/claim-review/", expect=(404,))
    walker.get(f"/fact-checks/{w.retracted_claim.pk}/", expect=(404,))
    walker.get("/")


def visit_a_little(walker: Walker, w) -> None:
    """Every list once, a few searches, every detail: for callers who are checked more briefly."""
    for endpoint in ORDERINGS:
        walker.walk(f"{API}{endpoint}/")
    for marker in ["zqdraftclaim", "zqreviewspeaker", "zqlonelyquote"]:
        walker.walk(f"{API}claims/", {"q": marker})
        walker.walk(f"{API}verdicts/", {"q": marker})
    for endpoint in ["speakers", "sources", "publishers", "topics"]:
        walker.walk(f"{API}{endpoint}/", {"q": "zq"})
    walker.walk_feed({})
    visit_details(walker, w)


def references(text: str) -> set[tuple[str, str]]:
    return {("claims", fact) if fact else (kind, key) for kind, key, fact in REFERENCE.findall(text)}


def outsider_client_for(kind: str) -> Client:
    if kind == "anonymous":
        return Client()
    if kind == "token without staff":
        return token_client(member("reader", None, is_staff=False))
    if kind == "token of staff without a role":
        return token_client(member("olga", None))
    client = Client()
    client.force_login(member("olga", None))
    return client


@pytest.fixture(autouse=True)
def generous_anonymous_rate(monkeypatch):
    # This module makes more anonymous requests than the default rate allows in a minute.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})


@pytest.fixture(params=["anonymous", "token without staff", "token of staff without a role", "session without role"])
def outsider_client(request):
    return outsider_client_for(request.param)


def assert_nothing_unpublished(walker: Walker, w) -> None:
    everything = "\n".join(text for _, text in walker.shown)
    for marker in SECRET_MARKERS:
        leaks = [request for request, text in walker.shown if marker in text]
        assert not leaks, f"{marker} shown by {leaks[:5]}"
    for request, text in walker.shown:
        leaked = references(text) & w.secret
        assert not leaked, f"{request} refers to unpublished {sorted(leaked)}"
    # The walk is not vacuous: everything published was shown somewhere.
    for marker in PUBLIC_MARKERS:
        assert marker in everything, f"{marker} was never shown"
    assert w.public <= references(everything)


@pytest.mark.parametrize("caller", ["anonymous", "token of staff without a role"])
def test_nothing_unpublished_is_ever_shown(desk, caller):
    walker = Walker(outsider_client_for(caller))
    visit_everything(walker, desk)
    assert_nothing_unpublished(walker, desk)


@pytest.mark.parametrize("caller", ["token without staff", "session without role"])
def test_nothing_unpublished_is_shown_to_other_outsiders(desk, caller):
    walker = Walker(outsider_client_for(caller))
    visit_a_little(walker, desk)
    assert_nothing_unpublished(walker, desk)


def test_searching_finds_what_is_published(desk, client):
    assert ids(walk(client, f"{API}claims/", {"q": "zqpublicquote"})) == [desk.public_claim.pk]
    found = set(ids(walk(client, f"{API}claims/", {"q": "zqpublicspeaker"})))
    assert found == {desk.corrected_claim.pk, desk.public_claim.pk}
    assert walk(client, f"{API}claims/", {"q": "zqdraftclaim"}) == []
    assert [s["name"] for s in walk(client, f"{API}speakers/", {"q": "zq"})] == ["zqpublicspeaker"]
    assert [s["title"] for s in walk(client, f"{API}sources/", {"q": "zq"})] == ["zqpublicsource report"]
    assert [p["name"] for p in walk(client, f"{API}publishers/", {"q": "zq"})] == ["zqpublicoutlet"]
    assert [t["slug"] for t in walk(client, f"{API}topics/", {"q": "zq"})] == ["zqpublictopic"]


def test_unpublished_details_look_like_missing_ones(desk, client):
    for kind in ["claims", "verdicts", "speakers", "sources", "publishers"]:
        missing = get_json(client, f"{API}{kind}/999999/", status=404)
        for secret_kind, key in desk.secret:
            if secret_kind == kind:
                assert get_json(client, f"{API}{kind}/{key}/", status=404) == missing


def test_internal_is_null_for_everyone_outside_the_desk(desk, outsider_client):
    for verdict in [desk.published, desk.original, desk.correction, desk.retracted]:
        data = get_json(outsider_client, f"{API}verdicts/{verdict.pk}/")
        assert "internal" in data and data["internal"] is None
        if data["corrects"]:
            assert set(data["corrects"]).isdisjoint({"internal", "internal_notes", "reviewer", "editor"})
    for claim in [desk.public_claim, desk.corrected_claim]:
        data = get_json(outsider_client, f"{API}claims/{claim.pk}/")
        assert data["verdict"]["internal"] is None
        for earlier in data["earlier_verdicts"]:
            assert "internal" not in earlier


def test_outsiders_cannot_ask_for_unpublished_statuses(desk, outsider_client):
    for status in ["draft", "in_review"]:
        for endpoint in ["claims", "verdicts"]:
            data = get_json(
                outsider_client, f"{API}{endpoint}/", {"status": status, "ordering": "-updated_at"}, status=400
            )
            assert "status" in data["errors"] and data["detail"]
    data = get_json(outsider_client, f"{API}verdicts/?status=published&status=draft", status=400)
    assert "status" in data["errors"]


def test_filtering_by_an_unpublished_topic_tells_nothing(desk, client):
    """A topic only draft claims carry is not public: the filter must not reveal that it exists."""
    unpublished = client.get(f"{API}claims/", {"topic": "zqdrafttopic"})
    unknown = client.get(f"{API}claims/", {"topic": "zqnosuchtopic"})
    assert unpublished.status_code == unknown.status_code


class TestDeskMembers:
    def test_desk_lists_drafts_and_work_in_review(self, desk, reviewer):
        member_client = token_client(reviewer)
        drafts = walk(member_client, f"{API}claims/", {"status": "draft", "ordering": "-updated_at"})
        assert set(ids(drafts)) == {desk.draft_claim.pk, desk.returned_claim.pk, desk.retracted_claim.pk}
        assert {item["verdict"]["status"] for item in drafts} == {"draft"}
        in_review = walk(member_client, f"{API}claims/", {"status": "in_review", "ordering": "updated_at"})
        assert ids(in_review) == [desk.review_claim.pk]
        verdicts = walk(member_client, f"{API}verdicts/", {"status": "draft"})
        assert set(ids(verdicts)) == {desk.draft.pk, desk.returned.pk, desk.redraft.pk}
        searched = walk(
            member_client, f"{API}claims/", {"status": "draft", "q": "zqdraftclaim", "ordering": "-updated_at"}
        )
        assert ids(searched) == [desk.draft_claim.pk]

    def test_desk_sees_internal_notes_and_who_did_what(self, desk, editor):
        member_client = token_client(editor)
        data = get_json(member_client, f"{API}verdicts/{desk.draft.pk}/")
        assert data["internal"]["internal_notes"] == "zqdraftnote"
        assert data["internal"]["reviewer"] == "zqreviewer"
        returned = get_json(member_client, f"{API}verdicts/{desk.returned.pk}/")
        assert returned["internal"]["return_comment"] == "zqreturncomment"
        published = get_json(member_client, f"{API}verdicts/{desk.published.pk}/")
        assert published["internal"]["internal_notes"] == "zqpublishednote"
        assert published["internal"]["editor"] == "zqeditor"
        claim = get_json(member_client, f"{API}claims/{desk.draft_claim.pk}/")
        assert claim["verdict"]["internal"]["internal_notes"] == "zqdraftnote"

    def test_desk_session_login_works_like_a_token(self, desk, reviewer, client):
        client.force_login(reviewer)
        data = get_json(client, f"{API}verdicts/{desk.in_review.pk}/")
        assert data["internal"]["internal_notes"] == "zqreviewnote"

    def test_desk_sees_unpublished_speakers_sources_and_topics(self, desk, reviewer):
        member_client = token_client(reviewer)
        assert get_json(member_client, f"{API}speakers/{desk.draft_speaker.pk}/")["name"] == "zqdraftspeaker"
        assert get_json(member_client, f"{API}sources/{desk.draft_source.pk}/")["title"] == "zqdraftsource"
        assert get_json(member_client, f"{API}publishers/{desk.draft_outlet.pk}/")["name"] == "zqdraftoutlet"
        assert get_json(member_client, f"{API}topics/zqdrafttopic/")["name"] == "zqdrafttopic"

    def test_desk_never_gets_a_claim_review_for_unpublished_work(self, desk, reviewer):
        member_client = token_client(reviewer)
        get_json(member_client, f"{API}verdicts/{desk.draft.pk}/claim-review/", status=404)
        get_json(member_client, f"{API}claims/{desk.review_claim.pk}/claim-review/", status=404)
        feed = body(member_client.get(f"{API}claim-reviews/"))
        reviewed = {element["item"][0]["claimReviewed"] for element in feed["dataFeedElement"]}
        assert reviewed == {desk.public_claim.text, desk.corrected_claim.text}
