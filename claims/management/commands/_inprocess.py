"""What the benchmarks' in-process requests share: the anonymous throttle lifted for their run,
and GETs through the WSGI application itself."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from wsgiref.util import setup_testing_defaults

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.http import HttpResponse
from rest_framework.throttling import AnonRateThrottle


@contextmanager
def unthrottled() -> Iterator[None]:
    """Anonymous requests unlimited inside (benchmarks send thousands), the throttle as it was after."""
    had_rate = "rate" in vars(AnonRateThrottle)
    saved = getattr(AnonRateThrottle, "rate", None)
    AnonRateThrottle.rate = "1000000/second"
    try:
        yield
    finally:
        if had_rate:
            AnonRateThrottle.rate = saved
        else:
            del AnonRateThrottle.rate


class WSGIClient:
    """GETs sent to the WSGI application, as an app server sends them, in this process.

    Every request goes through what a deployed one does (the WSGI handler, every
    middleware, the view, the response's iteration and close) and nothing else: Django's
    test client also records templates and exceptions, keeps cookies and decorates each
    response, which cost a list request about 40 µs that no deployed request pays.
    As in the test client, connections are kept across requests while it is in use
    (``kept_connections``): the floors a benchmark times run on the same connection, and a
    request must not close or health-check it between them.
    """

    def __init__(self, host: str = "testserver") -> None:
        self.application = WSGIHandler()
        self.host = host

    def get(self, url: str, headers: dict[str, str] | None = None) -> HttpResponse:
        path, _, query = url.partition("?")
        environ = {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": self.host,
            "HTTP_HOST": self.host,
            "REMOTE_ADDR": "127.0.0.1",
            **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()},
        }
        # The rest of what a WSGI server gives (method GET, protocol, wsgi.* keys): the standard library's defaults.
        setup_testing_defaults(environ)
        response = self.application(environ, _start_response)
        try:
            # What the server would write: the body, read to the end.
            for _ in response:
                pass
        finally:
            response.close()
        # The benchmarks read whole responses (their content), never streamed ones.
        assert isinstance(response, HttpResponse), f"{url} streamed its response"
        return response


def _start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> Callable[[bytes], object]:
    """What the server does with the status and headers: nothing here (the response object has them)."""
    return lambda data: None


@contextmanager
def kept_connections() -> Iterator[None]:
    """Requests neither close nor health-check the database connections while inside."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
