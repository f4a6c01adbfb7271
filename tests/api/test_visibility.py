"""The public never sees unpublished work: not in a list, a detail, a filter, a search, a page or a header.

A desk with content in every workflow state (tests/api/workflow_states.py) is walked as the
API's own OpenAPI schema describes it (tests/api/public_walk.py): every GET operation, every
query parameter with every value that matters (each ordering with one item per page,
followed forwards and back; each filter with the ids, slugs, words, dates and languages of
published and of unpublished work; each enum value; the largest page), every detail with
and without a format suffix, every ClaimReview, and the public HTML pages. It is walked
anonymously and as every kind of signed-in user outside the desk, and:

- no response, header or cursor holds a word of unpublished text, an internal note, a
  return comment, or who reviewed or edited;
- nothing links to an unpublished object; every unpublished detail is 404 and answers
  exactly as a missing one does;
- filtering by an unpublished object answers exactly as filtering by nothing does;
- adding more unpublished work changes no byte and no header of any public response;
- everyone outside the desk gets exactly what an anonymous caller gets;
- the walk covered every documented operation, parameter, enum value and URL route.

Desk members are allowed to see work in progress; the tests at the end hold that they still can.
"""

import copy
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from rest_framework.throttling import AnonRateThrottle

from claims import services
from claims.choices import VerdictStatus
from claims.models import Claim
from tests.api.helpers import API, body, get_json, ids, rolled_back_at_the_end, token_client, walk
from tests.api.public_walk import (
    COMPARED_HEADERS,
    FULL,
    MISSING_ID,
    Scope,
    Walker,
    coverage_gaps,
    json_keys,
    normalised,
    operations,
    plan,
    references,
    results,
    shown_text,
)
from tests.api.workflow_states import PUBLIC, SECRET, WITHDRAWN, add_unpublished_work, build_desk, member, statuses_of

pytestmark = pytest.mark.django_db

# Only desk members may list work in progress: everyone else is refused (403: a well-formed
# request they may not make), whatever exists.
REFUSED = {"status": {VerdictStatus.DRAFT.value, VerdictStatus.IN_REVIEW.value}, "unpublished": {"true"}}
REFUSAL = 403
# Keys that belong to the desk's side of a verdict; "internal" is there for everyone, null for outsiders.
INTERNAL_KEYS = {"internal_notes", "return_comment", "reviewer", "editor", "assigned_to", "submitted_at", "email"}

CALLERS = [
    "anonymous",
    "token without staff",
    "token of a reviewer no longer staff",
    "token of staff without a role",
    "session of staff without a role",
]


@pytest.fixture(scope="module")
def _desk(django_db_setup, django_db_blocker):
    with rolled_back_at_the_end(django_db_blocker):
        yield build_desk()


@pytest.fixture
def desk(_desk, db):
    return _desk


@pytest.fixture(scope="module")
def schema_operations(django_db_setup, django_db_blocker):
    with rolled_back_at_the_end(django_db_blocker):
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return operations(json.loads(response.content))


@pytest.fixture(autouse=True)
def generous_anonymous_rate(monkeypatch):
    # The walk makes far more anonymous requests than the default rate allows in a minute.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})


def outsider_client_for(caller: str) -> Client:
    if caller == "anonymous":
        return Client()
    if caller == "token without staff":
        return token_client(member("reader", None, is_staff=False))
    if caller == "token of a reviewer no longer staff":
        # Still in the Reviewer group, but no longer staff: no longer the desk.
        return token_client(member("formerreviewer", "Reviewer", is_staff=False))
    if caller == "token of staff without a role":
        return token_client(member("olga", None))
    client = Client()
    client.force_login(member("oscar", None))
    return client


@pytest.fixture(scope="module")
def _walks():
    return {}


@pytest.fixture
def anonymous_walk(desk, schema_operations, _walks) -> Walker:
    """The anonymous walk of the module's desk, made once: the desk is the same in every test."""
    if "anonymous" not in _walks:
        _walks["anonymous"] = Walker(Client()).run(plan(schema_operations, desk, refused=REFUSED, refusal=REFUSAL))
    return _walks["anonymous"]


def problems_in(walker: Walker, desk) -> list[str]:
    """Everything in a walk that shows or betrays unpublished material."""
    problems = []
    secret_markers = [marker for marker, public in desk.markers.items() if not public]
    secret_keys = {(kind, key) for kind, keys in desk.keys.items() for key, v in keys.items() if v == SECRET}
    for seen in walker.seen:
        where = f"{seen.url} ({seen.status})"
        if seen.status not in seen.request.expect:
            problems.append(f"{where}: expected {sorted(seen.request.expect)}: {seen.content[:200]!r}")
        text = shown_text(seen)
        problems += [f"{where} shows {marker!r}" for marker in secret_markers if marker in text]
        problems += [f"{where} links to unpublished {kind} {key}" for kind, key in references(text) & secret_keys]
        for key, value in json_keys(seen.data()):
            if key in INTERNAL_KEYS or (key == "internal" and value is not None):
                problems.append(f"{where} has {key!r}: {value!r}")
    for request, seen in walker.first.items():
        if request.like is not None and seen.status in request.expect:
            nothing = walker.first[request.like]
            if normalised(seen) != normalised(nothing):
                problems.append(
                    f"{seen.url} answers {normalised(seen)[1][:300]} where {nothing.url}, which names nothing, "
                    f"answers {normalised(nothing)[1][:300]}"
                )
        if request.empty and seen.status == 200 and results(seen):
            problems.append(f"{seen.url} lists {json.dumps(results(seen))[:300]}: only unpublished work has that")
    return problems


def differences(walked: Walker, reference: Walker, limit: int = 25) -> list[str]:
    """Where two walks got different answers to the same request (body or compared headers)."""
    answers = {seen.url: seen for seen in reference.seen}
    found = []
    for seen in walked.seen:
        other = answers.get(seen.url)
        if other is None:
            found.append(f"{seen.url} was asked by one walk only")
        elif (seen.status, seen.content, seen.headers) != (other.status, other.content, other.headers):
            changed = [name for name in COMPARED_HEADERS if seen.headers.get(name) != other.headers.get(name)]
            found.append(
                f"{seen.url}: {seen.status} {seen.content[:300]!r} {changed or ''} against "
                f"{other.status} {other.content[:300]!r}"
            )
        if len(found) >= limit:
            break
    return found


def test_the_desk_has_every_workflow_state_and_kind_of_content(desk):
    assert statuses_of(desk) == {
        "draft",
        "returned",
        "in_review",
        "published",
        "superseded",
        "retracted",
        "imported published",
        "imported retracted",
    }
    for kind in ["claims", "verdicts", "speakers", "sources", "publishers", "topics"]:
        assert {PUBLIC, SECRET} <= set(desk.keys[kind].values()), kind
    assert WITHDRAWN in desk.keys["claims"].values()


def test_the_walk_covers_every_operation_parameter_and_route(anonymous_walk, schema_operations):
    assert len(schema_operations) >= 17
    gaps = coverage_gaps(schema_operations, anonymous_walk)
    assert not gaps, "\n".join(gaps)


def test_nothing_unpublished_is_shown_to_anonymous_callers(desk, anonymous_walk):
    problems = problems_in(anonymous_walk, desk)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_everything_published_is_shown(desk, anonymous_walk):
    """The walk is not vacuous: every public word and object was shown, and withdrawn claims are still named."""
    everything = "\n".join(shown_text(seen) for seen in anonymous_walk.seen if seen.status == 200)
    missing = [marker for marker, public in desk.markers.items() if public and marker not in everything]
    assert not missing, missing
    shown = references(everything)
    for kind, keys in desk.keys.items():
        for key, visibility in keys.items():
            if visibility in (PUBLIC, WITHDRAWN):
                assert (kind, key) in shown, (kind, key, visibility)


# A signed-in user without staff status gets the whole walk; the others a thinner one (every
# operation, parameter, enum value, ordering and page, and one value of each kind per filter).
SCOPES = {"token without staff": FULL}


@pytest.mark.parametrize("caller", CALLERS[1:])
def test_outsiders_get_exactly_what_anonymous_callers_get(desk, schema_operations, anonymous_walk, caller):
    scope = SCOPES.get(caller, Scope(thin=True))
    requests = plan(schema_operations, desk, refused=REFUSED, refusal=REFUSAL, scope=scope)
    walked = Walker(outsider_client_for(caller)).run(requests)
    problems = problems_in(walked, desk)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
    found = differences(walked, anonymous_walk)
    assert not found, "\n".join(found)


def test_more_unpublished_work_changes_nothing_the_public_sees(desk, schema_operations):
    """Every response, byte for byte and header for header, is the same with and without the extra work.

    The extra work is added in a block that is then rolled back: the same requests (naming
    its ids, words and dates) are made while it exists and after it is gone.
    """
    with transaction.atomic():
        more = copy.deepcopy(desk)
        add_unpublished_work(more, "zx", withdrawn_claim=more.imported_retracted_claim)
        more.finish()
        # Every list, page and detail, and each filter with the ids, words and moments of the new work.
        requests = plan(schema_operations, more, refused=REFUSED, refusal=REFUSAL, scope=Scope(new_since=desk))
        with_work = Walker(Client()).run(requests)
        transaction.set_rollback(True)
    without_work = Walker(Client()).run(requests)
    assert any(marker.startswith("zx") for marker in more.markers)
    found = differences(with_work, without_work)
    assert not found, f"{len(found)} responses differ:\n" + "\n".join(found)


# Each way unpublished material has been seen to leak, on its own --------------------------

WITHDRAWN_ONLY = {
    # parameter: what only the withdrawn claim carries (its retracted verdict is public; these are not)
    "speaker": lambda desk: desk.retracted_speaker.pk,
    "source": lambda desk: desk.retracted_source.pk,
    "publisher": lambda desk: desk.retracted_outlet.pk,
    "language": lambda desk: desk.retracted_claim.language,
    "q": lambda desk: "zqretractedspeaker",
}


@pytest.mark.parametrize("parameter", WITHDRAWN_ONLY)
def test_verdicts_are_not_found_by_what_only_a_withdrawn_claim_carries(desk, client, parameter):
    """A retracted verdict stays public; its claim's speaker, sources, language and quotes do not.

    The speaker, source and publisher details are 404 and no list names them, so finding the
    retracted verdict by them tells the public what it may no longer see.
    """
    value = WITHDRAWN_ONLY[parameter](desk)
    get_json(client, f"{API}verdicts/{desk.retracted.pk}/")
    if parameter in ("speaker", "source", "publisher"):
        get_json(client, f"{API}{parameter}s/{value}/", status=404)
    found = ids(walk(client, f"{API}verdicts/", {parameter: value}))
    nothing = ids(walk(client, f"{API}verdicts/", {parameter: MISSING_ID if parameter != "q" else "zqnosuchword"}))
    assert found == nothing == []


@pytest.mark.parametrize("hidden", ["zqretractedspeaker", "zqretractedquote", "zqredraftquote"])
def test_excluding_what_only_a_withdrawn_claim_carries_excludes_nothing(desk, client, hidden):
    """Searching "-word" must not rule the retracted verdict out for a word the public cannot see.

    (On PostgreSQL the public text still finds it; elsewhere the search is a substring, and both find nothing.)
    """
    found = ids(walk(client, f"{API}verdicts/", {"q": f"zqretractedclaim -{hidden}"}))
    nothing = ids(walk(client, f"{API}verdicts/", {"q": "zqretractedclaim -zqnosuchword"}))
    assert found == nothing
    if connection.vendor == "postgresql":
        assert nothing == [desk.retracted.pk]


def test_verdicts_are_not_found_by_a_quote_added_to_a_withdrawn_claim(desk, client):
    """The withdrawn claim is being checked again: its new quote is work in progress."""
    assert ids(walk(client, f"{API}verdicts/", {"q": "zqredraftquote"})) == []


def test_verdicts_are_not_found_by_a_topic_only_a_withdrawn_claim_carries(desk, client):
    """The public topic is public; that the retracted claim was tagged with it is not (its detail shows no topics)."""
    found = ids(walk(client, f"{API}verdicts/", {"topic": desk.public_topic.slug}))
    assert desk.published.pk in found
    assert desk.retracted.pk not in found


def assign_in_the_claim_form(claim, *, actor, reviewer):
    form_copy = Claim.objects.get(pk=claim.pk)
    form_copy.assigned_to = reviewer
    services.claim_save(claim=form_copy, actor=actor)


@pytest.mark.parametrize("assign", [services.claim_assign, assign_in_the_claim_form])
def test_assigning_a_published_claim_to_a_reviewer_changes_nothing_public(desk, client, editor, assign):
    """Who has a claim in their queue is desk business; the public record of the claim did not change."""
    url = f"{API}claims/{desk.public_claim.pk}/"
    before = client.get(url)
    since = get_json(client, url)["updated_at"]
    assign(claim=desk.public_claim, actor=editor, reviewer=editor)
    after = client.get(url)
    assert (after.content, after["Last-Modified"], after["ETag"]) == (
        before.content,
        before["Last-Modified"],
        before["ETag"],
    )
    newer = walk(client, f"{API}claims/", {"updated_since": since, "ordering": "updated_at"})
    assert desk.public_claim.pk in ids(newer)  # its own last public change, at "since"
    later = walk(client, f"{API}claims/", {"updated_since": after_moment(since), "ordering": "updated_at"})
    assert desk.public_claim.pk not in ids(later)
    # An edit the public sees still moves it.
    edited = Claim.objects.get(pk=desk.public_claim.pk)
    edited.made_in = "zqpublicplace, on the radio"
    services.claim_save(claim=edited, actor=editor)
    assert get_json(client, url)["updated_at"] > since


def after_moment(iso: str) -> str:
    """A moment one microsecond after ``iso``."""
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(iso) + timedelta(microseconds=1)).isoformat()


def test_options_tells_nothing_of_unpublished_objects(desk, client, schema_operations):
    for operation in schema_operations:
        if operation.is_list:
            continue
        missing = client.options(operation.fill(MISSING_ID if operation.path_parameter == "id" else "zqnosuchslug"))
        for key, visibility in desk.keys[operation.kind].items():
            if visibility != PUBLIC:
                response = client.options(operation.fill(key))
                assert (response.status_code, response.content) == (missing.status_code, missing.content), key


# What the existing rules promise, stated directly ------------------------------------------


def test_searching_finds_what_is_published(desk, client):
    assert ids(walk(client, f"{API}claims/", {"q": "zqpublicquote"})) == [desk.public_claim.pk]
    found = set(ids(walk(client, f"{API}claims/", {"q": "zqpublicspeaker"})))
    assert found == {desk.corrected_claim.pk, desk.public_claim.pk}
    assert walk(client, f"{API}claims/", {"q": "zqdraftclaim"}) == []
    names = {s["name"] for s in walk(client, f"{API}speakers/", {"q": "zq"})}
    assert names == {"zqpublicspeaker", "zqimportspeaker"}
    titles = {s["title"] for s in walk(client, f"{API}sources/", {"q": "zq"})}
    assert titles == {"zqpublicsource", "zqimportsource", "zqretractedcited"}
    publishers = {p["name"] for p in walk(client, f"{API}publishers/", {"q": "zq"})}
    assert publishers == {"zqpublicoutlet", "zqimportchecker", "zqimportoutlet", "zqimportretractedchecker"}
    assert [t["slug"] for t in walk(client, f"{API}topics/", {"q": "zq"})] == ["zqcorrectedtopic", "zqpublictopic"]


def test_track_records_count_published_verdicts_only(desk, client):
    # The public speaker also has a claim in review and one returned: neither counts.
    data = get_json(client, f"{API}speakers/{desk.public_speaker.pk}/")
    assert data["track_record"] == {"false": 1, "mostly-false": 1}


def test_internal_is_null_for_everyone_outside_the_desk(desk):
    for caller in CALLERS:
        outsider = outsider_client_for(caller)
        for verdict in [desk.published, desk.original, desk.correction, desk.retracted, desk.imported]:
            data = get_json(outsider, f"{API}verdicts/{verdict.pk}/")
            assert "internal" in data and data["internal"] is None
        for claim in [desk.public_claim, desk.corrected_claim]:
            data = get_json(outsider, f"{API}claims/{claim.pk}/")
            assert data["verdict"]["internal"] is None


def test_imported_reviews_show_their_author_and_their_own_rating(desk, client):
    data = get_json(client, f"{API}verdicts/{desk.imported.pk}/")
    assert data["reviewed_by"]["name"] == "zqimportchecker"
    assert data["review_url"] == "https://zqimportchecker.example/reviews/harbour"
    assert data["original_rating"] == "zqimportlabel"
    retracted = get_json(client, f"{API}verdicts/{desk.imported_retracted.pk}/")
    assert (retracted["status"], retracted["public_note"]) == ("retracted", "zqimportretractionnote")
    assert retracted["claim_review_url"] is None


def test_outsiders_cannot_ask_for_unpublished_statuses(desk):
    for caller in CALLERS:
        outsider = outsider_client_for(caller)
        for status in ["draft", "in_review"]:
            for endpoint in ["claims", "verdicts"]:
                data = get_json(
                    outsider, f"{API}{endpoint}/", {"status": status, "ordering": "-updated_at"}, status=REFUSAL
                )
                assert "status" in data["errors"] and data["detail"]
        data = get_json(outsider, f"{API}verdicts/?status=published&status=draft", status=REFUSAL)
        assert "status" in data["errors"]


def test_the_feed_links_only_to_published_reviews(desk, client):
    desk_url = settings.FACTCHECK_DESK_URL.rstrip("/")
    seen, url = [], f"{API}claim-reviews/?page_size=1"
    while url:
        response = client.get(url)
        feed = body(response)
        seen += [element["item"][0]["url"] for element in feed["dataFeedElement"]]
        link = response.get("Link", "")
        url = link.split(">", 1)[0].lstrip("<") if 'rel="next"' in link else ""
        assert not url or urlsplit(url).path == f"{API}claim-reviews/"
    assert sorted(seen) == sorted(
        [
            f"{desk_url}/fact-checks/{desk.public_claim.pk}/",
            f"{desk_url}/fact-checks/{desk.corrected_claim.pk}/",
            "https://zqimportchecker.example/reviews/harbour",
        ]
    )


# Desk members may see work in progress ------------------------------------------------------


class TestDeskMembers:
    def test_desk_lists_drafts_and_work_in_review(self, desk, reviewer):
        member_client = token_client(reviewer)
        drafts = walk(member_client, f"{API}claims/", {"status": "draft", "ordering": "-updated_at"})
        expected = {desk.retracted_claim.pk} | {int(key) for key in secret_claims_with(desk, VerdictStatus.DRAFT)}
        assert set(ids(drafts)) == expected
        assert {item["verdict"]["status"] for item in drafts} == {"draft"}
        in_review = walk(member_client, f"{API}claims/", {"status": "in_review", "ordering": "updated_at"})
        assert set(ids(in_review)) == {int(key) for key in secret_claims_with(desk, VerdictStatus.IN_REVIEW)}
        verdicts = walk(member_client, f"{API}verdicts/", {"status": "draft"})
        assert len(verdicts) == 3 and {item["status"] for item in verdicts} == {"draft"}
        searched = walk(
            member_client, f"{API}claims/", {"status": "draft", "q": "zqdraftclaim", "ordering": "-updated_at"}
        )
        assert [item["text"] for item in searched] == ["zqdraftclaim the mine reopened."]

    def test_desk_sees_internal_notes_and_who_did_what(self, desk, editor):
        member_client = token_client(editor)
        drafts = walk(member_client, f"{API}verdicts/", {"status": "draft", "q": "zqdraftclaim"})
        data = get_json(member_client, f"{API}verdicts/{drafts[0]['id']}/")
        assert data["internal"]["internal_notes"] == "zqdraftnote"
        assert data["internal"]["reviewer"] == "zqreviewer"
        returned = walk(member_client, f"{API}verdicts/", {"status": "draft", "q": "zqreturnedclaim"})
        returned = get_json(member_client, f"{API}verdicts/{returned[0]['id']}/")
        assert returned["internal"]["return_comment"] == "zqreturncomment"
        published = get_json(member_client, f"{API}verdicts/{desk.published.pk}/")
        assert published["internal"]["internal_notes"] == "zqpublishednote"
        assert published["internal"]["editor"] == "zqeditor"

    def test_desk_session_login_works_like_a_token(self, desk, reviewer, client):
        client.force_login(reviewer)
        in_review = walk(client, f"{API}verdicts/", {"status": "in_review", "q": "zqreviewclaim"})
        data = get_json(client, f"{API}verdicts/{in_review[0]['id']}/")
        assert data["internal"]["internal_notes"] == "zqreviewnote"

    def test_desk_sees_unpublished_speakers_sources_publishers_and_topics(self, desk, reviewer):
        member_client = token_client(reviewer)
        for kind, keys in desk.keys.items():
            for key, visibility in keys.items():
                if visibility == SECRET and kind not in ("claims", "verdicts"):
                    get_json(member_client, f"{API}{kind}/{key}/")
        assert get_json(member_client, f"{API}topics/zqdrafttopic/")["name"] == "zqdrafttopic"
        assert get_json(member_client, f"{API}speakers/{desk.retracted_speaker.pk}/")["name"] == "zqretractedspeaker"

    def test_desk_never_gets_a_claim_review_for_unpublished_work(self, desk, reviewer):
        member_client = token_client(reviewer)
        for key, visibility in desk.keys["verdicts"].items():
            if visibility == SECRET:
                get_json(member_client, f"{API}verdicts/{key}/claim-review/", status=404)
        feed = body(member_client.get(f"{API}claim-reviews/"))
        reviewed = {element["item"][0]["claimReviewed"] for element in feed["dataFeedElement"]}
        assert reviewed == {desk.public_claim.text, desk.corrected_claim.text, desk.imported.claim.text}


def secret_claims_with(desk, status) -> set[str]:
    from claims.models import Verdict

    claims = {key for key, v in desk.keys["claims"].items() if v == SECRET}
    return {
        str(claim_id)
        for claim_id in Verdict.objects.filter(claim_id__in=[int(k) for k in claims], status=status).values_list(
            "claim_id", flat=True
        )
    }
