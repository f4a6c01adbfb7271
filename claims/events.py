"""Signals the desk's writes send, for whatever acts on public changes (webhooks).

Sent inside the writing transaction: a receiver's own writes commit or roll back with the
change.
"""

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.dispatch import Signal

# A verdict was published, corrected or retracted: arguments ``verdict`` (the standing or
# retracted verdict) and ``change`` ("published", "corrected" or "retracted").
verdict_changed = Signal()

# The public record of these claims changed (their text, quotes, topics): ``claim_ids``.
claims_changed = Signal()

_gathering: ContextVar[set[int] | None] = ContextVar("claims_changed_gathering", default=None)


def claims_did_change(claim_ids: Iterable[int]) -> None:
    """Send ``claims_changed``, or, inside a save that gathers changes, note them for its end."""
    gathered = _gathering.get()
    if gathered is not None:
        gathered.update(claim_ids)
    else:
        claims_changed.send(sender=None, claim_ids=list(claim_ids))


def gather_claim_changes(function: Callable[..., Any]) -> Callable[..., Any]:
    """One ``claims_changed`` for a whole save, after its text, topics and quotes are all written.

    A claim saved with its topics and appearances changes in three steps; receivers should
    hear of it once, with the finished state.
    """

    @wraps(function)
    def gathering(*args, **kwargs):
        if _gathering.get() is not None:
            return function(*args, **kwargs)
        gathered: set[int] = set()
        token = _gathering.set(gathered)
        try:
            result = function(*args, **kwargs)
        finally:
            _gathering.reset(token)
        if gathered:
            claims_changed.send(sender=None, claim_ids=sorted(gathered))
        return result

    return gathering
