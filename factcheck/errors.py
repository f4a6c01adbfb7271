"""What the site answers when something fails: JSON under /api/, a plain page elsewhere.

A database that cannot be reached (down, restarting, failing over) is not a bug in the
request: it is a 503 with ``Retry-After``. Django reconnects on the next request, so
service resumes by itself when the database is back.
"""

import logging
import sys

from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

from factcheck.logs import refused

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5

logger = logging.getLogger("factcheck.errors")


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(request, status: int, detail: str, *, headers=None):
    if is_api(request):
        # Shaped like the API's own errors: a 400 also lists parameter problems (none here).
        body = {"detail": detail, "errors": {}} if status == 400 else {"detail": detail}
        return JsonResponse(body, status=status, headers=headers)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8", headers=headers)


def bad_request(request, detail: str):
    """400 for input no endpoint can read (NUL bytes, over-long fields); logged as refused."""
    refused(request, "bad input", detail=detail)
    return error_response(request, 400, detail)


def server_error(request):
    """The site's 500 handler (``handler500``), called while Django handles the exception."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        return error_response(
            request,
            503,
            "The service is briefly unavailable (database unreachable). Try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DataError):
        # The database refused a value the request carried (too long, out of range): bad input
        # that a form or parameter check should have caught. 400, and logged to be fixed.
        logger.warning("database refused a value from the request: %s", exc, extra={"event": "data_error"})
        return error_response(request, 400, "Invalid request: a value is out of range or too long.")
    if is_api(request):
        return JsonResponse({"detail": "Server error. It has been logged."}, status=500)
    return defaults.server_error(request)
