"""Keyset (cursor) pagination: stable under inserts, constant cost at any depth.

A cursor records the ordering, the position value and the id of the row where a page
ended. The next page is ``WHERE position <= p AND (position < p OR id < i) ORDER BY
position DESC, id DESC``, which an index on the position serves directly; never an
OFFSET. Cursors are opaque base64; a cursor that does not decode, belongs to another
ordering, a page size that is not a whole number in range, or an unknown ordering are
400 errors.

Lists whose items are built as JSON by the database (factcheck.api.jsonsql) are paginated
in one statement that returns the page as a single JSON text (``paginate_sql``), as a
hand-written query would. Other lists are paginated as rows (``paginate_queryset``).
"""

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.db.models import CharField, DateTimeField, F, IntegerField, Q, QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from factcheck.prepared import BoundedCache, prepared_cursor

# Cursors are base64url. The longest one the API writes holds a 300-character name, each
# character escaped by JSON as \uXXXX in the worst case: about 2,500 characters.
MAX_CURSOR_LENGTH = 2500
CURSOR_PATTERN = "^[A-Za-z0-9_=-]+$"

MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)

POSITION = "page_position"
KEY = "page_key"
ITEM = "item"


# A page's links are its own address with another cursor, made by DRF's replace_query_param
# (parameters sorted and encoded again). A cursor is URL-safe base64, which that encoding
# leaves as it is, and parameters are sorted by name alone: so the address made once with a
# mark for the cursor, the mark replaced, is the one replace_query_param makes for any cursor.
LINK_MARK = "Zq7cursor7qZ"
LINK_TEMPLATES = BoundedCache(256)


def link_template(address: str, name: str) -> str:
    """``address`` with the mark for its ``name`` parameter, or "" where the mark could be mistaken."""
    template = replace_query_param(address, name, LINK_MARK)
    return template if template.count(LINK_MARK) == 1 else ""


@dataclass(frozen=True)
class Ordering:
    """A public sort order: the field rows are ordered by, and the unique id that breaks ties."""

    position: str
    key: str = "pk"
    descending: bool = True
    kind: type = DateTimeField  # how a cursor's position value is read back

    def cast(self, raw):
        if self.kind is DateTimeField:
            value = parse_datetime(raw) if isinstance(raw, str) else None
            if value is None:
                raise ValueError(raw)
            # The API writes times in UTC; an offset beyond what PostgreSQL keeps (±15:59) is
            # no time it wrote. Others are compared in UTC.
            offset = value.utcoffset()
            if offset is None or abs(offset) > MAX_UTC_OFFSET:
                raise ValueError(raw)
            return value.astimezone(UTC)
        if self.kind is IntegerField:
            return int(raw)
        if "\x00" in str(raw):  # no stored text holds NUL (PostgreSQL cannot)
            raise ValueError(raw)
        return str(raw)


def by_time(position: str, *, key: str = "pk", descending: bool = True) -> Ordering:
    return Ordering(position, key, descending, DateTimeField)


def by_text(position: str, *, key: str = "pk", descending: bool = False) -> Ordering:
    return Ordering(position, key, descending, CharField)


def by_id(*, descending: bool = True) -> Ordering:
    return Ordering("pk", "pk", descending, IntegerField)


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_param = "ordering"
    orderings: dict[str, Ordering] = {}
    default_ordering = ""
    # What paginate_sql's ``also`` read with the page, in order.
    also: list = []

    # Request parsing -------------------------------------------------------------------

    def ordering_name(self, request) -> str:
        name = request.query_params.get(self.ordering_param, self.default_ordering)
        if name not in self.orderings:
            raise ValidationError({self.ordering_param: [f"Choose one of: {', '.join(self.orderings)}."]})
        return name

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def _decode_cursor(self, request, name: str, order: Ordering):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        invalid = ValidationError(
            {self.cursor_query_param: ["Invalid cursor: follow the next and previous links as given."]}
        )
        # base64 decoding skips characters outside its alphabet: refuse them rather than guess.
        if len(raw) > MAX_CURSOR_LENGTH or not re.fullmatch(CURSOR_PATTERN, raw):
            raise invalid
        try:
            data = orjson.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            if data["o"] != name:
                raise ValidationError(
                    {self.cursor_query_param: ["This cursor belongs to another ordering: keep the one it came with."]}
                )
            return order.cast(data["p"]), int(data["k"]), bool(data["b"])
        except ValidationError:
            raise
        except (UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise invalid from error

    def _encode_cursor(self, name: str, position, key, backwards: bool) -> str:
        if isinstance(position, datetime):
            position = position.isoformat()
        payload = orjson.dumps({"o": name, "p": position, "k": key, "b": backwards})
        cursor = base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")
        if not self.had_cursor:
            # A first page (the one asked for over and over): its address around the cursor is
            # made once. Deeper pages' addresses each differ, and are made each time.
            template = LINK_TEMPLATES.get(
                (self.base_url, self.cursor_query_param),
                lambda: link_template(self.base_url, self.cursor_query_param),
            )
            if template:
                return template.replace(LINK_MARK, cursor)
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    # Querying ------------------------------------------------------------------------

    def _page_query(self, queryset: QuerySet, request):
        self.base_url = request.build_absolute_uri()
        self.ordering = self.ordering_name(request)
        order = self.orderings[self.ordering]
        self.size = self.get_page_size(request)
        cursor = self._decode_cursor(request, self.ordering, order)
        self.backwards = bool(cursor and cursor[2])
        self.had_cursor = cursor is not None
        # Reading backwards (towards the start) walks the same index the other way.
        descending = order.descending != self.backwards
        queryset = queryset.annotate(**{POSITION: F(order.position), KEY: F(order.key)})
        if cursor is not None:
            position, key, _ = cursor
            # (position, key) beyond the cursor, written so an index on position alone serves it.
            beyond, reached = ("lt", "lte") if descending else ("gt", "gte")
            queryset = queryset.filter(
                Q(**{f"{order.position}__{reached}": position})
                & (Q(**{f"{order.position}__{beyond}": position}) | Q(**{f"{order.key}__{beyond}": key}))
            )
        direction = "-" if descending else ""
        return queryset.order_by(f"{direction}{order.position}", f"{direction}{order.key}")[: self.size + 1]

    def paginate_queryset(self, queryset, request, view=None):
        """Rows mode: a list of at most page_size rows (model instances or dicts)."""
        rows = list(self._page_query(queryset, request))
        more = len(rows) > self.size
        rows = rows[: self.size]
        if self.backwards:
            rows.reverse()
        self._set_links(rows, more, lambda row: (self._value(row, POSITION), self._value(row, KEY)))
        return rows

    def paginate_sql(
        self, sql: str, params, request, *, using: str = "default", also: Sequence[tuple[str, Sequence]] = ()
    ) -> orjson.Fragment:
        """JSON mode (PostgreSQL): the page's items, already JSON, in one row from the database.

        ``sql`` selects the candidate rows (any filters applied, no order or limit) with
        columns ``page_position``, ``page_key`` and ``item`` (each item's JSON text). The
        keyset condition, order and limit are added here; PostgreSQL pulls the inner
        query up, so the index on the position still drives the scan. ``also``: scalar SQL
        expressions (with their parameters) read by the same statement, so from the same
        snapshot and without another round trip; their values are kept in ``self.also``
        (the public record's version for the ETag, the slugs a filter names that exist).
        """
        self.base_url = request.build_absolute_uri()
        self.ordering = self.ordering_name(request)
        order = self.orderings[self.ordering]
        self.size = self.get_page_size(request)
        cursor = self._decode_cursor(request, self.ordering, order)
        self.backwards = bool(cursor and cursor[2])
        self.had_cursor = cursor is not None
        direction = "DESC" if order.descending != self.backwards else "ASC"
        keyset, keyset_params = "", []
        if cursor is not None:
            position, key, _ = cursor
            beyond, reached = ("<", "<=") if direction == "DESC" else (">", ">=")
            keyset = f"WHERE {POSITION} {reached} %s AND ({POSITION} {beyond} %s OR {KEY} {beyond} %s)"
            keyset_params = [position, position, key]
        # One aggregate over the fetched rows, in the order the list shows them: the items
        # without the extra row fetched to learn whether there is more, and the positions
        # of the first and last items shown (for the cursors).
        shown = f"{POSITION} {'DESC' if order.descending else 'ASC'}, {KEY} {'DESC' if order.descending else 'ASC'}"
        first = f"greatest(count(*) - {self.size}, 0) + 1" if self.backwards else "1"
        last = "count(*)" if self.backwards else f"least(count(*), {self.size})"
        page_sql = f"""
            SELECT count(*),
                   array_to_string((array_agg({ITEM} ORDER BY {shown}))[{first}:{last}], ','),
                   (array_agg({POSITION} ORDER BY {shown}))[{first}],
                   (array_agg({KEY} ORDER BY {shown}))[{first}],
                   (array_agg({POSITION} ORDER BY {shown}))[{last}],
                   (array_agg({KEY} ORDER BY {shown}))[{last}]
                   {"".join(f", {expression}" for expression, _ in also)}
            FROM (
                SELECT * FROM ({sql}) candidates {keyset}
                ORDER BY {POSITION} {direction}, {KEY} {direction}
                LIMIT {self.size + 1}
            ) page
        """
        # Planned once per connection (factcheck.prepared): planning costs what running it does.
        with prepared_cursor(using) as db:
            db.execute(page_sql, [*(p for _, also_params in also for p in also_params), *params, *keyset_params])
            count, items, first_position, first_key, last_position, last_key, *self.also = db.fetchone()
        shown_rows = [(first_position, first_key), (last_position, last_key)] if count else []
        self._set_links(shown_rows, count > self.size, lambda row: row)
        return orjson.Fragment(f"[{items or ''}]")

    @staticmethod
    def _value(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    def _set_links(self, rows, more: bool, position_of: Callable[[Any], tuple[Any, Any]]):
        """Next/previous cursors from the first and last rows shown."""
        self.next = self.previous = None
        if not rows:
            if self.backwards:
                self.next = remove_query_param(self.base_url, self.cursor_query_param)
            return
        first, last = position_of(rows[0]), position_of(rows[-1])
        if (more and not self.backwards) or self.backwards:
            self.next = self._encode_cursor(self.ordering, *last, backwards=False)
        if (more and self.backwards) or (self.had_cursor and not self.backwards):
            self.previous = self._encode_cursor(self.ordering, *first, backwards=True)

    # Responses and schema ------------------------------------------------------------

    def get_paginated_response(self, data):
        return Response({"next": self.next, "previous": self.previous, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor: use the next and previous links as given.",
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH, "pattern": CURSOR_PATTERN},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default {self.default_ordering}); ties are broken by id.",
                "schema": {"type": "string", "enum": list(self.orderings), "default": self.default_ordering},
            },
        ]

    @property
    def parameter_names(self) -> set[str]:
        return {self.cursor_query_param, self.page_size_query_param, self.ordering_param}
