"""Read replicas: public reads go to a replica, everything else to the primary.

A request may read from a replica only when ReplicaReadsMiddleware allows it: a GET or
HEAD on the public API or the public pages. Within such a request, reads go to a healthy
replica until the request writes anything; from then on they go to the primary, so a
request always reads what it wrote. The desk's own records (accounts, tokens, sessions,
login attempts) are always read from the primary, so a new token or a revoked permission
takes effect at once. Outside requests (management commands, the shell) and in the admin,
everything uses the primary.

A replica that cannot be reached is left alone for FACTCHECK_REPLICA_RETRY_SECONDS and
its reads go to the primary (or another replica) meanwhile. Writes always go to the
primary; migrations run there only.
"""

import logging
import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

# Set per request by ReplicaReadsMiddleware; ContextVars keep threads and tasks apart.
replica_reads_allowed: ContextVar[bool] = ContextVar("replica_reads_allowed", default=False)
request_has_written: ContextVar[bool] = ContextVar("request_has_written", default=False)

PRIMARY_ONLY_APPS = {"auth", "authtoken", "sessions", "axes", "contenttypes", "admin", "integrations"}

_down_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return list(getattr(settings, "FACTCHECK_READ_REPLICAS", []))


def mark_down(alias: str) -> None:
    _down_until[alias] = time.monotonic() + settings.FACTCHECK_REPLICA_RETRY_SECONDS


def is_available(alias: str) -> bool:
    """Whether ``alias`` can take reads now; connects if it has no open connection."""
    if time.monotonic() < _down_until.get(alias, 0.0):
        return False
    connection = connections[alias]
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        logger.warning("Read replica %s is unreachable, reading from the primary: %s", alias, error)
        connection.close()
        mark_down(alias)
        return False
    _down_until.pop(alias, None)
    return True


class ReadReplicaRouter:
    """Routes public reads to replicas (see the module docstring)."""

    def db_for_read(self, model, **hints):
        if not replica_reads_allowed.get() or request_has_written.get():
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        replicas = replica_aliases()
        random.shuffle(replicas)
        for alias in replicas:
            if is_available(alias):
                return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Anything read after this in the same request must see the write.
        request_has_written.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the same rows as the primary: objects from any of them may relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas copy the primary's schema; production migrates the primary only
        # (`manage.py migrate` uses it by default). Test databases standing in for
        # replicas are migrated like any other.
        return None
