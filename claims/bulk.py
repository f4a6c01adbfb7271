"""Bulk inserts: many rows at once, with their history rows.

One helper for every writer that creates rows by the thousand (the ClaimReview import,
``manage.py generate_claims``): :func:`insert_rows`. On PostgreSQL the rows are streamed
with binary COPY (ids reserved from the table's sequence first, values sent as they are,
so the database rather than Python does the work); elsewhere they go through
``bulk_create``. Given a :class:`HistoryStamp`, each row gets its django-simple-history
row ("+", who, when, why) in the same way, as ``bulk_create_with_history`` would write it.

:func:`new_instance` makes unsaved model instances without ``Model.__init__`` (whose
signals and descriptors cost more than writing the row); :class:`Among` looks a batch up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.lookups import In
from simple_history.utils import bulk_create_with_history

from . import public_version

BATCH = 2500

# Django's column types as PostgreSQL's binary COPY names them.
PG_BINARY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "text": "text",
    "varchar": "varchar",
    "numeric": "numeric",
}


class Among(models.Lookup):
    """``Among(F("url"), values)``: the column is one of ``values``, a batch of thousands.

    On PostgreSQL ``= ANY(%s)`` with the values as one array parameter: an ``IN`` list of
    thousands of placeholders costs more to build, send and parse than the lookup itself.
    Elsewhere, ``IN``.
    """

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return compiler.compile(In(self.lhs, list(self.rhs)))
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


@dataclass(frozen=True)
class HistoryStamp:
    """Who created the rows, when and why: what their history rows record."""

    at: datetime
    user: Any
    reason: str


@cache
def _field_defaults(model: type[models.Model]) -> list[tuple[str, object, bool]]:
    """(attname, default, whether the default is a callable to call for each instance)."""
    defaults = []
    for f in model._meta.concrete_fields:
        per_instance = f.has_default() and callable(f.default)
        defaults.append((f.attname, f.default if per_instance else f.get_default(), per_instance))
    return defaults


@cache
def _instance_defaults(model: type[models.Model]) -> tuple[dict[str, object], list[tuple[str, Any]]]:
    """(the fields' fixed defaults by attname, (attname, callable) for defaults made per instance)."""
    fixed = {attname: default for attname, default, call in _field_defaults(model) if not call}
    return fixed, [(attname, default) for attname, default, call in _field_defaults(model) if call]


def new_instance(model: type[models.Model], **values: Any) -> Any:
    """A new, unsaved instance from attribute names (``speaker_id``), without Model.__init__.

    Fields not given take their defaults. (Copying a dict of defaults, rather than setting
    field by field: an import makes instances by the ten thousand.)
    """
    obj = model.__new__(model)
    obj._state = ModelState()
    fixed, per_instance = _instance_defaults(model)
    attributes = obj.__dict__
    attributes.update(fixed)
    for attname, default in per_instance:
        if attname not in values:
            attributes[attname] = default()
    attributes.update(values)
    return obj


def insert_rows(
    model: type[models.Model], objects: Sequence[Any], *, history: HistoryStamp | None = None, batch_size: int = BATCH
) -> Sequence[Any]:
    """Insert ``objects`` (and, with ``history``, their history rows); they get their ids.

    With ``history`` the ``auto_now`` / ``auto_now_add`` fields take the stamp's time;
    without, the objects keep the times they carry (on PostgreSQL) — a generator can
    date its rows in the past.
    """
    if not objects:
        return objects
    # Bulk writes send no signals: whatever they write counts as a public change.
    public_version.changed()
    if connection.vendor != "postgresql":
        if history is None:
            model._default_manager.bulk_create(objects, batch_size=batch_size)
        else:
            bulk_create_with_history(
                objects, model, batch_size=batch_size, default_user=history.user, default_change_reason=history.reason
            )
        return objects
    fields = model._meta.concrete_fields
    if history is not None:
        for attname in [
            f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]:
            for obj in objects:
                obj.__dict__[attname] = history.at
    _reserve_ids(model, [obj for obj in objects if obj.pk is None])
    for obj in objects:
        obj._state.adding = False
    values = itemgetter(*(f.attname for f in fields))
    rows = [values(obj.__dict__) for obj in objects]
    _copy(model._meta.db_table, fields, rows)
    if history is None:
        return objects

    # The history row is the same values plus who, when and why, in columns named to match.
    history_model = model.history.model  # type: ignore[attr-defined]  # django-simple-history adds it
    extra = {
        "history_date": history.at,
        "history_change_reason": history.reason,
        "history_type": "+",
        "history_user_id": history.user.pk if history.user else None,
    }
    history_fields = [history_model._meta.get_field(f.attname) for f in fields] + [
        history_model._meta.get_field(name) for name in extra
    ]
    extra_values = tuple(extra.values())
    _copy(history_model._meta.db_table, history_fields, [row + extra_values for row in rows])
    return objects


def _reserve_ids(model: type[models.Model], objects: list) -> None:
    if not objects:
        return
    with connection.cursor() as cursor:
        # The sequence named once: pg_get_serial_sequence() per id cost five times the ids themselves.
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_id_sequence(model), len(objects)])
        if model._meta.parents:  # a child model's id is its parent's too
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
            return
        attname = model._meta.pk.attname
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.__dict__[attname] = pk


_id_sequences: dict[str, str] = {}


def _id_sequence(model: type[models.Model]) -> str:
    """The name of the sequence ``model``'s ids come from (a name, the same in every database migrated alike)."""
    table = model._meta.db_table
    if table not in _id_sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _id_sequences[table] = cursor.fetchone()[0]
    return _id_sequences[table]


def _binary_type(field: models.Field) -> str:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    db_type = target.db_type(connection) or ""
    return PG_BINARY_TYPES[db_type.split("(")[0].strip()]


def _copy(table: str, fields: Sequence[models.Field], rows: list[tuple]) -> None:
    """COPY in binary: the server reads values as they are instead of parsing text."""
    names = ", ".join(connection.ops.quote_name(field.column or field.name) for field in fields)
    types = [_binary_type(field) for field in fields]
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
