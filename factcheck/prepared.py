"""Statements PostgreSQL plans once per connection: the public API's hot reads.

Planning a list page's statement costs PostgreSQL about as much as running it (at a
million claims, 1.1 ms of planning against 1.0-2.3 ms of execution), and the API sends
the same few statements over and over. psycopg prepares a statement once a connection
has run it ``prepare_threshold`` times (settings: ``DATABASE_PREPARE_THRESHOLD``, 5 by
default), but only for a cursor that sends its parameters separately; Django's cursors
inline them (client-side binding, the default), so nothing they run is ever prepared.

:func:`prepared_cursor` gives the statements that serve every request (list pages, the
matches' re-read) a psycopg cursor of the server-side kind, wrapped as Django wraps its
own (errors, query logging, execute wrappers). Each statement is sent with its values
inlined, as Django would send it: one text per list shape and page, so a page asked for
again is planned once, and never with a generic plan that guessed its values (a
statement without parameters has only one plan). The values are inlined by Django's own
``compose_sql`` (psycopg's client-side quoting), once per statement and values
(``COMPOSED``).

:func:`parameters_apart` makes Django's own cursors send their parameters separately for
a while (psycopg's server-side binding), so that the ORM statements of a detail, which
look an object up by its key, are prepared too. Planning them cost two thirds of their
time at a million claims; one plan fits every key. It is not the default for every
statement (``DATABASE_SERVER_SIDE_BINDING``): a list filtered by a skewed value would
then be run with a plan made for any value.

:class:`Recompiled` serves reads whose only variable is a list of keys (the matches of a
similar-claims request): their SQL is compiled by Django once per process, not per request.

Where nothing may be prepared (``DATABASE_PREPARE_THRESHOLD=off``, needed behind a
pooler that does not keep server sessions for a client: PgBouncer in transaction mode
before 1.21), the same cursor runs every statement unprepared. Other databases get
Django's cursor.
"""

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Any

import psycopg
from django.db import connections, models, router
from psycopg.types.datetime import TimestamptzLoader


class BoundedCache:
    """The last ``size`` values built, by key, for this process (oldest dropped first)."""

    def __init__(self, size: int):
        self.size = size
        self.values: dict = {}
        self.lock = threading.Lock()

    def get(self, key, build: Callable[[], Any]):
        value = self.values.get(key)
        if value is None:
            value = build()
            with self.lock:
                self.values.pop(key, None)
                while len(self.values) >= self.size:
                    self.values.pop(next(iter(self.values)))
                self.values[key] = value
        return value


# Statements as sent, by database, SQL and values (each with its type: True and 1 are equal
# keys, not equal SQL). Quoting a page's values again cost 0.1-0.2 ms of a list request, and
# the same page is asked for over and over (every list's first page above all).
COMPOSED = BoundedCache(1024)


class _Inlining:
    """Django's cursor wrapper around a server-side-binding cursor, sent each statement with its values inlined."""

    def __init__(self, wrapped, connection) -> None:
        self._wrapped = wrapped
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] | None = None):
        if params is None:
            return self._wrapped.execute(sql)
        key = (self._connection.alias, sql, *((type(value), value) for value in params))
        try:
            hash(key)
        except TypeError:  # a list among the values: quoted each time
            return self._wrapped.execute(self._connection.ops.compose_sql(sql, params))
        return self._wrapped.execute(COMPOSED.get(key, lambda: self._connection.ops.compose_sql(sql, params)))

    def fetchone(self):
        return self._wrapped.fetchone()

    def fetchall(self):
        return self._wrapped.fetchall()


# Where a Django connection keeps its psycopg cursor for these statements (with the psycopg
# connection it was made on): opening and closing one per request cost a list about 10 µs.
_KEPT_CURSOR = "_factcheck_prepared_cursor"


def _kept_cursor(connection) -> psycopg.Cursor:
    """The connection's cursor for these statements, made again when the connection is new."""
    raw_connection = connection.connection
    kept = getattr(connection, _KEPT_CURSOR, None)
    if kept is None or kept[0] is not raw_connection or kept[1].closed:
        cursor = psycopg.Cursor(raw_connection)
        # psycopg's compiled loader for timestamps, not Django's (written in Python): the
        # times these statements return are written into page cursors, in the same ISO text.
        cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        kept = (raw_connection, cursor)
        setattr(connection, _KEPT_CURSOR, kept)
    return kept[1]


@contextmanager
def prepared_cursor(using: str) -> Iterator[Any]:
    """A cursor for ``using`` whose repeated statements PostgreSQL plans once per connection."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    # Wrapped as Django wraps the cursors it makes (its stubs type the argument as the
    # wrapper), without closing it after: the connection keeps it for the next request.
    raw: Any = _kept_cursor(connection)
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    yield _Inlining(wrapped, connection)


@contextmanager
def parameters_apart(using: str) -> Iterator[None]:
    """Django's cursors on ``using`` send parameters apart from the SQL, so repeated statements are prepared.

    For reads whose every statement finds rows by key (a detail): with parameters apart,
    PostgreSQL plans such a statement once per connection and runs it for every key.
    Nothing changes where nothing may be prepared (``DATABASE_PREPARE_THRESHOLD=off``)
    or on other databases.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None or raw.cursor_factory is ServerBindingCursor:
        yield
        return
    # Django's own cursor class for server-side binding (DATABASE_SERVER_SIDE_BINDING=1).
    previous = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = previous


def keyed_reads(model: type[models.Model]) -> Callable:
    """A view method whose statements find rows by key, run with ``parameters_apart`` on ``model``'s read database."""

    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def run(view, request, *args, **kwargs):
            with parameters_apart(router.db_for_read(model)):
                return method(view, request, *args, **kwargs)

        return run

    return decorate


class Recompiled:
    """A read whose SQL is compiled once, then run again for other values of one list.

    ``build(values, *key)`` makes the queryset (a ``values_list``), filtered with
    ``claims.bulk.Among`` on ``values``. Compiling a queryset costs Django several times what
    PostgreSQL takes to run it for a few dozen rows, and a read that serves every request
    of an endpoint has one shape: only the list differs. So on PostgreSQL the SQL is
    compiled once per ``key``, with a marker list in place of the values, and each run
    sends that SQL with the list in the marker's place. Elsewhere (where a list is as many
    placeholders as values) every run builds the queryset.
    """

    _MARKER = [-7_340_033]

    def __init__(self, build: Callable[..., models.QuerySet]) -> None:
        self._build = build
        self._compiled: dict[tuple, tuple[str, list, int]] = {}

    def rows(self, values: Sequence, *, using: str, key: tuple = ()) -> list[tuple]:
        if connections[using].vendor != "postgresql":
            return list(self._build(list(values), *key).using(using))
        compiled = self._compiled.get((using, *key))
        if compiled is None:
            sql, marked = self._build(list(self._MARKER), *key).using(using).query.sql_with_params()
            compiled = (sql, list(marked), list(marked).index(self._MARKER))
            self._compiled[(using, *key)] = compiled
        sql, params, position = compiled
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [*params[:position], list(values), *params[position + 1 :]])
            return cursor.fetchall()
