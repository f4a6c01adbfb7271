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

import time
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Model

from .models import Claim, PublicRecordVersion
from .visibility import published_verdict_exists

VERSION_TABLE = PublicRecordVersion._meta.db_table
MARKER_TABLE = "claims_publicrecordchange"


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
