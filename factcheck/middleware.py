"""Project middleware."""

from urllib.parse import unquote

from django.conf import settings
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
