"""Project middleware."""

import functools
from urllib.parse import unquote

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages import middleware as messages_middleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from simple_history.middleware import HistoryRequestMiddleware

from factcheck import errors, logs, routers
from factcheck.api import views as api_views

READ_ONLY_PREFIXES = ("/api/",)


def HistoryUserMiddleware(get_response):
    """django-simple-history's request context (who made a change), on writing paths only.

    The public API is read-only: its requests skip the bookkeeping.
    """
    with_history = HistoryRequestMiddleware(get_response)

    def middleware(request):
        if request.path_info.startswith(READ_ONLY_PREFIXES):
            return get_response(request)
        return with_history(request)

    return middleware


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """django.contrib.messages' middleware, on pages only.

    Nothing under /api/ shows or leaves a message, and setting up the storage (a cookie
    signer, the session) cost an API request about 10 µs. Responses without storage are
    passed through by Django's own ``process_response``.
    """

    def process_request(self, request):
        if not request.path_info.startswith(READ_ONLY_PREFIXES):
            super().process_request(request)


REPLICA_READ_PREFIXES = ("/api/", "/fact-checks/")
REPLICA_READ_PATHS = ("/",)


def ReplicaReadsMiddleware(get_response):
    """Lets GET and HEAD requests on the public API and pages read from replicas.

    See factcheck.routers. The flags are reset for every request, whatever happened in
    the previous one on this thread.
    """

    def middleware(request):
        public_read = request.method in ("GET", "HEAD") and (
            request.path_info.startswith(REPLICA_READ_PREFIXES) or request.path_info in REPLICA_READ_PATHS
        )
        allowed = routers.replica_reads_allowed.set(public_read)
        written = routers.request_has_written.set(False)
        try:
            return get_response(request)
        finally:
            routers.replica_reads_allowed.reset(allowed)
            routers.request_has_written.reset(written)

    return middleware


def RequestContextMiddleware(get_response):
    """First in the chain: gives each request an id (returned as ``X-Request-ID``), makes the
    request known to every log line written while it is served, and logs refusals.

    A 429 is a refusal whatever answered it (the API throttle, the login lockout); the
    code that refuses for another reason calls ``logs.refused`` itself.
    """

    def middleware(request):
        request.request_id = logs.new_request_id(request, trust_incoming=bool(settings.FACTCHECK_NUM_PROXIES))
        token = logs.current_request.set(request)
        try:
            response = get_response(request)
            if response.status_code == 429:
                logs.refused(request, "too many requests", status_code=429)
            elif response.status_code in (413, 414, 431):
                logs.refused(request, "oversized request", status_code=response.status_code)
        finally:
            logs.current_request.reset(token)
        response[logs.REQUEST_ID_HEADER] = request.request_id
        return response

    return middleware


# The longest username anyone can have (django.contrib.auth's User.username).
MAX_USERNAME_LENGTH = 150
LOGIN_PATHS = ("/admin/login/",)


def InputGuardMiddleware(get_response):
    """Refuses, with a 400, input that no page or endpoint can read.

    NUL bytes: PostgreSQL text cannot hold them, so a path id, parameter or filter carrying
    one can only fail deeper down. Over-long usernames at the login: no account has one,
    and the lockout's record of the attempt could not store it.
    """

    def middleware(request):
        raw = unquote(request.META.get("QUERY_STRING", "")) + request.path
        if "\x00" in raw:
            return errors.bad_request(request, "NUL characters are not allowed in URLs.")
        if request.method == "POST" and request.path_info in LOGIN_PATHS:
            username = request.POST.get("username", "")
            if len(username) > MAX_USERNAME_LENGTH or "\x00" in username:
                return errors.bad_request(request, f"A username has at most {MAX_USERNAME_LENGTH} characters.")
        response = get_response(request)
        return json_not_found(request, response)

    return middleware


def json_not_found(request, response):
    """Under /api/ a 404 is JSON, also when debug pages are on (they bypass ``handler404``)."""
    if (
        response.status_code == 404
        and errors.is_api(request)
        and not response.get("Content-Type", "").startswith("application/")
    ):
        return api_views.page_not_found(request, None)
    return response


# What a view or template may set to change a response's policy (django-csp's decorators
# and nonce): a response with none of them gets the settings' policy as it stands.
_POLICY_PARTS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@functools.cache
def _settings_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, policy, exemption attribute, excluded path prefixes), enforced then report-only."""
    policies = []
    for header, report_only, exempt, setting in (
        (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
        (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    ):
        prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
        policies.append((header, build_policy(report_only=report_only), exempt, prefixes))
    return tuple(policies)


@receiver(setting_changed)
def _policy_setting_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the settings' policy built once.

    Most responses (every API response) carry the settings' policy unchanged, and
    building its text twice per response (enforced and report-only) cost more than any
    other middleware of an API request, about 0.16 ms. A response a view or a nonce
    changes is built by django-csp as before.
    """

    def process_response(self, request, response):
        customised = getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, part, None) is not None for part in _POLICY_PARTS
        )
        if customised or (settings.DEBUG and response.status_code in (500, 404)):
            return super().process_response(request, response)
        for header, policy, exempt, prefixes in _settings_policies():
            wanted = policy and not getattr(response, exempt, False) and not request.path_info.startswith(prefixes)
            if wanted and header not in response:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
