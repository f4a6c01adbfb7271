"""API keys: hashed at rest, scopes, each key's own limit, usage per day, anonymous limit unchanged."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from claims.choices import VerdictStatus
from factcheck.api.throttling import AnonRateThrottle
from integrations.models import APIKey, APIKeyScope, APIKeyUsage
from tests.factories import make_claim, make_verdict

from .helpers import published_fact_check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def issue(owner, *, scope=APIKeyScope.PUBLIC, rate_limit=600, name="Partner tool"):
    return APIKey.objects.create_key(name=name, owner=owner, scope=scope, rate_limit=rate_limit)


def get(client, url, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    return client.get(url, params, **headers)


def test_key_is_hashed_at_rest(outsider):
    key, raw = issue(outsider)
    stored = APIKey.objects.get(pk=key.pk)
    assert raw.split(".")[1] not in stored.hashed_key
    assert raw not in stored.pk
    assert stored.is_valid(raw)
    assert not stored.is_valid(raw + "x")


def test_public_key_reads_what_anonymous_callers_read(client, outsider, reviewer, editor):
    published = published_fact_check("Public.", reviewer=reviewer, editor=editor)
    make_verdict(make_claim("Draft secret."))
    _, raw = issue(outsider)
    response = get(client, "/api/v1/claims/", raw)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [published.claim_id]
    refused = get(client, "/api/v1/verdicts/", raw, status="draft")
    assert refused.status_code == 403
    assert refused.json()["errors"]["status"] == ["Only desk members can list draft verdicts."]


def test_desk_key_reads_unpublished_with_its_owners_rights(client, editor):
    draft = make_verdict(make_claim("Draft for the desk."))
    _, raw = issue(editor, scope=APIKeyScope.DESK)
    response = get(client, "/api/v1/verdicts/", raw, status="draft")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [draft.pk]
    assert draft.status == VerdictStatus.DRAFT


@pytest.mark.parametrize("header", ["Api-Key nope.nope", "Api-Key ", "Api-Key revoked"])
def test_unknown_or_revoked_keys_are_401(client, outsider, header):
    key, raw = issue(outsider)
    if header.endswith("revoked"):
        key.revoked = True
        key.save()
        header = f"Api-Key {raw}"
    response = client.get("/api/v1/claims/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_expired_key_is_401(client, outsider):
    key, raw = issue(outsider)
    key.expiry_date = timezone.now() - timezone.timedelta(days=1)
    key.save()
    response = get(client, "/api/v1/claims/", raw)
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has expired."


def test_a_key_over_its_limit_gets_429_while_another_key_and_anonymous_callers_are_served(client, outsider):
    _, slow = issue(outsider, rate_limit=3, name="slow")
    _, other = issue(outsider, rate_limit=3, name="other")
    assert [get(client, "/api/v1/ratings/", slow).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = get(client, "/api/v1/ratings/", slow)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 0
    assert get(client, "/api/v1/ratings/", other).status_code == 200
    assert get(client, "/api/v1/ratings/").status_code == 200


def test_key_requests_do_not_count_against_the_anonymous_limit(client, outsider, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    _, raw = issue(outsider, rate_limit=100)
    assert [get(client, "/api/v1/ratings/", raw).status_code for _ in range(5)] == [200] * 5
    assert [get(client, "/api/v1/ratings/").status_code for _ in range(3)] == [200, 200, 429]


def test_usage_is_counted_per_key_and_day(client, outsider):
    key, raw = issue(outsider)
    other, other_raw = issue(outsider, name="other")
    for _ in range(3):
        get(client, "/api/v1/ratings/", raw)
    get(client, "/api/v1/ratings/", other_raw)
    today = timezone.now().date()
    assert APIKeyUsage.objects.get(key=key, day=today).requests == 3
    assert APIKeyUsage.objects.get(key=other, day=today).requests == 1


def test_schema_documents_the_api_key_scheme_and_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["apiKey"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    operation = schema["paths"]["/api/v1/verdicts/"]["get"]
    assert {"apiKey": []} in operation["security"]
    assert {"401", "403", "429"} <= set(operation["responses"])
    assert "API key" in operation["responses"]["429"]["description"]
