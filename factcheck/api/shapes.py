"""Public shapes as data: each field of each API object declared once.

A ``Shape`` is a tuple of fields, each with its key, the path to its value from the
shape's model (Django's ``a__b`` notation) and how it is written. Everything that
shows an object is derived from that one declaration:

- ``serializer_for``: the DRF serializer (and so the OpenAPI schema, through
  drf-spectacular) for details and for the tests; ``represent`` runs it for a detail
  without building it again;
- ``json_expression``: the same object as JSON built by PostgreSQL, for list items;
- ``value_paths`` and ``build``: plain ``values()`` rows turned into the same dicts in
  Python, for lists on other databases;
- ``rows_shown``: every row an object is made of, whose newest ``updated_at`` is the
  response's Last-Modified.

Adding a public field is one line in a shape (``claims.api.shapes``,
``sources.api.shapes``); a test adds one to a copy and finds it in every output.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import F, Func, JSONField, Model, OuterRef, Subquery
from django.db.models.manager import BaseManager
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .fields import ModelSerializer, iso_datetime
from .jsonsql import JSONObject, Link


@dataclass(frozen=True)
class Field:
    """One public field.

    ``kind`` says how it is made: ``value`` (a model value), ``link`` (the object's API
    address), ``nested`` (another shape; ``many`` for a list), ``computed`` (a value
    transformed the same way in SQL and in Python) or ``method`` (computed by Python
    alone from the object and the request: details only).
    """

    key: str
    path: str | None = None
    kind: str = "value"
    shape: Shape | None = None
    many: bool = False
    allow_null: bool = False
    help_text: str = ""
    # A serializer field to use instead of the model's own (for renamed or annotated values).
    serializer_field: Callable[..., serializers.Field] | None = None
    # computed: the SQL template around the value and the same transform in Python.
    sql_template: str = ""
    transform: Callable[[Any], Any] | None = None
    # link: the endpoint and the value in its address.
    view: str = ""
    lookup: str = "pk"
    # nested: a correlated subquery (cheaper for PostgreSQL to plan) or the query's own join.
    joined: bool = False
    # method: function(obj, serializer) and its schema; ``path`` names the rows it shows.
    function: Callable[[Any, serializers.Serializer], Any] | None = None
    schema: Any = None
    # value: SQL that lists read instead of the column (given the path to the object);
    # details give the serializer an object whose attribute already holds that value.
    expression: Callable[[str], Any] | None = None

    @property
    def source(self) -> str:
        return self.path if self.path is not None else self.key

    @property
    def nested_shape(self) -> Shape:
        if self.shape is None:
            raise ValueError(f"{self.key} nests no shape.")
        return self.shape

    def apply(self, raw):
        if self.transform is None:
            raise ValueError(f"{self.key} has no transform.")
        return self.transform(raw)


@dataclass(frozen=True)
class Shape:
    """A public object: its name in the schema, its model and its fields in output order."""

    name: str
    model: type[Model]
    fields: tuple[Field, ...] = field(default=())
    doc: str = ""

    def extend(self, name: str, *fields: Field, doc: str = "") -> Shape:
        """This shape with more fields after its own (a field of the same key is replaced in place)."""
        new = {f.key: f for f in fields}
        kept = tuple(new.pop(f.key, f) for f in self.fields)
        return Shape(name, self.model, kept + tuple(new.values()), doc or self.doc)

    def with_field(self, added: Field) -> Shape:
        return replace(self, fields=(*self.fields, added))


def value(key: str, path: str | None = None, **options) -> Field:
    return Field(key, path, **options)


def link(view: str, lookup: str = "pk", key: str = "url") -> Field:
    return Field(key, lookup, kind="link", view=view, lookup=lookup)


def nested(key: str, shape: Shape, path: str | None = None, **options) -> Field:
    return Field(key, path, kind="nested", shape=shape, **options)


def computed(key: str, path: str, *, sql: str, transform: Callable, serializer_field: Callable, **options) -> Field:
    return Field(
        key, path, kind="computed", sql_template=sql, transform=transform, serializer_field=serializer_field, **options
    )


def method(key: str, function: Callable, schema: Any, path: str | None = None, **options) -> Field:
    """A value only Python computes; ``path`` names the object it shows, if any, for Last-Modified."""
    return Field(key, path, kind="method", function=function, schema=schema, **options)


# Serializers ---------------------------------------------------------------------------


class _Computed(serializers.Field):
    """A value transformed in Python; read whole (``source="*"``) so that None is transformed too."""

    def __init__(self, transform, path: str, **kwargs):
        self.transform = transform
        self.path = path
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, value):
        return self.transform(_get(value, self.path))


def _serializer_field(f: Field):
    options: dict[str, Any] = {"help_text": f.help_text} if f.help_text else {}
    if f.kind not in ("link", "method", "computed") and f.path is not None and f.path != f.key:
        options["source"] = f.path.replace("__", ".")
    if f.kind == "link":
        return serializers.HyperlinkedIdentityField(
            view_name=f"api-v1:{f.view}-detail", lookup_field=f.lookup, **options
        )
    if f.kind == "nested":
        if f.many:
            return serializer_for(f.nested_shape)(many=True, **options)
        return serializer_for(f.nested_shape)(allow_null=f.allow_null, **options)
    if f.kind == "computed" and f.serializer_field is not None:
        typed = extend_schema_field(f.serializer_field())(type("Computed", (_Computed,), {}))
        return typed(f.apply, f.source, **options)
    if f.kind == "method":
        return serializers.SerializerMethodField(**options)
    if f.serializer_field is not None:
        return f.serializer_field(**options)
    return None  # the model's own field, as ModelSerializer builds it


@cache
def serializer_for(shape: Shape) -> type[ModelSerializer]:
    """The serializer of a shape: one class per shape, named after it (the schema's component name)."""
    attributes: dict[str, Any] = {"__module__": __name__, "__doc__": shape.doc or None}
    for f in shape.fields:
        declared = _serializer_field(f)
        if declared is not None:
            attributes[f.key] = declared
        if f.kind == "method":
            attributes[f"get_{f.key}"] = extend_schema_field(f.schema)(_method(f.function))
    attributes["Meta"] = type("Meta", (), {"model": shape.model, "fields": [f.key for f in shape.fields]})
    return type(f"{shape.name}Serializer", (ModelSerializer,), attributes)


# Each thread's serializers whose fields are built and bound, by serializer class (represent).
_bound = threading.local()


def represent(serializer_class: type[serializers.BaseSerializer], instance, context: dict) -> dict:
    """``serializer_class(instance, context=context).data``, from a serializer built once per thread.

    A serializer copies and binds every field of itself and of each serializer it nests
    when it is made: for a claim's detail that took about half of the time the response
    takes to build. Representing an object only reads those fields (the context through
    the root serializer, as each request sets it), so one serializer per class and thread
    serves every detail. Threads do not share it: a request sets the context, then reads.
    """
    kept = _bound.__dict__.setdefault("serializers", {})
    serializer = kept.get(serializer_class)
    if serializer is None:
        serializer = kept[serializer_class] = serializer_class(context=context)
    serializer._context = context
    try:
        return serializer.to_representation(instance)
    finally:
        # Nothing of the request outlives it (the request object holds the user and the body).
        serializer._context = {}


def _method(function):
    def get(self, obj):
        return function(obj, self)

    return get


# JSON built by PostgreSQL ----------------------------------------------------------------


def _at(prefix: str, path: str) -> str:
    return f"{prefix}__{path}" if prefix and path else prefix or path


def _resolve(prefix: str, path: str, aliases: dict[str, str]) -> str:
    head, _, rest = path.partition("__")
    if head in aliases:
        return _at(aliases[head], rest)
    return _at(prefix, path)


def json_expression(shape: Shape, links: dict[str, str], prefix: str = "", aliases: dict | None = None):
    """The shape as ``json_build_object(...)`` over rows reached by ``prefix`` from the query's model.

    ``links`` maps each endpoint to its absolute list address; ``aliases`` maps a path
    that names something the query's row already is (a claim's listed verdict, when the
    rows are verdicts) to where it is.
    """
    aliases = aliases or {}
    parts: dict[str, Any] = {}
    for f in shape.fields:
        if f.kind == "method" or f.many:
            raise ValueError(f"{shape.name}.{f.key} cannot be built by the database.")
        at = _resolve(prefix, f.source, aliases)
        if f.kind == "link":
            parts[f.key] = Link(links[f.view], F(at))
        elif f.kind == "computed":
            parts[f.key] = Func(F(at), template=f.sql_template)
        elif f.kind == "nested" and (f.joined or f.source in aliases):
            parts[f.key] = json_expression(f.nested_shape, links, at)
        elif f.expression is not None:
            parts[f.key] = f.expression(prefix)
        elif f.kind == "nested":
            # A correlated subquery on the foreign key; NULL when there is none.
            # At most one row: the model's default ordering would only add a sort to plan and run.
            rows = f.nested_shape.model._default_manager.filter(pk=OuterRef(f"{at}_id")).order_by()
            parts[f.key] = Subquery(rows.values(json=json_expression(f.nested_shape, links)), output_field=JSONField())
        else:
            parts[f.key] = F(at)
    return JSONObject(**parts)


# Plain rows built in Python ----------------------------------------------------------------


def _alias(at: str) -> str:
    return f"{at.replace('__', '_')}_expression"


def _walk_values(shape: Shape, prefix: str, aliases: dict[str, str]) -> Iterator[str | tuple[str, Any]]:
    for f in shape.fields:
        at = _resolve(prefix, f.source, aliases)
        if f.expression is not None:
            yield _alias(at), f.expression(prefix)
        elif f.kind == "nested":
            if not (f.joined or f.source in aliases):
                yield f"{at}_id"
            yield from _walk_values(f.nested_shape, at, {})
        elif f.kind == "method" or f.many:
            raise ValueError(f"{shape.name}.{f.key} cannot be read from plain rows.")
        else:
            yield at


def value_paths(shape: Shape, prefix: str = "", aliases: dict | None = None) -> tuple[tuple, dict[str, Any]]:
    """The ``values()`` a page of this shape needs, each once: (column paths, named expressions)."""
    paths: dict[str, None] = {}
    expressions: dict[str, Any] = {}
    for entry in _walk_values(shape, prefix, aliases or {}):
        if isinstance(entry, tuple):
            expressions[entry[0]] = entry[1]
        else:
            paths[entry] = None
    return tuple(paths), expressions


def _plain(raw):
    return iso_datetime(raw) if isinstance(raw, datetime) else raw


def build(shape: Shape, row: dict, links: dict[str, str], prefix: str = "", aliases: dict | None = None) -> dict:
    """One item from a ``values()`` row: the same dict the shape's serializer gives."""
    aliases = aliases or {}
    item: dict[str, Any] = {}
    for f in shape.fields:
        at = _resolve(prefix, f.source, aliases)
        if f.expression is not None:
            item[f.key] = _plain(row[_alias(at)])
        elif f.kind == "link":
            item[f.key] = f"{links[f.view]}{row[at]}/"
        elif f.kind == "computed":
            item[f.key] = f.apply(row[at])
        elif f.kind == "nested":
            absent = not (f.joined or f.source in aliases) and row[f"{at}_id"] is None
            item[f.key] = None if absent else build(f.nested_shape, row, links, at)
        else:
            item[f.key] = _plain(row[at])
    return item


# Last-Modified -------------------------------------------------------------------------------


def _get(obj, path: str):
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def rows_shown(shape: Shape, obj) -> Iterator[Model]:
    """Every model row the shape shows of ``obj``: itself and all it nests, through what is loaded."""
    if obj is None:
        return
    yield obj
    for f in shape.fields:
        if f.kind not in ("nested", "method") or (f.kind == "method" and f.path is None):
            continue
        related = _get(obj, f.source)
        if isinstance(related, BaseManager):
            related = related.all()
        children = related if isinstance(related, list | tuple) or hasattr(related, "_result_cache") else [related]
        for child in children:
            if f.shape is not None:
                yield from rows_shown(f.shape, child)
            elif isinstance(child, Model):
                yield child
