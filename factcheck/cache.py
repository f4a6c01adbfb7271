"""The shared cache (Redis), degrading to memory local to the process when Redis fails.

Redis holds the API throttle's counters. When it is closed, hung or flapping, a request
must not fail or wait for it: every call has a short socket timeout, and after a failure
the cache stops asking Redis for ``FACTCHECK_CACHE_RETRY_SECONDS`` and uses a per-process
memory cache instead, logging one warning per such interval.

Why a local fallback rather than failing open: the throttle keeps limiting each client
while Redis is away, only per process instead of across servers (each client may make
the allowed rate once per worker process), and cached values are recomputed rather than
lost in an error. Nothing the cache holds is the only copy of anything.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("factcheck.cache")


def redis_cache(url: str, *, timeout: float) -> dict:
    """The CACHES entry for the shared Redis at ``url``, with ``timeout`` seconds per socket call."""
    return {
        "BACKEND": "factcheck.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            # No retries: a second attempt at a dead server doubles the wait for nothing.
            "retry": Retry(NoBackoff(), 0),
        },
    }


# Per process, shared by the cache objects of every thread (Django makes one per thread):
# until when each Redis location is left alone.
_redis_down_until: dict[str, float] = {}
_lock = threading.Lock()


class OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, making one redis-py client per connection pool, not one per call.

    Each redis-py client copies its table of response callbacks (about 170 entries) when
    it is made: about 60 µs of CPU, more than the round trip to Redis, on every throttle
    count and every cache call. A client is safe to share: it takes a connection from its
    pool for each command.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        # Django's own pool lookup (the one its get_client uses), which its stubs do not declare.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            # Pools live as long as this object (Django keeps them): their ids stay theirs.
            client = self._clients[id(pool)] = super().get_client(key, write=write)
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answered from local memory while Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerPool
        self._location = server if isinstance(server, str) else ",".join(server)
        # LocMemCache keeps its data per name, process-wide: every thread sees the same counters.
        self._fallback = LocMemCache(f"redis-fallback:{self._location}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= _redis_down_until.get(self._location, 0.0):
            try:
                return getattr(super(), method)(*args, **kwargs)
            except (RedisError, OSError) as error:
                self._redis_failed(error)
        return getattr(self._fallback, method)(*args, **kwargs)

    def _redis_failed(self, error: Exception) -> None:
        retry = settings.FACTCHECK_CACHE_RETRY_SECONDS
        with _lock:
            # Several threads may fail at once: only the first one of an interval logs.
            if time.monotonic() < _redis_down_until.get(self._location, 0.0):
                return
            _redis_down_until[self._location] = time.monotonic() + retry
        logger.warning(
            "Redis unreachable (%s: %s); using this process's memory for %s s",
            type(error).__name__,
            error,
            retry,
            extra={"event": "cache_unavailable"},
        )

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def count(self, key: str, timeout: int, by: int = 1) -> int:
        """``by`` more hits on the counter ``key`` (created for ``timeout`` seconds): its new value."""
        if time.monotonic() >= _redis_down_until.get(self._location, 0.0):
            try:
                return self._redis_count(key, timeout, by)
            except (RedisError, OSError) as error:
                self._redis_failed(error)
        return count(self._fallback, key, timeout, by)

    def _redis_count(self, key: str, timeout: int, by: int) -> int:
        # One round trip where add() then incr() take three (Django's incr checks the key first).
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incrby(key, by)
        return int(pipe.execute()[1])

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")


def count(cache, key: str, timeout: int, by: int = 1) -> int:
    """``by`` more hits on a counter that lives ``timeout`` seconds from its first: the new value.

    Atomic on Redis (factcheck.cache.ResilientRedisCache, one round trip) and on a local
    memory cache (its own lock).
    """
    # Duck-typed: DRF's throttles hold django.core.cache.cache, a proxy to the real cache.
    one_trip = getattr(cache, "count", None)
    if one_trip is not None:
        return one_trip(key, timeout, by)
    if cache.add(key, by, timeout):
        return by
    try:
        return cache.incr(key, by)
    except ValueError:  # the counter expired between add and incr
        cache.set(key, by, timeout)
        return by
