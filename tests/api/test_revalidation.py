"""Conditional GETs answered from the public record's version (factcheck.api.revalidation).

A matching If-None-Match costs one query and builds nothing; every change the public can
see changes every public ETag; nothing the public cannot see changes any.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from claims import public_version, services
from claims.models import Claim, Evidence, Rating, Topic
from tests.api.helpers import API, draft, eventually, publish, published_fact_checks, submit, token_client
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(reviewer, editor):
    """A published fact-check with every part the public sees."""
    outlet = make_publisher(name="Revalidated Outlet")
    source = make_source(title="Revalidated report", publisher=outlet, url="https://example.org/revalidated")
    speaker = make_speaker(name="Revalidated Speaker")
    topic = Topic.objects.create(name="Revalidation", slug="revalidation")
    claim = make_claim(text="The record can be revalidated.", speaker=speaker)
    claim.topics.add(topic)
    appearance = make_appearance(claim, source, "the quote as printed")
    verdict = publish(claim, author=reviewer, editor=editor)
    evidence = Evidence.objects.create(verdict=verdict, source=source, stance="contradicts", note="See the report.")
    return {
        "outlet": outlet,
        "source": source,
        "speaker": speaker,
        "topic": topic,
        "claim": claim,
        "appearance": appearance,
        "verdict": verdict,
        "evidence": evidence,
    }


def urls(record) -> list[str]:
    claim, verdict = record["claim"].pk, record["verdict"].pk
    return [
        f"{API}claims/",
        f"{API}claims/?rating=false&page_size=5",
        f"{API}claims/?q=revalidated",
        f"{API}claims/?format=csv",
        f"{API}claims/{claim}/",
        f"{API}claims/{claim}/claim-review/",
        f"{API}verdicts/",
        f"{API}verdicts/{verdict}/",
        f"{API}verdicts/{verdict}/claim-review/",
        f"{API}speakers/",
        f"{API}speakers/{record['speaker'].pk}/",
        f"{API}topics/",
        f"{API}topics/revalidation/",
        f"{API}sources/",
        f"{API}sources/{record['source'].pk}/",
        f"{API}publishers/",
        f"{API}publishers/{record['outlet'].pk}/",
        f"{API}ratings/",
        f"{API}ratings/false/",
        f"{API}claim-reviews/",
    ]


def etags(client, record) -> dict[str, str]:
    tags = {}
    for url in urls(record):
        response = client.get(url)
        assert response.status_code == 200, url
        tags[url] = response["ETag"]
    return tags


class TestAMatchIsCheap:
    def test_one_query_and_nothing_built(self, client, record):
        for url, tag in etags(client, record).items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, headers={"if-none-match": tag})
            assert response.status_code == 304, url
            assert response.content == b""
            assert response["ETag"] == tag
            assert len(queries) == 1, (url, [q["sql"] for q in queries])
            assert "public" in response["Cache-Control"]

    def test_head_is_answered_too(self, client, record):
        url = f"{API}claims/{record['claim'].pk}/"
        tag = client.get(url)["ETag"]
        assert client.head(url, headers={"if-none-match": tag}).status_code == 304

    def test_a_list_page_is_one_query(self, client, record):
        # The version is read by the page's own statement (on PostgreSQL; elsewhere first).
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}claims/").status_code == 200
        assert len(queries) == (1 if connection.vendor == "postgresql" else 2)

    def test_other_requests_have_other_etags(self, client, record, settings):
        settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
        tags = etags(client, record)
        assert len(set(tags.values())) == len(tags)
        same = client.get(f"{API}claims/?page_size=5&rating=false")["ETag"]
        assert same == tags[f"{API}claims/?rating=false&page_size=5"]
        other_host = client.get(f"{API}claims/", HTTP_HOST="mirror.example.org")["ETag"]
        assert other_host != tags[f"{API}claims/"]

    def test_a_different_etag_gets_the_page(self, client, record):
        url = f"{API}claims/"
        first = client.get(url)
        response = client.get(url, headers={"if-none-match": '"v-something-else"'})
        assert response.status_code == 200 and response.content == first.content
        assert response["ETag"] == first["ETag"]


def _correct(record, editor, **kwargs):
    true = Rating.objects.get(slug="true")
    services.verdict_correct(verdict=record["verdict"], actor=editor, public_note="Now true.", changes={"rating": true})


def _retract(record, editor, **kwargs):
    services.verdict_retract(verdict=record["verdict"], actor=editor, public_note="Withdrawn.")


def _edit(part, field, value):
    def change(record, editor, **kwargs):
        obj = record[part]
        setattr(obj, field, value)
        obj.save()

    return change


def _rating_edit(record, editor, **kwargs):
    rating = Rating.objects.get(slug="false")
    rating.description = "Not so."
    rating.save()


def _claim_edit(record, editor, **kwargs):
    claim = Claim.objects.get(pk=record["claim"].pk)
    claim.text = "The record can be revalidated, reworded."
    services.claim_save(claim=claim, actor=editor)


def _topic_removed(record, editor, **kwargs):
    record["claim"].topics.remove(record["topic"])


def _appearance_added(record, editor, **kwargs):
    make_appearance(record["claim"], make_source(title="Another report"), "said again")


def _another_published(record, editor, reviewer, **kwargs):
    publish(make_claim(text="A new fact-check."), author=reviewer, editor=editor)


PUBLIC_CHANGES = {
    "correction": _correct,
    "retraction": _retract,
    "speaker edit": _edit("speaker", "role", "Minister"),
    "rating edit": _rating_edit,
    "topic edit": _edit("topic", "name", "Revalidation and more"),
    "source edit": _edit("source", "title", "Revalidated report, updated"),
    "publisher edit": _edit("outlet", "name", "Revalidated Outlet Ltd"),
    "quote edit": _edit("appearance", "quote", "the quote as corrected"),
    "evidence edit": _edit("evidence", "note", "See page 2 of the report."),
    "claim edit": _claim_edit,
    "topic removed": _topic_removed,
    "appearance added": _appearance_added,
    "another fact-check published": _another_published,
}


@pytest.mark.parametrize("change", PUBLIC_CHANGES)
def test_a_public_change_changes_every_etag(client, record, reviewer, editor, change):
    before = etags(client, record)
    PUBLIC_CHANGES[change](record, editor, reviewer=reviewer)
    for url, tag in before.items():
        response = client.get(url, headers={"if-none-match": tag})
        if response.status_code == 404:
            continue  # a retraction removes the speaker, topic, source and publisher pages
        assert response.status_code == 200, f"{url} answered 304 after a {change}"
        assert response["ETag"] != tag


def _new_claim_with_draft(record, reviewer, editor):
    claim = services.claim_save(claim=Claim(text="Work in progress."), actor=editor)
    verdict = draft(claim, author=reviewer, rating="false")
    verdict.headline = "Still thinking"
    services.verdict_save(verdict=verdict, actor=reviewer)


def _submitted(record, reviewer, editor):
    submit(make_claim(text="Waiting for an editor."), author=reviewer)


def _unpublished_parts(record, reviewer, editor):
    speaker = make_speaker(name="Unpublished Speaker")
    claim = make_claim(text="Not yet checked.", speaker=speaker)
    claim.topics.add(Topic.objects.create(name="Secret topic", slug="secret-topic"))
    make_appearance(claim, make_source(title="A draft source"), "a quote")
    speaker.role = "Unknown"
    speaker.save()


def _assigned(record, reviewer, editor):
    services.claim_assign(claim=record["claim"], actor=editor, reviewer=reviewer)


DESK_WORK = {
    "new claim with a draft verdict": _new_claim_with_draft,
    "verdict submitted for review": _submitted,
    "speaker, topic and quote of an unpublished claim": _unpublished_parts,
    "published claim assigned to a reviewer": _assigned,
}


@pytest.mark.parametrize("work", DESK_WORK)
def test_desk_work_changes_no_public_etag(client, record, reviewer, editor, work):
    before = etags(client, record)
    DESK_WORK[work](record, reviewer, editor)
    for url, tag in before.items():
        assert client.get(url, headers={"if-none-match": tag}).status_code == 304, f"{url} after {work}"


def test_desk_members_etags_follow_drafts(record, reviewer, editor):
    desk = token_client(reviewer)
    url = f"{API}claims/?status=draft&ordering=-updated_at"
    claim = make_claim(text="A draft to watch.")
    verdict = draft(claim, author=reviewer, rating="false")
    first = desk.get(url)
    assert first.status_code == 200
    verdict.headline = "A new headline"
    services.verdict_save(verdict=verdict, actor=reviewer)
    again = desk.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_signed_in_desk_members_are_not_answered_from_the_public_version(client, record, reviewer):
    # A session cookie skips the early answer: the desk sees drafts, which move no version.
    client.force_login(reviewer)
    url = f"{API}claims/?status=draft&ordering=-updated_at"
    verdict = draft(make_claim(text="A draft behind a session."), author=reviewer, rating="false")
    first = client.get(url)
    verdict.headline = "Another headline"
    services.verdict_save(verdict=verdict, actor=reviewer)
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 200


def test_token_holders_who_see_the_public_record_share_its_etags(client, record, outsider):
    url = f"{API}claims/{record['claim'].pk}/"
    tag = client.get(url)["ETag"]
    holder = token_client(outsider)
    response = holder.get(url, headers={"if-none-match": tag})
    assert response.status_code == 304
    assert "private" in response["Cache-Control"]


def test_revalidations_count_towards_the_anonymous_limit(client, record, monkeypatch):
    url = f"{API}claims/"
    tag = client.get(url)["ETag"]
    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [client.get(url, headers={"if-none-match": tag}).status_code for _ in range(3)]
    assert statuses == [304, 304, 429]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_process_hears_the_version_instead_of_reading_it(client, settings):
    # Committed changes (a transactional test): the trigger notifies the listening thread.
    settings.FACTCHECK_PUBLIC_VERSION_LISTEN = True
    published_fact_checks(1, prefix="heard")
    url = f"{API}claims/"
    tag = client.get(url)["ETag"]
    if connection.vendor != "postgresql":
        # Nothing to listen to: the version is read, one query.
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers={"if-none-match": tag}).status_code == 304
        assert len(queries) == 1
        return
    try:
        assert eventually(lambda: public_version.watch.heard() is not None)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers={"if-none-match": tag}).status_code == 304
        assert len(queries) == 0
        published_fact_checks(1, prefix="heard again")
        assert eventually(lambda: client.get(url, headers={"if-none-match": tag}).status_code == 200)
        fresh = client.get(url)["ETag"]
        assert fresh != tag
        assert client.get(url, headers={"if-none-match": fresh}).status_code == 304
    finally:
        public_version.watch.stop()

