"""List items for claims and verdicts: the same JSON as the serializers, without their cost.

Both are derived from the same shapes (claims.api.shapes). On PostgreSQL each item's
JSON is built by the database (factcheck.api.jsonsql) and passed through untouched.
Elsewhere a page is one query returning plain rows, turned into dicts here. Either way
there are no model instances or nested serializers per item; the API tests hold both
paths identical to the serializers.
"""

from functools import cache, lru_cache
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.urls import reverse

from factcheck.api import jsonsql
from factcheck.api.pagination import ITEM, KEY, POSITION, Ordering
from factcheck.api.shapes import build, json_expression, value_paths
from factcheck.prepared import BoundedCache

from .. import visibility
from ..models import Verdict
from . import shapes

# Each list's item shape, reached from the verdict row it is listed with: a claim through
# its ``claim`` relation, its listed verdict being the row itself.
LISTS = {
    "claims": (shapes.CLAIM_SUMMARY, "claim", {"listed_verdict": ""}),
    "verdicts": (shapes.VERDICT_LIST, "", {}),
}
ENDPOINTS = ("claim", "verdict", "speaker", "source", "publisher", "topic", "rating")


@cache
def _list_path(name: str) -> str:
    return reverse(f"api-v1:{name}-list")


def origin(request) -> str:
    return request.build_absolute_uri("/").removesuffix("/")


@lru_cache(maxsize=64)
def links(origin: str) -> dict[str, str]:
    """Absolute list addresses for one host, so each item's links are string concatenation."""
    return {name: origin + _list_path(name) for name in ENDPOINTS}


def database_builds_json() -> bool:
    return connection.vendor == "postgresql"


def compiled(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(connection=connection).as_sql()


# The tables a list item's JSON reads directly (speaker and rating come from correlated
# subqueries), each reached from a verdict row by a column path.
ITEM_TABLES = {"claims_verdict": "id", "claims_claim": "claim__text"}


@lru_cache(maxsize=64)
def _compiled_item(kind: str, origin: str) -> jsonsql.Precompiled:
    """The item expression compiled once per list and host name.

    Compiling sixty expression nodes costs more than the database spends building the
    JSON, so every page reuses the SQL (one entry per host name the site answers to).
    """
    shape, prefix, aliases = LISTS[kind]
    expression = jsonsql.AsText(json_expression(shape, links(origin), prefix, aliases))
    query = Verdict.objects.values(item=expression).query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["item"])
    return jsonsql.Precompiled(sql, params, ITEM_TABLES)


def json_rows(kind: str, verdicts: QuerySet, origin: str, order: Ordering) -> QuerySet:
    """Candidate rows for a list on PostgreSQL: position, key and each item's JSON."""
    item = _compiled_item(kind, origin)
    return verdicts.order_by().values(**{POSITION: F(order.position), KEY: F(order.key), ITEM: item})


def listed(kind: str, statuses: tuple[str, ...]) -> QuerySet:
    """The verdict rows a list is made of: every one for verdicts; for claims, the verdict each
    claim is shown with (claims.visibility), so that a claim several fact-checkers reviewed is
    one item."""
    verdicts = Verdict.objects.filter(status__in=statuses)
    return verdicts.filter(visibility.is_shown_verdict(statuses)) if kind == "claims" else verdicts


@lru_cache(maxsize=64)
def unfiltered_sql(kind: str, statuses: tuple[str, ...], order: Ordering, origin: str):
    """The candidate rows of an unfiltered list, compiled once per list, statuses, ordering and host."""
    return compiled(json_rows(kind, listed(kind, statuses), origin, order))


def known_slugs(check) -> tuple[str, tuple]:
    """A filter's slug check (claims.filtersets.SlugCheck) as an SQL array: the slugs it names that exist."""
    sql, params = compiled(check.known)
    return f"ARRAY({sql})", params


# A filtered list's candidate rows: SQL, parameters and the slug checks its statement reads
# (each claims.filtersets.SlugCheck with its SQL, from known_slugs).
FilteredSQL = tuple[str, tuple, tuple[tuple[Any, tuple[str, tuple]], ...]]


# Compiled SQL of filtered lists, by list and filter values (claims.api.views.FastListMixin).
FILTERED_SQL = BoundedCache(512)


def plain_rows(kind: str, verdicts: QuerySet) -> QuerySet:
    """Plain rows for a list outside PostgreSQL: one per verdict (for claims, the verdict each is listed with)."""
    shape, prefix, aliases = LISTS[kind]
    paths, expressions = value_paths(shape, prefix, aliases)
    return verdicts.values(*paths, **expressions)


def row_keys(kind: str) -> tuple[str, ...]:
    """The keys of a list's plain rows (columns and named expressions), as ``plain_rows`` gives them."""
    shape, prefix, aliases = LISTS[kind]
    paths, expressions = value_paths(shape, prefix, aliases)
    return (*paths, *expressions)


def item(kind: str, row: dict, origin: str) -> dict:
    """One list item from its plain row: the same dict the shape's serializer gives."""
    shape, prefix, aliases = LISTS[kind]
    return build(shape, row, links(origin), prefix, aliases)
