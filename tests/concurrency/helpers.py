"""Writers in threads, each with its own database connection, and ways to steer how they interleave.

A writer first *loads* (what a person sees when they open a page), then, once every
writer has loaded, *writes* (what they send back). ``race`` runs the writes at the same
moment in threads; ``in_turn`` runs them one after the other in a given order, the
interleaving in which the later writer's copy is plainly stale. ``overlap`` forces the
hardest interleaving: the second writer acts while the first is inside its transaction,
holding its locks, just before it writes.
"""

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections
from django.db.models.signals import pre_save

WAIT_SECONDS = 30


@dataclass
class Writer:
    load: Callable[[], Any]
    write: Callable[[Any], Any]
    # Seconds between the moment every writer has loaded and this writer's write.
    delay: float = 0.0
    # Seconds this writer stays inside its transaction, after its checks, before it saves.
    hold: float = 0.0


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None
    started: float = 0.0  # time.monotonic() when the write began
    finished: float = 0.0  # ... and when it returned or raised (its transaction is over)
    backend_pid: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Holds:
    """A ``pre_save`` receiver that keeps a writer inside its transaction for a while.

    Services save after they have locked the row and checked the version, so a pause
    here widens the window in which the other writer arrives while the lock is held.
    It changes no data and skips no code: it only makes one interleaving likelier.
    """

    def __init__(self):
        self.local = threading.local()

    def receiver(self, sender, instance, **kwargs):
        seconds = getattr(self.local, "seconds", 0.0)
        if seconds:
            self.local.seconds = 0.0  # once per write: the first save after the checks
            time.sleep(seconds)


def _backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _run_write(writer: Writer, state: Any, outcome: Outcome, holds: _Holds) -> None:
    holds.local.seconds = writer.hold
    outcome.started = time.monotonic()
    try:
        outcome.value = writer.write(state)
    except Exception as error:  # the outcome under test: kept and asserted on by the caller
        outcome.error = error
    finally:
        outcome.finished = time.monotonic()
        holds.local.seconds = 0.0


def race(writers: list[Writer], *, models: Iterable[type] = ()) -> list[Outcome]:
    """Every writer in its own thread and connection: all load, then all write at once."""
    holds = _Holds()
    outcomes = [Outcome() for _ in writers]
    barrier = threading.Barrier(len(writers), timeout=WAIT_SECONDS)

    def run(writer: Writer, outcome: Outcome) -> None:
        try:
            outcome.backend_pid = _backend_pid()
            state = writer.load()
            barrier.wait()
            time.sleep(writer.delay)
            _run_write(writer, state, outcome, holds)
        except Exception as error:
            barrier.abort()
            outcome.error = error
        finally:
            # The thread's connection is its own: close it, or the test database could not be flushed or dropped.
            connections.close_all()

    for model in models:
        pre_save.connect(holds.receiver, sender=model, dispatch_uid=f"race-hold-{model.__name__}")
    try:
        threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in zip(writers, outcomes, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT_SECONDS)
        assert not any(thread.is_alive() for thread in threads), "a writer is stuck (deadlock?)"
    finally:
        for model in models:
            pre_save.disconnect(sender=model, dispatch_uid=f"race-hold-{model.__name__}")
    for outcome in outcomes:
        if isinstance(outcome.error, threading.BrokenBarrierError):
            raise AssertionError("a writer failed before writing") from outcome.error
    return outcomes


def in_turn(writers: list[Writer], order: list[int]) -> list[Outcome]:
    """All writers load, then write one after the other in ``order`` (in this thread)."""
    states = [writer.load() for writer in writers]
    outcomes = [Outcome() for _ in writers]
    holds = _Holds()
    for index in order:
        _run_write(writers[index], states[index], outcomes[index], holds)
    return outcomes


def waiting_on_lock(pid: int) -> bool:
    """Whether the PostgreSQL backend ``pid`` is waiting for a lock another transaction holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def _until_second_finishes_or_waits(two: threading.Thread, result: "Overlap") -> None:
    """Wait until the second writer is done or blocked on the first one's lock; note which."""
    wait_for(
        lambda: (
            not two.is_alive() or (result.second.backend_pid is not None and waiting_on_lock(result.second.backend_pid))
        ),
        "the second writer finished or waited on a lock",
    )
    result.second_waited = two.is_alive()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.005)


@dataclass
class Overlap:
    first: Outcome
    second: Outcome
    # Whether the second writer had to wait for a lock the first held (else it ran to the end).
    second_waited: bool = False
    notes: list[str] = field(default_factory=list)


def overlap(first: Callable[[], Any], second: Callable[[], Any], *, hold_on: type) -> Overlap:
    """Run ``first`` until it is about to save a ``hold_on`` row, inside its transaction and
    after its checks; then run ``second``, and let ``first`` go on only once ``second`` has
    either finished or is waiting on a lock. PostgreSQL only (it reads pg_stat_activity).
    """
    reached, release = threading.Event(), threading.Event()
    holder: list[int] = []
    result = Overlap(Outcome(), Outcome())

    def hold(sender, instance, **kwargs):
        if holder and threading.get_ident() == holder[0] and not reached.is_set():
            reached.set()
            if not release.wait(WAIT_SECONDS):
                raise RuntimeError("the held writer was never released")

    def run(work: Callable[[], Any], outcome: Outcome, *, holds: bool) -> None:
        try:
            if holds:
                holder.append(threading.get_ident())
            outcome.backend_pid = _backend_pid()
            outcome.started = time.monotonic()
            outcome.value = work()
        except Exception as error:
            outcome.error = error
        finally:
            outcome.finished = time.monotonic()
            connections.close_all()

    uid = f"overlap-hold-{hold_on.__name__}"
    pre_save.connect(hold, sender=hold_on, dispatch_uid=uid)
    try:
        one = threading.Thread(target=run, args=(first, result.first), kwargs={"holds": True}, daemon=True)
        one.start()
        wait_for(lambda: reached.is_set() or not one.is_alive(), "the first writer reached its save")
        assert reached.is_set(), f"the first writer ended before saving: {result.first.error!r}"
        two = threading.Thread(target=run, args=(second, result.second), kwargs={"holds": False}, daemon=True)
        two.start()
        _until_second_finishes_or_waits(two, result)
        release.set()
        one.join(WAIT_SECONDS)
        two.join(WAIT_SECONDS)
        assert not one.is_alive() and not two.is_alive(), "a writer is stuck (deadlock?)"
    finally:
        release.set()
        pre_save.disconnect(sender=hold_on, dispatch_uid=uid)
    return result


class _RollBack(Exception):
    """Ends the held transaction without committing it."""


def after_uncommitted(first: Callable[[], Any], second: Callable[[], Any], *, first_commits: bool = True) -> Overlap:
    """Run ``first`` in a transaction left open (its writes done, not committed), then run
    ``second`` on another connection; once ``second`` waits on a lock or ends, commit (or roll
    back) ``first``. For raw writes that send no signal to pause on. PostgreSQL only.
    """
    from django.db import transaction

    written, release = threading.Event(), threading.Event()
    result = Overlap(Outcome(), Outcome())

    def run_first() -> None:
        try:
            result.first.backend_pid = _backend_pid()
            with transaction.atomic():
                result.first.value = first()
                written.set()
                if not release.wait(WAIT_SECONDS):
                    raise RuntimeError("the first transaction was never released")
                if not first_commits:
                    raise _RollBack
        except _RollBack:
            pass
        except Exception as error:
            result.first.error = error
        finally:
            written.set()
            connections.close_all()

    def run_second() -> None:
        try:
            result.second.backend_pid = _backend_pid()
            result.second.value = second()
        except Exception as error:
            result.second.error = error
        finally:
            connections.close_all()

    one = threading.Thread(target=run_first, daemon=True)
    one.start()
    try:
        wait_for(written.is_set, "the first transaction wrote")
        assert result.first.ok, f"the first writer failed: {result.first.error!r}"
        two = threading.Thread(target=run_second, daemon=True)
        two.start()
        _until_second_finishes_or_waits(two, result)
    finally:
        release.set()
    one.join(WAIT_SECONDS)
    two.join(WAIT_SECONDS)
    assert not one.is_alive() and not two.is_alive(), "a writer is stuck (deadlock?)"
    return result


def run_pair(interleaving: str, rng: random.Random, writers: list[Writer], models) -> list[Outcome]:
    """One randomised edit pair: in overlapping threads with random pauses, or one after the other."""
    if interleaving == "threads":
        for writer in writers:
            writer.delay = rng.choice([0.0, 0.0, rng.uniform(0, 0.01)])
            writer.hold = rng.choice([0.0, rng.uniform(0, 0.02)])
        return race(writers, models=models)
    return in_turn(writers, rng.sample(range(len(writers)), len(writers)))
