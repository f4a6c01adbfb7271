"""What a public API request skips or does once, and that each shortcut answers as the long way would.

A request without credentials is anonymous without asking the authenticators; one with
them is authenticated as before. The API's requests set up no message storage, the admin's
do. DRF's content negotiation is made once per Accept header, format and renderers, and
what it refuses is refused every time. A response's ETag is made once per request. A
detail's queryset is built once per kind of caller, and each request reads its own rows.
"""

import pytest
from django.test import RequestFactory

from factcheck.api import credentials, negotiation, revalidation
from tests.api.helpers import API, published_fact_checks, token_client
from tests.factories import make_claim, make_verdict

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("headers", "cookies", "expected"),
    [
        ({}, {}, False),
        ({"HTTP_AUTHORIZATION": "Token abc"}, {}, True),
        ({"HTTP_AUTHORIZATION": ""}, {}, True),
        ({}, {"sessionid": "x"}, True),
        ({}, {"csrftoken": "x"}, False),
    ],
)
def test_credentials_are_an_authorization_header_or_a_session_cookie(settings, headers, cookies, expected):
    request = RequestFactory().get("/api/v1/claims/", **headers)
    named = {settings.SESSION_COOKIE_NAME if name == "sessionid" else name: value for name, value in cookies.items()}
    request.COOKIES.update(named)
    assert credentials.sent(request) is expected


def test_a_request_with_credentials_is_still_authenticated(client, reviewer):
    draft = make_verdict(make_claim("A draft only the desk sees."))
    published_fact_checks(1, prefix="public")
    anonymous = client.get(f"{API}verdicts/", {"status": "draft"})
    assert anonymous.status_code == 403
    by_token = token_client(reviewer).get(f"{API}verdicts/", {"status": "draft"})
    assert [item["id"] for item in by_token.json()["results"]] == [draft.pk]
    client.force_login(reviewer)
    by_session = client.get(f"{API}verdicts/", {"status": "draft"})
    assert [item["id"] for item in by_session.json()["results"]] == [draft.pk]
    # Credentials that name no one are refused, as before.
    assert client.get(f"{API}claims/", headers={"authorization": "Token not-a-token"}).status_code == 401


def test_the_api_sets_up_no_messages_and_the_admin_does(admin_client):
    api = admin_client.get(f"{API}claims/")
    assert api.status_code == 200
    assert not hasattr(api.wsgi_request, "_messages")
    page = admin_client.get("/admin/")
    assert page.status_code == 200
    assert hasattr(page.wsgi_request, "_messages")


def test_a_message_from_the_admin_waits_through_api_requests(admin_client):
    added = admin_client.post("/admin/claims/topic/add/", {"name": "Shells", "slug": "shells", "description": ""})
    assert added.status_code == 302
    assert admin_client.get(f"{API}topics/").status_code == 200
    shown = admin_client.get(added["Location"])
    assert any("Shells" in str(message) for message in shown.context["messages"])


@pytest.mark.parametrize(
    ("accept", "query", "status", "content_type"),
    [
        ("application/json", "", 200, "application/json"),
        ("application/ld+json", "", 200, "application/ld+json"),
        ("*/*", "", 200, "application/ld+json"),
        ("*/*", "?format=json", 200, "application/json"),
        ("text/csv", "", 406, "application/json"),
        ("application/ld+json", "?format=json", 406, "application/json"),
    ],
)
def test_negotiation_answers_the_same_the_second_time(client, accept, query, status, content_type):
    [verdict] = published_fact_checks(1, prefix="negotiated")
    negotiation.CHOSEN.values.clear()
    url = f"{API}claims/{verdict.claim_id}/claim-review/{query}"
    answers = [client.get(url, headers={"accept": accept}) for _ in range(2)]
    assert [response.status_code for response in answers] == [status, status]
    assert all(response["Content-Type"].startswith(content_type) for response in answers)
    assert answers[0].content == answers[1].content
    # The claims list offers other renderers: the same Accept header is negotiated for them apart.
    if status == 200 and accept == "*/*" and not query:
        listed = client.get(f"{API}claims/", headers={"accept": accept})
        assert listed["Content-Type"].startswith("application/json")


def test_the_etag_is_made_once_per_request_and_version():
    request = RequestFactory().get("/api/v1/claims/", {"page_size": "2"})
    first = revalidation.etag(7, request)
    assert request._public_etag == (7, first)
    assert revalidation.etag(7, request) == first
    other_version = revalidation.etag(8, request)
    assert other_version != first
    # Made afresh for another request with the same key: the same tag.
    assert revalidation.etag(7, RequestFactory().get("/api/v1/claims/", {"page_size": "2"})) == first
    assert revalidation.etag(7, RequestFactory().get("/api/v1/claims/", {"page_size": "3"})) != first


def test_detail_querysets_are_kept_per_kind_of_caller_and_never_evaluated(client, reviewer):
    from claims.api.views import KEPT_QUERYSETS

    KEPT_QUERYSETS.clear()
    first, second = published_fact_checks(2, prefix="kept detail")
    draft = make_verdict(make_claim("A claim only the desk has seen."))
    desk = token_client(reviewer)
    for _ in range(2):
        # Anonymous and desk callers in turn: each kind keeps its own queryset.
        assert client.get(f"{API}claims/{first.claim_id}/").json()["id"] == first.claim_id
        assert client.get(f"{API}claims/{second.claim_id}/").json()["id"] == second.claim_id
        assert client.get(f"{API}claims/{draft.claim_id}/").status_code == 404
        assert desk.get(f"{API}claims/{draft.claim_id}/").json()["id"] == draft.claim_id
        assert client.get(f"{API}verdicts/{draft.pk}/").status_code == 404
        assert desk.get(f"{API}verdicts/{draft.pk}/").json()["id"] == draft.pk
    kinds = {(view.__name__, action, desk_member) for view, action, desk_member in KEPT_QUERYSETS}
    assert kinds == {
        ("ClaimViewSet", "retrieve", False),
        ("ClaimViewSet", "retrieve", True),
        ("VerdictViewSet", "retrieve", False),
        ("VerdictViewSet", "retrieve", True),
    }
    assert all(queryset._result_cache is None for queryset in KEPT_QUERYSETS.values())
    # A change is read at once: the queryset is kept, never its rows.
    claim = first.claim
    claim.made_in = "Somewhere new"
    claim.save()
    assert client.get(f"{API}claims/{first.claim_id}/").json()["made_in"] == "Somewhere new"
