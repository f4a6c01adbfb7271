"""The read API, fuzzed from its own OpenAPI schema with schemathesis.

schemathesis reads the schema the app serves (/api/schema/) and calls the app in-process
through WSGI, on the demo data, with every check it has: no server errors, status codes,
content types, headers and bodies as documented, requests that break the schema refused,
requests that keep to it accepted, undocumented methods answered with 405. Each
operation gets its coverage phase (boundary values, every way to break each parameter)
and FACTCHECK_FUZZ_EXAMPLES generated examples (200 by default; the README shows a long
run against a live server).

Cursors and slugs in requests meant to be valid come from the demo data: see
tests/api/fuzz_references.py.
"""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import CHECKS, load_all_checks

from tests.api.fuzz_references import collect, use_real_references
from tests.api.helpers import body, published_fact_checks

EXAMPLES = int(os.environ.get("FACTCHECK_FUZZ_EXAMPLES", "200"))

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())

load_all_checks()
# Every check schemathesis has, named rather than left to its defaults.
ALL_CHECKS = list(CHECKS.get_all())


@pytest.fixture
def connections_kept_open():
    """Keep request signals from closing the test's connection, inside its transaction.

    Requests go straight to Django's WSGI handler, not through its test client, which
    does the same for every request (and reconnects the signals when it is done: hence
    per test, after the module's fixtures have used the test client).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def real_references(_demo_loaded, django_db_blocker):
    """Cursors and slugs that exist in the demo data, as anonymous callers see them.

    The demo has a single public publisher: two more published fact-checks give every
    list a second page, hence cursors. They are undone with the demo at the end of the module.
    """
    client = Client()

    def get(path: str, params: dict):
        response = client.get(path, params)
        assert response.status_code == 200, (path, params, response.content[:300])
        return body(response), response.get("Link", "")

    with django_db_blocker.unblock():
        published_fact_checks(2, prefix="fuzz")
        references = collect(get)
    assert references["rating"] and references["topic"]
    assert all(references["cursors"].values()), "every list needs a second page to fuzz its cursors"
    return references


@pytest.fixture
def generous_anonymous_rate(monkeypatch):
    # Thousands of anonymous requests a minute: far more than the default rate allows.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    # The same examples on every run: CI fails on a change in the code, never on luck.
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        # Generating requests for a list with sixteen filters is slow by hypothesis' measure.
        HealthCheck.too_slow,
        # The fixtures are set up once per operation on purpose: the demo data is read-only
        # here, and the throttle rate must hold for every example.
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api(case, demo_data, real_references, generous_anonymous_rate, connections_kept_open):
    use_real_references(case, real_references)
    case.call_and_validate(checks=ALL_CHECKS)
