"""The throttle's leases: requests counted in Redis ahead of use, never past a client's limit.

Each ``Leases`` object below stands for one worker process; two of them sharing one
Redis counter are two processes (or servers) serving the same client.
"""

import random
import threading
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from factcheck.api.throttling import LEASE_MOST, LEASE_SHARE, Leases, leases
from factcheck.cache import redis_cache

REDIS_URL = "redis://127.0.0.1:6379/6"  # a database number of its own on the shared Redis
KEY = "throttle_anon_192.0.2.7"
WINDOW = 1_000
DURATION = 60


@pytest.fixture
def redis():
    """The shared cache on a real Redis, empty before and after."""
    with override_settings(CACHES={"default": redis_cache(REDIS_URL, timeout=1)}):
        cache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


def counted(cache, window: int = WINDOW) -> int:
    """The shared counter's value: the allowances every process has taken in ``window``."""
    client = cache._cache.get_client(write=True)
    value = client.get(cache.make_and_validate_key(f"{KEY}:{window}"))
    return int(value or 0)


def unspent(process: Leases) -> int:
    return sum(held.unspent for _, by_key in process._windows.values() for held in by_key.values())


def test_a_small_limit_is_counted_request_by_request(redis):
    process = Leases()
    verdicts = [process.allow(redis, KEY, WINDOW, DURATION, 3) for _ in range(5)]
    assert verdicts == [True, True, True, False, False]
    assert counted(redis) == 5


def test_a_large_limit_is_counted_in_leases(redis):
    limit = 1_000_000
    process = Leases()
    assert process.allow(redis, KEY, WINDOW, DURATION, limit)
    # The first request of a window is counted alone: nothing is known of the client yet.
    assert counted(redis) == 1
    assert process.allow(redis, KEY, WINDOW, DURATION, limit)
    lease = min(LEASE_MOST, (limit - 1) // LEASE_SHARE)
    assert counted(redis) == 1 + lease
    # The rest of the lease is spent without asking Redis.
    for _ in range(lease - 1):
        assert process.allow(redis, KEY, WINDOW, DURATION, limit)
    assert counted(redis) == 1 + lease
    assert process.allow(redis, KEY, WINDOW, DURATION, limit)
    assert counted(redis) == 1 + 2 * lease


def test_leases_shrink_near_the_limit_and_never_pass_it(redis):
    limit = 1_000
    process = Leases()
    allowed = 0
    while process.allow(redis, KEY, WINDOW, DURATION, limit):
        allowed += 1
    # One process alone gets the whole limit, exactly: leases shrink to one request at the end.
    assert allowed == limit
    assert unspent(process) == 0
    # Round trips: one per lease, far fewer than requests.
    assert counted(redis) == limit + 1


def test_processes_sharing_a_client_never_serve_more_than_its_limit(redis):
    limit = 2_000
    processes = [Leases(), Leases(), Leases()]
    served = [0, 0, 0]
    picks = random.Random(14)
    refused_in_a_row = 0
    while refused_in_a_row < 50:
        which = picks.randrange(3)
        if processes[which].allow(redis, KEY, WINDOW, DURATION, limit):
            served[which] += 1
            refused_in_a_row = 0
        else:
            refused_in_a_row += 1
    lent = sum(unspent(process) for process in processes)
    # Nothing past the limit, and nothing lost: what was not served is still lent out.
    assert sum(served) + lent == limit
    # What another process still holds is at most one lease each.
    assert lent <= 2 * min(LEASE_MOST, limit // LEASE_SHARE)
    assert all(served)


def test_threads_of_two_processes_never_serve_more_than_the_limit(redis):
    limit = 3_000
    processes = [Leases(), Leases()]
    served = [0] * 8
    start = threading.Barrier(8)

    def worker(slot: int) -> None:
        process = processes[slot % 2]
        start.wait()
        for _ in range(600):
            if process.allow(redis, KEY, WINDOW, DURATION, limit):
                served[slot] += 1

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 4,800 asked for, 3,000 allowed in all: served plus still lent, never more.
    assert sum(served) + sum(unspent(process) for process in processes) == limit
    # Threads of a process that found nothing lent may each have taken a lease at once.
    assert sum(served) >= limit - 8 * min(LEASE_MOST, limit // LEASE_SHARE)


def test_a_new_window_starts_from_one_request(redis):
    limit = 1_000_000
    process = Leases()
    for _ in range(3):
        process.allow(redis, KEY, WINDOW, DURATION, limit)
    assert unspent(process) > 0
    assert process.allow(redis, KEY, WINDOW + 1, DURATION, limit)
    # What was lent in the old window is not spent in the new one, and is dropped.
    assert counted(redis, WINDOW + 1) == 1
    assert unspent(process) == 0


def test_a_lowered_limit_takes_effect_at_the_next_request(redis):
    """An API key's limit lowered in the admin: what was lent under the old one is dropped."""
    process = Leases()
    for _ in range(3):
        assert process.allow(redis, KEY, WINDOW, DURATION, 1_000_000)
    assert unspent(process) > 0
    assert not process.allow(redis, KEY, WINDOW, DURATION, 3)


@pytest.mark.django_db
def test_the_api_counts_anonymous_requests_in_leases(client, monkeypatch):
    from factcheck.api.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})
    if time.time() % 60 > 55:  # one window for the whole test: wait for the next one
        time.sleep(60.5 - time.time() % 60)
    with override_settings(CACHES={"default": redis_cache(REDIS_URL, timeout=1)}):
        cache = caches["default"]
        cache.clear()
        leases.clear()
        statuses = [client.get("/api/v1/ratings/").status_code for _ in range(200)]
        connection = cache._cache.get_client(write=True)
        keys = [key for key in connection.scan_iter() if b"throttle" in key]
        values = [int(connection.get(key)) for key in keys]
        cache.clear()
    assert statuses == [200] * 200
    # One counter, taken in 1 + 4 leases of 64 (five round trips for 200 requests).
    assert len(keys) == 1
    assert values == [1 + 4 * LEASE_MOST]
