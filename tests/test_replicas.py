"""Read replicas: public reads from a replica, the rest from the primary, and the primary
when a replica is unreachable.

The "replica" database (tests/conftest.py) is a second database on the same server. Here
it holds the demo data as replication would have copied it, with one verdict's headline
changed, so every response shows which database it was read from.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import JsonResponse
from django.test import Client, RequestFactory, override_settings
from rest_framework.authtoken.models import Token

from claims.models import Claim, Verdict
from factcheck import routers
from factcheck.middleware import ReplicaReadsMiddleware

pytestmark = pytest.mark.django_db(databases=["default", "replica"])

ANCHOR = 13  # the anchor claim of the demo data
ON_PRIMARY = "North Korea's 100,000 'volunteers': a claim the Russian Foreign Ministry disputed"
ON_REPLICA = "As the replica has it"


@pytest.fixture
def replicated(demo_data, settings):
    # Streaming replication fills a real replica; here the fixture is loaded into it. The
    # router sends every write to the primary (many-to-many rows too), so it is off meanwhile.
    with override_settings(DATABASE_ROUTERS=[]):
        call_command("loaddata", "demo", database="replica", verbosity=0)
    Verdict.objects.using("replica").filter(claim_id=ANCHOR, status="published").update(headline=ON_REPLICA)
    Verdict.objects.filter(claim_id=ANCHOR, status="published").update(headline=ON_PRIMARY)
    settings.FACTCHECK_READ_REPLICAS = ["replica"]
    settings.FACTCHECK_REPLICA_RETRY_SECONDS = 30
    routers._down_until.clear()
    yield
    routers._down_until.clear()


def headline_via_api(client=None) -> str:
    response = (client or Client()).get(f"/api/v1/claims/{ANCHOR}/")
    assert response.status_code == 200
    return response.json()["verdict"]["headline"]


def test_public_api_lists_details_and_pages_read_from_the_replica(replicated):
    assert headline_via_api() == ON_REPLICA
    listed = Client().get("/api/v1/verdicts/?page_size=50").json()["results"]
    assert ON_REPLICA in {verdict["headline"] for verdict in listed}
    assert ON_PRIMARY not in {verdict["headline"] for verdict in listed}
    assert ON_REPLICA in Client().get(f"/fact-checks/{ANCHOR}/").content.decode()


def test_the_admin_reads_from_the_primary(replicated, editor):
    client = Client()
    client.force_login(editor)
    verdict = Verdict.objects.get(claim_id=ANCHOR, status="published")
    page = client.get(f"/admin/claims/verdict/{verdict.pk}/change/").content.decode()
    assert ON_PRIMARY.replace("'", "&#x27;") in page
    assert ON_REPLICA not in page


def test_code_outside_requests_reads_from_the_primary(replicated):
    assert Verdict.objects.get(claim_id=ANCHOR, status="published").headline == ON_PRIMARY


def test_a_request_reads_what_it_wrote(replicated):
    seen = {}

    def view(request):
        seen["before"] = Verdict.objects.get(claim_id=ANCHOR, status="published").headline
        Claim.objects.filter(pk=ANCHOR).update(made_in="written in this request")  # a write, to the primary
        seen["after"] = Verdict.objects.get(claim_id=ANCHOR, status="published").headline
        return JsonResponse({})

    ReplicaReadsMiddleware(view)(RequestFactory().get(f"/api/v1/claims/{ANCHOR}/"))
    assert seen == {"before": ON_REPLICA, "after": ON_PRIMARY}
    assert Claim.objects.using("default").get(pk=ANCHOR).made_in == "written in this request"
    assert Claim.objects.using("replica").get(pk=ANCHOR).made_in != "written in this request"
    # The next request starts afresh: its reads go to the replica again.
    assert headline_via_api() == ON_REPLICA


def test_tokens_are_checked_on_the_primary(replicated, reviewer):
    # A token just issued has not reached the replica; it works at once all the same.
    token = Token.objects.create(user=reviewer)
    assert not Token.objects.using("replica").filter(key=token.key).exists()
    response = Client().get("/api/v1/verdicts/?status=draft", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200, response.content


def test_replicas_that_cannot_be_reached_fall_back_to_the_primary(tmp_path):
    # Its own process, configured as production is, by DATABASE_REPLICA_URLS: a PostgreSQL
    # replica nobody answers for (port 1) and an SQLite one that cannot be opened.
    script = """
import json, time
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client
from factcheck import routers

call_command("migrate", verbosity=0)
call_command("loaddata", "demo", verbosity=0)
started = time.monotonic()
first = Client().get("/api/v1/claims/13/")
first_seconds = time.monotonic() - started
started = time.monotonic()
second = Client().get("/api/v1/claims/13/")
print(json.dumps({
    "replicas": settings.FACTCHECK_READ_REPLICAS,
    "timeout": settings.DATABASES["replica1"]["OPTIONS"].get("connect_timeout"),
    "statuses": [first.status_code, second.status_code],
    "claim": second.json()["text"],
    "down": sorted(routers._down_until),
    "connected": [connections[alias].connection is not None for alias in settings.FACTCHECK_READ_REPLICAS],
}))
"""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'primary.sqlite3'}",
        DATABASE_REPLICA_URLS=(
            "postgresql://postgres@127.0.0.1:1/factcheck,sqlite:////nonexistent-directory/replica.sqlite3"
        ),
        DJANGO_SETTINGS_MODULE="factcheck.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["replicas"] == ["replica1", "replica2"]
    assert seen["timeout"] == 2
    assert seen["statuses"] == [200, 200]
    assert seen["claim"].startswith("North Korea promised 100,000 volunteers")
    assert seen["down"] == ["replica1", "replica2"]
    assert seen["connected"] == [False, False]
    assert "Read replica replica1 is unreachable" in result.stderr


def test_with_one_replica_down_reads_go_to_the_other(replicated, settings):
    # "gone" is known to be down (as after a failed connection): it is not even tried.
    settings.FACTCHECK_READ_REPLICAS = ["gone", "replica"]
    routers.mark_down("gone")
    for _ in range(5):  # whichever order the replicas are tried in
        assert headline_via_api() == ON_REPLICA


def test_a_replica_that_comes_back_is_used_again(replicated, settings):
    routers.mark_down("replica")
    assert headline_via_api() == ON_PRIMARY
    settings.FACTCHECK_REPLICA_RETRY_SECONDS = 0
    routers.mark_down("replica")
    assert headline_via_api() == ON_REPLICA
