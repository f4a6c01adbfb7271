"""Search reads the same on every database, in the API's ``q`` and in the desk's claim list.

The anchor claim of the demo (Korotchenko's "volunteers") is found by two words, by a
quoted phrase and with a word excluded, on SQLite as on PostgreSQL.
"""

import pytest

from tests.api.helpers import API, body, walk

pytestmark = pytest.mark.django_db

ANCHOR_CLAIM = 13
SEARCHES = ["promised volunteers", '"North Korea" volunteers', "Korotchenko -Iran"]


@pytest.mark.parametrize("q", SEARCHES)
def test_the_api_finds_the_anchor_claim(client, demo_data, q):
    assert ANCHOR_CLAIM in {item["id"] for item in walk(client, f"{API}claims/", {"q": q})}
    assert ANCHOR_CLAIM in {item["claim"]["id"] for item in walk(client, f"{API}verdicts/", {"q": q})}


def test_the_api_excludes_and_requires_every_word(client, demo_data):
    assert ANCHOR_CLAIM not in {item["id"] for item in walk(client, f"{API}claims/", {"q": "volunteers -Korotchenko"})}
    assert body(client.get(f"{API}claims/", {"q": "volunteers zqnosuchword"}))["results"] == []


@pytest.mark.parametrize("q", SEARCHES)
def test_the_desk_claim_list_finds_the_anchor_claim(client, demo_data, reviewer, q):
    client.force_login(reviewer)
    response = client.get("/admin/claims/claim/", {"q": q})
    assert response.status_code == 200
    assert f"/admin/claims/claim/{ANCHOR_CLAIM}/change/" in response.content.decode()
    excluded = client.get("/admin/claims/claim/", {"q": f"{q} -volunteers"}).content.decode()
    assert f"/admin/claims/claim/{ANCHOR_CLAIM}/change/" not in excluded
