"""Timing helpers for the benchmark commands: in-process HTTP through the full stack."""

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class Timing:
    label: str
    median_ms: float
    min_ms: float
    max_ms: float
    queries: int
    status: int
    size: int


def time_get(client: Client, label: str, url: str, *, runs: int = 5, **headers) -> Timing:
    """GET ``url`` once to warm up, then ``runs`` times; the first timed run also counts queries."""
    response = client.get(url, **headers)
    durations = []
    queries = 0
    for run in range(runs):
        if run == 0:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, **headers)
                durations.append(time.perf_counter() - started)
            queries = len(ctx)
        else:
            started = time.perf_counter()
            response = client.get(url, **headers)
            durations.append(time.perf_counter() - started)
    return Timing(
        label=label,
        median_ms=statistics.median(durations) * 1000,
        min_ms=min(durations) * 1000,
        max_ms=max(durations) * 1000,
        queries=queries,
        status=response.status_code,
        size=len(response.content),
    )


def time_callable(function, *, runs: int = 5) -> float:
    """Median milliseconds of ``function()`` over ``runs`` calls, after one warm-up call."""
    function()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1000
