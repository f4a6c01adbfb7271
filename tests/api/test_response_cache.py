"""Public responses served again by ETag for the current version (factcheck.api.response_cache).

Where the process hears the version (PostgreSQL), a repeated anonymous GET costs no query
and returns the very bytes a fresh build would; a public change is served at once; desk
members and key holders never get a kept response; every request counts once against the
anonymous limit.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from claims import public_version
from factcheck.api.response_cache import ResponseCache, responses
from tests.api.helpers import API, eventually, published_fact_checks, token_client

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
HEADERS = ("Content-Type", "ETag", "Cache-Control", "Vary", "Last-Modified", "Content-Length")


@pytest.fixture
def listening(settings):
    """This process hears the version (PostgreSQL only; elsewhere there is nothing to hear)."""
    settings.FACTCHECK_PUBLIC_VERSION_LISTEN = True
    yield connection.vendor == "postgresql"
    public_version.watch.stop()


def _heard() -> bool:
    return eventually(lambda: public_version.heard("default") is not None)


def _fresh(client, url, settings):
    """The response built now, with no kept response involved."""
    budget = settings.FACTCHECK_API_RESPONSE_CACHE_BYTES
    settings.FACTCHECK_API_RESPONSE_CACHE_BYTES = 0
    try:
        return client.get(url)
    finally:
        settings.FACTCHECK_API_RESPONSE_CACHE_BYTES = budget


@TRANSACTIONAL
def test_a_repeated_get_costs_no_query_and_returns_the_same_bytes(client, listening, settings):
    verdicts = published_fact_checks(2, prefix="kept")
    claim = verdicts[0].claim_id
    urls = [f"{API}claims/", f"{API}claims/?q=kept", f"{API}claims/{claim}/", f"{API}verdicts/{verdicts[1].pk}/"]
    urls.append(f"{API}speakers/")
    if not listening:
        # The version would cost a query per request: every response is built.
        for url in urls:
            assert client.get(url).status_code == 200
            assert client.get(url).status_code == 200
        assert responses.size == (0, 0)
        return
    assert _heard()
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
        assert len(queries) == 0, (url, [q["sql"] for q in queries])
        assert again.status_code == 200
        assert again.content == first.content == _fresh(client, url, settings).content
        for name in HEADERS:
            assert again.get(name) == first.get(name), (url, name)
    assert responses.size[0] == len(urls)


@TRANSACTIONAL
def test_a_process_that_does_not_hear_the_version_keeps_nothing(client, settings):
    """Reading the version per request, a conditional GET is answered 304 or built; never kept."""
    settings.FACTCHECK_PUBLIC_VERSION_LISTEN = False
    published_fact_checks(1, prefix="unheard")
    url = f"{API}claims/"
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    stale = client.get(url, HTTP_IF_NONE_MATCH='"v0"')
    assert stale.status_code == 200
    assert stale.content == first.content
    assert responses.size == (0, 0)


@TRANSACTIONAL
def test_a_public_change_is_served_at_once(client, listening, settings):
    published_fact_checks(1, prefix="before")
    url = f"{API}claims/"
    if listening:
        assert _heard()
    first = client.get(url)
    assert client.get(url).content == first.content
    published_fact_checks(1, prefix="after the change")
    # Heard a moment after the commit; from then on, never the old page again.
    assert eventually(lambda: client.get(url)["ETag"] != first["ETag"])
    changed = client.get(url)
    assert b"after the change" in changed.content
    assert changed.content == _fresh(client, url, settings).content


@TRANSACTIONAL
def test_desk_members_and_key_holders_get_their_own_responses(client, listening, reviewer, outsider):
    published_fact_checks(1, prefix="shared")
    url = f"{API}claims/"
    if listening:
        assert _heard()
    public = client.get(url)
    hits = responses.hits
    for caller in (token_client(reviewer), token_client(outsider)):
        response = caller.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
    signed_in = client
    signed_in.force_login(reviewer)
    assert "private" in signed_in.get(url)["Cache-Control"]
    assert responses.hits == hits
    assert "public" in public["Cache-Control"]


@TRANSACTIONAL
def test_each_request_counts_once_against_the_anonymous_limit(client, listening, monkeypatch):
    verdicts = published_fact_checks(3, prefix="counted")
    if listening:
        assert _heard()
    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    # Three different pages (none kept yet, so each is built by the view) and a fourth.
    urls = [f"{API}claims/{verdict.claim_id}/" for verdict in verdicts] + [f"{API}claims/"]
    stale = {"if-none-match": '"v-not-current"'}
    statuses = [client.get(url, headers=stale).status_code for url in urls]
    assert statuses == [200, 200, 200, 429]


def _response(body: bytes, tag: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    response["ETag"] = tag
    return response


class TestTheBudget:
    def test_least_recently_used_goes_first(self, settings):
        settings.FACTCHECK_API_RESPONSE_CACHE_BYTES = 1000
        kept = ResponseCache()
        for name in "abcd":
            kept.put(1, name, _response(b"x" * 100, name))
        assert kept.get(1, "a") is not None  # a is now the most recently used
        for name in "efghijk":
            kept.put(1, name, _response(b"x" * 100, name))
        count, size = kept.size
        assert size <= 1000 and count == 10
        assert kept.get(1, "a") is not None
        assert kept.get(1, "b") is None

    def test_what_is_not_kept(self, settings):
        settings.FACTCHECK_API_RESPONSE_CACHE_BYTES = 1000
        kept = ResponseCache()
        kept.put(1, "big", _response(b"x" * 200, "big"))  # over an eighth of the budget
        kept.put(1, "error", _response(b"{}", "error", status=404))
        kept.put(1, "mislabelled", _response(b"{}", "another tag"))
        assert kept.size == (0, 0)

    def test_a_new_version_drops_everything(self, settings):
        settings.FACTCHECK_API_RESPONSE_CACHE_BYTES = 1000
        kept = ResponseCache()
        kept.put(1, "a", _response(b"{}", "a"))
        assert kept.get(1, "a").content == b"{}"
        assert kept.get(2, "a") is None
        assert kept.size == (0, 0)

    def test_off_when_the_budget_is_zero(self, settings):
        settings.FACTCHECK_API_RESPONSE_CACHE_BYTES = 0
        kept = ResponseCache()
        kept.put(1, "a", _response(b"{}", "a"))
        assert kept.get(1, "a") is None
