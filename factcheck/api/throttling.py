"""Request limits for anonymous callers."""

from rest_framework import throttling

from factcheck.clientip import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous limit (same setting, same per-address keys), counted in fixed windows.

    DRF's default keeps the time of every request a client made in the window and writes
    the whole list back on each request: the cost grows with the allowed rate, and two
    concurrent requests overwrite each other's update. A counter per window is one
    atomic increment (INCR on Redis) whatever the rate.
    """

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{self.key}:{window}"
        if self.cache.add(key, 1, self.duration + 1):
            count = 1
        else:
            try:
                count = self.cache.incr(key)
            except ValueError:  # the window's counter expired between add and incr
                self.cache.set(key, 1, self.duration + 1)
                count = 1
        self.wait_seconds = self.duration - (now - window * self.duration)
        return count <= self.num_requests

    def wait(self):
        return self.wait_seconds
