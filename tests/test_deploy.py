"""Production settings: the deploy checks pass, HTTPS is enforced, pages carry a strict
Content-Security-Policy, there are no debug pages and admin logins cannot be brute-forced."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from factcheck.middleware import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db

# The production environment as the README documents it.
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "factcheck.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "1",
    "FACTCHECK_NUM_PROXIES": "1",
    "DATABASE_URL": "postgresql://factcheck@db.internal:5432/factcheck",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "FACTCHECK_DESK_URL": "https://factcheck.example.org/",
}

HTTPS_SETTINGS = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "FACTCHECK_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_the_documented_production_environment():
    result = check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"DJANGO_HTTPS": "0"}, "security.W008"),
        ({"DJANGO_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SECRET_KEY": "short"}, "security.W009"),
    ],
)
def test_check_deploy_fails_when_production_is_weakened(change, warning):
    result = check_deploy({**PRODUCTION_ENV, **change})
    assert result.returncode != 0
    assert warning in result.stderr


def _listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` on this machine (Linux's /proc/net/tcp: state 0A)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    fields = [line.split() for line in lines]
    return sum(1 for field in fields if int(field[1].split(":")[1], 16) == port and field[3] == "0A")


def test_gunicorn_serves_the_app_with_the_production_environment(tmp_path):
    """The README's application server command, with the production settings, behind a TLS proxy."""
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        **PRODUCTION_ENV,
        # The schema needs no database; no Redis either (the local cache stands in).
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "REDIS_URL": "",
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "factcheck.wsgi"),
            *("--worker-class", "gthread", "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}"),
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def get(headers: dict):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/schema/", headers={"Host": "factcheck.example.org", **headers}
        )
        try:
            return opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            return error

    try:
        deadline = time.monotonic() + 90  # the master warms the app up before it listens
        while True:
            try:
                response = get({"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.status == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "openapi" in response.read().decode()
        # Plain HTTP (the proxy says so) is sent to HTTPS.
        plain = get({"X-Forwarded-Proto": "http"})
        assert plain.status == 301
        assert plain.headers["Location"] == "https://factcheck.example.org/api/schema/"
        # gunicorn.conf.py: each worker listens on a socket of its own (SO_REUSEPORT), so the
        # kernel spreads connections over the workers rather than one worker taking a burst.
        # The first worker may answer before the second has started: wait for both.
        workers_up = time.monotonic() + 30
        while _listening_sockets(port) < 2 and time.monotonic() < workers_up:
            time.sleep(0.1)
        assert _listening_sockets(port) == 2
    finally:
        # A graceful stop lets the workers finish; it takes seconds on a busy machine.
        server.terminate()
        server.wait(60)


@override_settings(**HTTPS_SETTINGS)
def test_plain_http_is_redirected_to_https():
    response = Client().get("/api/v1/claims/?page_size=5")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/claims/?page_size=5"


@override_settings(**HTTPS_SETTINGS)
def test_https_responses_carry_hsts_and_hardening_headers():
    response = Client().get("/api/v1/claims/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(**HTTPS_SETTINGS)
def test_session_and_csrf_cookies_are_secure_and_session_cookie_is_http_only(editor):
    client = Client()
    login_page = client.get("/admin/login/", secure=True)
    assert login_page.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/admin/login/?next=/admin/", {"username": editor.username, "password": editor.username}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/", "/", "/api/v1/claims/"])
def test_every_page_has_a_strict_content_security_policy(path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["script-src"] == "'self'"  # no inline or third-party script
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"


def _headers_from(middleware_class, path: str, response_attributes: dict, nonce: bool = False) -> dict:
    """The policy headers ``middleware_class`` gives a response to ``path`` carrying ``response_attributes``."""
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda request: HttpResponse())
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)  # as a template asking for a nonce does
    response = HttpResponse()
    for name, value in response_attributes.items():
        setattr(response, name, value)
    middleware.process_response(request, response)
    return {name: response.get(name) for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")}


REPORTING = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"}}


@pytest.mark.parametrize(
    "path, attributes, nonce",
    [
        ("/api/v1/claims/", {}, False),
        ("/admin/", {}, False),
        ("/api/redoc/", {"_csp_update": {"img-src": ["https://cdn.redoc.ly"]}}, False),
        ("/", {"_csp_replace": {"script-src": ["'none'"]}}, False),
        ("/", {"_csp_config": {"default-src": ["'none'"]}}, False),
        ("/", {"_csp_exempt": True}, False),
        ("/", {}, True),
    ],
)
@pytest.mark.parametrize("report_only", [None, REPORTING, {**REPORTING, "EXCLUDE_URL_PREFIXES": ["/api/"]}])
def test_the_policy_built_once_is_the_one_django_csp_builds(path, attributes, nonce, report_only):
    """The project's policy middleware writes exactly the headers django-csp's own writes, and
    follows the settings when they change."""
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        ours = _headers_from(ContentSecurityPolicyMiddleware, path, attributes, nonce)
        theirs = _headers_from(CSPMiddleware, path, attributes, nonce)
    assert ours == theirs
    assert (ours["Content-Security-Policy"] is None) == ("_csp_exempt" in attributes)
    excluded = report_only is not None and path.startswith(tuple(report_only.get("EXCLUDE_URL_PREFIXES", ())))
    assert (ours["Content-Security-Policy-Report-Only"] is None) == (report_only is None or excluded)


def test_a_nonce_asked_for_after_the_policy_is_written_is_an_error():
    request = RequestFactory().get("/")
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse())
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_api_docs_have_no_inline_script():
    page = Client().get("/api/docs/").content.decode()
    assert "<script>" not in page
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_no_debug_pages():
    assert settings.DEBUG is False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "URLconf" not in body and "Traceback" not in body


class TestAdminLoginBruteForce:
    def attempt(self, client, username, password, address="203.0.113.7"):
        return client.post(
            "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_repeated_failures_lock_the_account_from_that_address(self, editor):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = self.attempt(client, editor.username, "wrong")
            assert response.status_code == 200  # the form again, with its error
        locked = self.attempt(client, editor.username, "wrong")
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        # Locked: even the right password is refused from that address...
        assert self.attempt(Client(), editor.username, editor.username).status_code == 429
        # ...while the editor can still log in from elsewhere.
        elsewhere = self.attempt(Client(), editor.username, editor.username, address="198.51.100.20")
        assert elsewhere.status_code == 302

    def test_a_successful_login_resets_the_count(self, editor):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt(client, editor.username, "wrong")
        assert self.attempt(Client(), editor.username, editor.username).status_code == 302
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert self.attempt(Client(), editor.username, "wrong").status_code == 200

    def test_unknown_usernames_are_limited_too(self, db):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(Client(), "nobody", "guess")
        assert self.attempt(Client(), "nobody", "guess").status_code == 429
        assert not get_user_model().objects.filter(username="nobody").exists()


def test_the_app_server_warms_up_before_its_first_request():
    """factcheck.wsgi builds the OpenAPI document and loads the matching model up front."""
    from claims.matching.embedding import model
    from factcheck.api.schema import SchemaView
    from factcheck.warmup import warm_up

    SchemaView._built.clear()
    SchemaView._rendered.clear()
    model.cache_clear()
    warm_up()
    media_types = {key[-1] for key in SchemaView._rendered}
    assert media_types == {"application/vnd.oai.openapi", "application/vnd.oai.openapi+json"}
    assert model.cache_info().currsize == 1
    # A request is then served from what the warm-up built, byte for byte.
    built = next(content for key, (content, _) in SchemaView._rendered.items() if key[-1].endswith("json"))
    assert Client().get("/api/schema/?format=json").content == built


def test_healthz_answers_without_the_database_or_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert client.post("/healthz").status_code == 405
