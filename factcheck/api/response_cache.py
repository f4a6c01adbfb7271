"""Public API responses kept in each process, by ETag, for the public record's current version.

A public response's ETag (factcheck.api.revalidation) is a digest of everything that
decides it: the release, the public record's version and the request. Two requests with
the same ETag get the same bytes, so the bytes can be kept and served again without
building the page: exact by construction, never stale. When the version moves, every
kept response is of an older version and none can be asked for again, so they are all
dropped at once.

Only anonymous GETs of endpoints ``revalidated_by_version`` are kept and served (the
middleware decides), only successful, non-streaming responses, each at most
``MAX_ENTRY_FRACTION`` of the budget, least recently used first out once the budget
(``FACTCHECK_API_RESPONSE_CACHE_BYTES`` per process; 0 turns the cache off) is full.
Why in the process rather than Redis: a hit then costs no network round trip and no
outage of Redis can serve anything wrong or slow; a CDN in front (README: Production)
still takes the bulk of repeated reads off every server.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse

MAX_ENTRY_FRACTION = 0.125
# Headers a kept response is served with again: what the view and the middleware after
# the cache's set (content, validators, caching). Per-request headers (X-Request-ID, CORS,
# security headers) are added again by the middleware before it, on every response.
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Language", "Link")


@dataclass(frozen=True)
class Kept:
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        # As CommonMiddleware sets it on a response built now (it runs after this one's middleware).
        response["Content-Length"] = str(len(self.content))
        return response


class ResponseCache:
    """Responses by ETag for one version of the public record, within a byte budget."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._entries: OrderedDict[str, Kept] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @staticmethod
    def budget() -> int:
        return settings.FACTCHECK_API_RESPONSE_CACHE_BYTES

    def _at(self, version: int) -> None:
        # Called with the lock held: responses of another version can never be asked for again.
        if version != self._version:
            self._version = version
            self._entries.clear()
            self._bytes = 0

    def get(self, version: int, tag: str) -> HttpResponse | None:
        if not self.budget():
            return None
        with self._lock:
            self._at(version)
            kept = self._entries.get(tag)
            if kept is None:
                self.misses += 1
                return None
            self._entries.move_to_end(tag)
            self.hits += 1
        return kept.response()

    def put(self, version: int, tag: str, response) -> None:
        """Keep ``response`` if it is the complete answer labelled ``tag`` and fits the budget."""
        budget = self.budget()
        if (
            not budget
            or response.status_code != 200
            or response.streaming
            or response.get("ETag") != tag
            or response.has_header("Set-Cookie")
        ):
            return
        content = response.content
        if len(content) > budget * MAX_ENTRY_FRACTION:
            return
        headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
        with self._lock:
            self._at(version)
            if tag in self._entries:
                return
            self._entries[tag] = Kept(content, headers)
            self._bytes += len(content)
            while self._bytes > budget:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.content)

    def clear(self) -> None:
        with self._lock:
            self._version = None
            self._entries.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    @property
    def size(self) -> tuple[int, int]:
        """(responses kept, bytes kept)."""
        with self._lock:
            return len(self._entries), self._bytes


responses = ResponseCache()
