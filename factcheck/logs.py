"""Structured logs: one JSON line per event, with the request it belongs to.

Every request gets an id (``X-Request-ID`` on the response, or the one a trusted proxy
sent). Lines logged while a request is served carry that id, its path, method, client
address and user id: never a password, token, cookie or query string value. Every 5xx is
logged (Django's ``django.request`` logger at ERROR), and so is every request refused as
abuse (locked-out login, throttled caller, oversized input), by ``refused()``.
"""

import contextvars
import json
import logging
import re
import traceback
import uuid
from datetime import UTC, datetime

from django.db import DatabaseError
from django.utils.functional import empty

from factcheck.clientip import client_ip

current_request = contextvars.ContextVar("current_request", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like; anything else is replaced with our own.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

abuse_logger = logging.getLogger("factcheck.abuse")


def new_request_id(request, *, trust_incoming: bool) -> str:
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if trust_incoming and REQUEST_ID_PATTERN.match(incoming):
        return incoming
    return uuid.uuid4().hex


def user_id(request, *, look_up: bool = False) -> int | None:
    """The authenticated user's id. Without ``look_up``, only if the request already knows it:
    an error's log line makes no query of its own (the database may be why it failed)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty and look_up:
        try:
            return user.pk if user.is_authenticated else None
        except DatabaseError:
            return None
    if wrapped is empty or wrapped is None:
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


def request_fields(request) -> dict:
    return {
        "request_id": getattr(request, "request_id", None),
        "method": request.method,
        "path": request.path,
        "client_ip": client_ip(request),
        "user_id": user_id(request),
    }


def refused(request, reason: str, **details) -> None:
    """Log a request refused as abuse (once per request, whatever refused it)."""
    if getattr(request, "_refusal_logged", False):
        return
    request._refusal_logged = True
    abuse_logger.warning(
        "refused: %s",
        reason,
        extra={"event": "refused", "reason": reason, "user_id": user_id(request, look_up=True), **details},
    )


class RequestContextFilter(logging.Filter):
    """Adds the current request's fields to every record logged while it is served."""

    def filter(self, record):
        request = current_request.get() or getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            for key, value in request_fields(request).items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


# Attributes every LogRecord has; the rest came from ``extra`` or the filter above.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request"}
_FIRST = ("request_id", "method", "path", "status_code", "client_ip", "user_id")


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: time, level, logger, message, request fields, extras."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _FIRST:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(line, default=str)
