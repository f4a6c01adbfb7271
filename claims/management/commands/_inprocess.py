"""What the benchmarks' in-process requests share: the anonymous throttle lifted for their run."""

from collections.abc import Iterator
from contextlib import contextmanager

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
