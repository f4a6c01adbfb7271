"""Request limits for anonymous callers."""

from rest_framework import throttling

from factcheck import cache as counters
from factcheck.clientip import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous limit (same setting, same per-address keys), counted in fixed windows.

    DRF's default keeps the time of every request a client made in the window and writes
    the whole list back on each request: the cost grows with the allowed rate, and two
    concurrent requests overwrite each other's update. A counter per window is one
    atomic increment (INCR on Redis) whatever the rate.
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
        count = counters.count(self.cache, f"{self.key}:{window}", self.duration + 1)
        self.wait_seconds = self.duration - (now - window * self.duration)
        return count <= self.num_requests

    def wait(self):
        return self.wait_seconds
