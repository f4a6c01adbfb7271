"""Structured logs: every refusal as abuse is one JSON line with the request's id, path and
user; every response names its request id; error mail recipients come from the environment."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from factcheck.api.throttling import AnonRateThrottle


@pytest.fixture
def log_lines():
    """What the configured JSON handler writes, captured line by line."""
    configured = logging.getLogger("factcheck").handlers[0]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    loggers = [logging.getLogger("factcheck"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_every_response_names_its_request():
    client = Client()
    ids = {client.get("/api/v1/ratings/")["X-Request-ID"], client.get("/no-such-page/")["X-Request-ID"]}
    assert len(ids) == 2 and all(len(request_id) == 32 for request_id in ids)


@pytest.mark.django_db
def test_a_throttled_request_is_one_json_line(log_lines, monkeypatch):
    cache.clear()  # other tests' counts
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    client = Client()
    assert client.get("/api/v1/ratings/").status_code == 200
    refused = client.get("/api/v1/ratings/", REMOTE_ADDR="127.0.0.1")
    assert refused.status_code == 429
    [line] = log_lines()
    assert line["reason"] == "too many requests"
    assert line["request_id"] == refused["X-Request-ID"]
    assert (line["path"], line["user_id"], line["client_ip"], line["status_code"]) == (
        "/api/v1/ratings/",
        None,
        "127.0.0.1",
        429,
    )


@pytest.mark.django_db
def test_a_locked_out_login_is_logged_without_the_password(log_lines, editor):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": editor.username, "password": "s3cret-guess"})
    assert response.status_code == 429
    lines = log_lines()
    assert [line["reason"] for line in lines] == ["too many requests"]
    assert lines[0]["path"] == "/admin/login/"
    assert "s3cret-guess" not in json.dumps(lines)


@pytest.mark.django_db
def test_an_authenticated_callers_refusal_names_the_user(log_lines, editor):
    client = Client()
    client.force_login(editor)
    client.get("/admin/claims/claim/?topic=%00")
    client.get("/admin/")  # not refused: not logged
    [line] = log_lines()
    assert line["reason"] == "bad input"
    assert line["user_id"] == editor.pk


def test_error_mail_recipients_come_from_the_environment():
    env = {**os.environ, "DJANGO_ADMINS": "Desk Ops <ops@example.org>, dev@example.org"}
    script = (
        "import django, json, logging; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.ADMINS, [type(h).__name__ for h in logging.getLogger('django.request').handlers]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    admins, handlers = json.loads(result.stdout)
    assert admins == [["Desk Ops", "ops@example.org"], ["dev@example.org", "dev@example.org"]]
    assert "AdminEmailHandler" in handlers
