"""CSV of the claims and verdicts lists: the same rows and filters as JSON, streamed.

``?format=csv`` (or ``Accept: text/csv``) on ``/api/v1/claims/`` and ``/api/v1/verdicts/``
returns every row the filters select, in the requested ordering, as one streamed
response: rows are read through a server-side cursor (PostgreSQL) in chunks and written
as they come, so memory stays constant however many rows there are. With ``cursor`` or
``page_size`` it is that page only, as in JSON, with a ``Link`` header to the next. Each row is the JSON
list item flattened: nested objects become dotted columns (``speaker.name``,
``verdict.rating.slug``). Text that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``) is prefixed with an apostrophe.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import F
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework.renderers import BaseRenderer

from claims.api import rows as list_rows

CHUNK_SIZE = 2000
CSV = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(BaseRenderer):
    """text/csv for a single object (one row); lists are streamed by ``stream_list``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        flat = flatten(data)
        return _csv_text([list(flat), list(flat.values())]).encode()


def flatten(item: dict, prefix: str = "") -> dict:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``; lists become one cell (items joined with "; ")."""
    flat = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = "; ".join(str(v.get("id", v)) if isinstance(v, dict) else str(v) for v in value)
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _cell(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    def write(self, text: str) -> str:
        return text


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    writer = csv.writer(_Line())
    return "".join(writer.writerow([_cell(value) for value in row]) for row in rows)


def columns(kind: str, fields: Iterable[str], host: str) -> list[str]:
    """The CSV header: the keys of a list item, flattened, from the list's own item builder.

    The sample row has a value in every field (a time fits every use), so no nested object
    is left out as null.
    """
    now = timezone.now()
    return list(flatten(list_rows.item(kind, dict.fromkeys(fields, now), host)))


def _page(view, verdicts) -> HttpResponse:
    """One page as CSV, when a cursor or page size is given; the Link header names its neighbours."""
    kind, host = view.list_kind, list_rows.origin(view.request)
    page = view.paginate_queryset(list_rows.plain_rows(kind, verdicts))
    header = columns(kind, list_rows.row_keys(kind), host)
    flat = [flatten(list_rows.item(kind, row, host)) for row in page]
    response = HttpResponse(_csv_text([header, *([item.get(c) for c in header] for item in flat)]), content_type=CSV)
    paginator = view.paginator
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", paginator.next), ("prev", paginator.previous)) if url]
    if links:
        response["Link"] = ", ".join(links)
    return response


def stream_list(view, verdicts) -> HttpResponse | StreamingHttpResponse:
    """Every row of a filtered list as CSV, in the list's ordering, streamed (or one page, if asked)."""
    request = view.request
    paginator = view.paginator
    if set(request.query_params) & {paginator.cursor_query_param, paginator.page_size_query_param}:
        return _page(view, verdicts)
    order = view.paginator.orderings[view.paginator.ordering_name(request)]
    position, key = F(order.position), F(order.key)
    ordering = [position.desc(), key.desc()] if order.descending else [position.asc(), key.asc()]
    kind, host = view.list_kind, list_rows.origin(request)
    selected = list_rows.plain_rows(kind, verdicts).order_by(*ordering)
    header = columns(kind, list_rows.row_keys(kind), host)

    def lines() -> Iterator[str]:
        yield _csv_text([header])
        batch = []
        for row in selected.iterator(chunk_size=CHUNK_SIZE):
            flat = flatten(list_rows.item(kind, row, host))
            batch.append([flat.get(column) for column in header])
            if len(batch) == CHUNK_SIZE:
                yield _csv_text(batch)
                batch = []
        if batch:
            yield _csv_text(batch)

    response = StreamingHttpResponse(lines(), content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{view.list_kind}.csv"'
    return response


# What the desk's CSV export of an admin list holds, per model (the admin shows the desk
# everything, unpublished work included).
ADMIN_COLUMNS = {
    "claims.claim": [
        ("id", "pk"),
        ("text", "text"),
        ("speaker", "speaker__name"),
        ("made_on", "made_on"),
        ("made_on_text", "made_on_text"),
        ("made_in", "made_in"),
        ("language", "language"),
        ("assigned_to", "assigned_to__username"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
    ],
    "claims.verdict": [
        ("id", "pk"),
        ("claim_id", "claim_id"),
        ("claim", "claim__text"),
        ("status", "status"),
        ("rating", "rating__slug"),
        ("headline", "headline"),
        ("reviewer", "reviewer__username"),
        ("editor", "editor__username"),
        ("supersedes_id", "supersedes_id"),
        ("public_note", "public_note"),
        ("published_at", "published_at"),
        ("retracted_at", "retracted_at"),
        ("updated_at", "updated_at"),
    ],
}


def admin_export(queryset) -> StreamingHttpResponse:
    """The rows an admin list selected (all the filtered rows with "select all"), as CSV, streamed."""
    label = queryset.model._meta.label_lower
    header, fields = zip(*ADMIN_COLUMNS[label], strict=True)
    rows = queryset.order_by("pk").values_list(*fields)

    def lines() -> Iterator[str]:
        yield _csv_text([header])
        batch = []
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            batch.append(row)
            if len(batch) == CHUNK_SIZE:
                yield _csv_text(batch)
                batch = []
        if batch:
            yield _csv_text(batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queryset.model._meta.model_name}s.csv"'
    return response
