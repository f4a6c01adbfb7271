"""Request limits for anonymous callers."""

import threading
from dataclasses import dataclass

from rest_framework import throttling

from factcheck import cache as counters
from factcheck.clientip import client_ip

# A lease is at most this share of what is left of a client's limit (1/LEASE_SHARE), and at
# most LEASE_MOST requests: below 2 x LEASE_SHARE requests per window, every request is
# counted in the shared counter as it comes.
LEASE_SHARE = 64
LEASE_MOST = 64


@dataclass
class _Held:
    limit: int
    seen: int = 0  # the shared counter's value at this process's last lease
    unspent: int = 0


class Leases:
    """Allowances this process has counted in the shared counters ahead of spending them.

    Counting each request in Redis costs a round trip: about 50 µs of the worker's CPU
    and some of Redis's, more than a whole 304 costs otherwise. So a process takes
    several of a client's allowances at once (INCRBY n) and spends them without asking
    again. The shared counter counts allowances taken, not requests served, so the
    limit holds exactly across processes and servers: no client is ever served more
    than its limit in a window. The price is on the other side: a client spread over
    several processes can be refused while allowances it was lent sit unspent in
    another one: at most one lease per process, or per thread of it that asked Redis at
    the same moment (each lease 1/64 of what this process last saw left of the limit,
    at most 64). Leases start at one request per client and window, grow with what the
    shared counter shows left, and end with the window. A limit changed mid-window (an
    API key's, in the admin) drops what was lent under the old one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Per window length: the current window and what is held for each counter in it.
        # Old windows are dropped whole, so memory follows the clients of the current one.
        self._windows: dict[int, tuple[int, dict[str, _Held]]] = {}

    def allow(self, cache, key: str, window: int, duration: int, limit: int) -> bool:
        """Whether one more request on ``key`` in ``window`` is within ``limit``; counts it."""
        with self._lock:
            current, held_by_key = self._windows.get(duration, (-1, {}))
            if window > current:
                current, held_by_key = window, {}
                self._windows[duration] = (current, held_by_key)
            held = held_by_key.get(key) if window == current else None
            if held is None or held.limit != limit:
                held = _Held(limit)
                if window == current:
                    held_by_key[key] = held
            if held.unspent:
                held.unspent -= 1
                return True
            lease = 1 if not held.seen else min(LEASE_MOST, max(1, (limit - held.seen) // LEASE_SHARE))
        # Outside the lock: the other threads of this process go on while Redis answers.
        total = counters.count(cache, f"{key}:{window}", duration + 1, by=lease)
        granted = min(lease, limit - (total - lease))
        with self._lock:
            held.seen = max(held.seen, total)
            if granted > 1:
                held.unspent += granted - 1
        return granted > 0

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


leases = Leases()


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous limit (same setting, same per-address keys), counted in fixed windows.

    DRF's default keeps the time of every request a client made in the window and writes
    the whole list back on each request: the cost grows with the allowed rate, and two
    concurrent requests overwrite each other's update. A counter per window is one
    atomic increment (INCRBY on Redis) whatever the rate, taken in leases (``Leases``).
    """

    # Set by DRF from the rate when there is one (allow_request returns first when there is none).
    num_requests: int
    duration: int

    def get_ident(self, request):
        return client_ip(request)

    @classmethod
    def counted(cls, request) -> bool:
        """Count ``request`` (a Django request) now; whether it is within the limit.

        The verdict is kept on the request: the view's throttle (after the revalidation
        middleware's count) reuses it instead of counting the request twice.
        """
        throttle = cls()
        allowed = throttle._count(request, None)
        request.META[throttle._verdict_key()] = (allowed, getattr(throttle, "wait_seconds", None))
        return allowed

    def _verdict_key(self) -> str:
        return f"factcheck.throttle.{self.scope}"

    def allow_request(self, request, view):
        verdict = request.META.get(self._verdict_key())
        if verdict is not None:
            allowed, self.wait_seconds = verdict
            return allowed
        return self._count(request, view)

    def _count(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = self.duration - (now - window * self.duration)
        return leases.allow(self.cache, self.key, window, self.duration, self.num_requests)

    def wait(self):
        return self.wait_seconds
