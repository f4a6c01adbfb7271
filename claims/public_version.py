"""The public record's version: moved, in the same transaction, by every change the public can see.

The public API answers a conditional GET by comparing the caller's ETag with one made
from this version and the request (``factcheck.api.revalidation``), without building the
page. For that to be exact, everything that changes what the public sees must call
:func:`changed` (or :func:`claims_changed`) inside the transaction that makes the change,
and nothing the public cannot see may call it (an ETag that moves when a draft is saved
tells the public the desk is at work). The callers: ``claims.signals`` for rows saved
one at a time (verdicts, evidence, claims, speakers, topics, ratings, sources,
publishers), ``claims.services.public_record_changed`` for a claim's parts, and the bulk
writers (``claims.bulk``, the importer's updates).

How it moves. On PostgreSQL :func:`changed` inserts a marker row; a deferred constraint
trigger (migration 0020) turns the transaction's markers into one update of the version
row at commit. The row is locked only while committing, after every other lock the
transaction takes, so writers never wait on it in the middle of their work nor deadlock
over it. Until the commit, the transaction itself reads the version plus its pending
markers (:func:`current`), so its own reads see the change, as tests in a transaction
do. On SQLite, which has one writer at a time, the row is updated at once.
"""

import logging
import os
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, router
from django.db.models import Model

from .models import Claim, PublicRecordVersion
from .visibility import published_verdict_exists

VERSION_TABLE = PublicRecordVersion._meta.db_table
MARKER_TABLE = "claims_publicrecordchange"
# The trigger's NOTIFY channel (migration 0020): the new version, sent when a change commits.
CHANNEL = "claims_public_record"

logger = logging.getLogger("factcheck.revalidation")


def _database(model: type[Model] = PublicRecordVersion) -> str:
    return router.db_for_write(model)


def changed(using: str | None = None) -> None:
    """The current transaction changes what the public sees: move the version when it commits."""
    connection = connections[using or _database()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"INSERT INTO {MARKER_TABLE} DEFAULT VALUES")
            return
        now = time.time_ns() // 1000
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, %s) "
            f"ON CONFLICT (id) DO UPDATE SET version = max({VERSION_TABLE}.version + 1, excluded.version)",
            [now],
        )


def claims_changed(claim_ids: Iterable[int]) -> None:
    """Parts of these claims changed: the public sees it if one of them has a published verdict.

    A claim without one is either not yet public or withdrawn, and a withdrawn claim shows
    only its wording as retracted (claims.visibility), which later work does not change.
    """
    claim_ids = list(claim_ids)
    if claim_ids and Claim.objects.filter(pk__in=claim_ids).filter(published_verdict_exists()).exists():
        changed()


# The version as SQL: the committed version, plus the markers this transaction has written
# and not yet committed (nobody else ever sees them: the trigger deletes them at commit).
POSTGRESQL_VERSION_SQL = (
    f"(SELECT coalesce((SELECT version FROM {VERSION_TABLE} WHERE id = 1), 0)"
    f" + (SELECT count(*) FROM {MARKER_TABLE}))"
)
OTHER_VERSION_SQL = f"(SELECT coalesce((SELECT version FROM {VERSION_TABLE} WHERE id = 1), 0))"


def version_sql(vendor: str) -> str:
    """A scalar subquery giving the current version, to read it within another statement."""
    return POSTGRESQL_VERSION_SQL if vendor == "postgresql" else OTHER_VERSION_SQL


def current(using: str) -> int:
    """The version as the database ``using`` has it now (a read replica's may lag: its data too)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version_sql(connection.vendor)}")
        return int(cursor.fetchone()[0])


class VersionWatch:
    """The committed version as this process last heard it from PostgreSQL, without a query.

    A thread holds a connection of its own that LISTENs on the trigger's channel: each
    commit that moves the version notifies it with the new value, which is then what
    :meth:`heard` answers. It also reads the version itself when it connects (after
    LISTEN, so no commit falls in between) and every ``REREAD_SECONDS``, which bounds how
    late a lost notification can make it. While it is not connected, :meth:`heard` is
    None and callers query (``current``). A notification arrives a moment after its
    commit: an answer given in that moment is the one a request a moment earlier got.

    Started in each process on first use (after a fork the parent's thread is gone).
    """

    REREAD_SECONDS = 5.0
    RETRY_SECONDS = 2.0

    def __init__(self):
        self._version: int | None = None
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def heard(self) -> int | None:
        if self._pid != os.getpid():
            self._start()
        return self._version

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._version = os.getpid(), None
            self._stopping.clear()
            self._thread = threading.Thread(target=self._listen, name="public-record-version", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Close the listening connection (tests; nothing else needs to)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pid, self._version, self._thread = None, None, None

    def _connect(self):
        # Imported here: SQLite deployments never listen and need not load psycopg.
        import psycopg

        url = settings.FACTCHECK_PUBLIC_VERSION_LISTEN_URL
        if url:
            return psycopg.connect(url, autocommit=True)
        params = connections["default"].get_connection_params()
        return psycopg.connect(**params, autocommit=True)

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    while not self._stopping.is_set():
                        row = connection.execute(f"SELECT {POSTGRESQL_VERSION_SQL}").fetchone()
                        assert row is not None  # a SELECT without FROM returns its one row
                        self._version = max(self._version or 0, int(row[0]))
                        for notification in connection.notifies(timeout=self.REREAD_SECONDS):
                            self._version = max(self._version or 0, int(notification.payload))
                            if self._stopping.is_set():
                                break
            except Exception as error:  # any failure: stop answering, query instead, try again
                self._version = None
                logger.warning(
                    "Not listening for public record changes (%s: %s); reading the version per request",
                    type(error).__name__,
                    error,
                    extra={"event": "version_listener_down"},
                )
                self._stopping.wait(self.RETRY_SECONDS)
        self._version = None


watch = VersionWatch()


def heard(using: str) -> int | None:
    """The version for a request reading from ``using`` as heard without a query, when that is exact.

    Heard only on the primary (notifications come from it; a replica's data may lag them)
    and outside a transaction (one that changed the public record sees its own change,
    which nobody has been notified of yet). None otherwise.
    """
    connection = connections[using]
    if (
        settings.FACTCHECK_PUBLIC_VERSION_LISTEN
        and connection.vendor == "postgresql"
        and using == "default"
        and not connection.in_atomic_block
    ):
        return watch.heard()
    return None


def latest(using: str) -> int:
    """The version for a request reading from ``using``: as heard, when that is exact, else queried."""
    version = heard(using)
    return current(using) if version is None else version
