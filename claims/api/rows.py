"""List items for claims and verdicts: the same JSON as the serializers, without their cost.

On PostgreSQL each item's JSON is built by the database (claims.api.jsonsql) and passed
through untouched. Elsewhere a page is one query returning plain rows, turned into dicts
here. Either way there are no model instances or nested serializers per item; the API
tests hold both paths identical to the serializers.
"""

from functools import cache, lru_cache
from types import SimpleNamespace

from django.db import connection
from django.db.models import F, QuerySet
from django.urls import reverse

from factcheck.api.fields import iso_datetime
from factcheck.api.pagination import ITEM, KEY, POSITION, Ordering

from ..models import Verdict
from . import jsonsql

CLAIM_LIST_FIELDS = (
    "id",
    "status",
    "headline",
    "published_at",
    "supersedes_id",
    "rating__slug",
    "rating__label",
    "rating__value",
    "rating__colour",
    "claim_id",
    "claim__text",
    "claim__made_on",
    "claim__made_on_text",
    "claim__made_in",
    "claim__language",
    "claim__updated_at",
    "claim__speaker_id",
    "claim__speaker__name",
    "claim__speaker__kind",
    "claim__speaker__is_anonymous",
    "claim__speaker__role",
)

VERDICT_LIST_FIELDS = (
    "id",
    "status",
    "headline",
    "published_at",
    "supersedes_id",
    "rating__slug",
    "rating__label",
    "rating__value",
    "rating__colour",
    "claim_id",
    "claim__text",
    "updated_at",
)


@cache
def _list_path(name: str) -> str:
    return reverse(f"api-v1:{name}-list")


class Links:
    """Absolute URL prefixes for one request, so each item's links are string concatenation."""

    def __init__(self, request):
        origin = request.build_absolute_uri("/").removesuffix("/")
        self.claims = origin + _list_path("claim")
        self.verdicts = origin + _list_path("verdict")
        self.speakers = origin + _list_path("speaker")


def database_builds_json() -> bool:
    return connection.vendor == "postgresql"


def compiled(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(connection=connection).as_sql()


# The tables a list item's JSON reads directly (speaker and rating come from correlated
# subqueries), each reached from a verdict row by a column path.
ITEM_TABLES = {"claims_verdict": "id", "claims_claim": "claim__text"}


@lru_cache(maxsize=64)
def _compiled_item(kind: str, claims: str, speakers: str, verdicts: str) -> jsonsql.Precompiled:
    """The item expression compiled once per list and set of URL prefixes.

    Compiling sixty expression nodes costs more than the database spends building the
    JSON, so every page reuses the SQL (one entry per host name the site answers to).
    """
    if kind == "claims":
        expression = jsonsql.claim_summary(claims, speakers, verdicts)
    else:
        expression = jsonsql.verdict_list_item(claims, verdicts)
    query = Verdict.objects.values(item=expression).query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["item"])
    return jsonsql.Precompiled(sql, params, ITEM_TABLES)


def json_rows(kind: str, verdicts: QuerySet, links: Links, order: Ordering) -> QuerySet:
    """Candidate rows for a list on PostgreSQL: position, key and each item's JSON."""
    item = _compiled_item(kind, links.claims, links.speakers, links.verdicts)
    return verdicts.order_by().values(**{POSITION: F(order.position), KEY: F(order.key), ITEM: item})


@lru_cache(maxsize=64)
def unfiltered_sql(kind: str, statuses: tuple[str, ...], order: Ordering, claims: str, speakers: str, verdicts: str):
    """The candidate rows of an unfiltered list, compiled once per list, statuses, ordering and host."""
    links = SimpleNamespace(claims=claims, speakers=speakers, verdicts=verdicts)
    return compiled(json_rows(kind, Verdict.objects.filter(status__in=statuses), links, order))


def claim_rows(verdicts: QuerySet) -> QuerySet:
    """Plain rows for the claims list (outside PostgreSQL): one per claim, through its listed verdict."""
    return verdicts.values(*CLAIM_LIST_FIELDS)


def verdict_rows(verdicts: QuerySet) -> QuerySet:
    return verdicts.values(*VERDICT_LIST_FIELDS)


def _rating(row: dict) -> dict | None:
    if row["rating__slug"] is None:
        return None
    return {
        "slug": row["rating__slug"],
        "label": row["rating__label"],
        "value": row["rating__value"],
        "colour": row["rating__colour"],
    }


def _verdict_summary(row: dict, links: Links) -> dict:
    return {
        "id": row["id"],
        "url": f"{links.verdicts}{row['id']}/",
        "status": row["status"],
        "headline": row["headline"],
        "rating": _rating(row),
        "published_at": iso_datetime(row["published_at"]),
        "is_correction": row["supersedes_id"] is not None,
    }


def claim_item(row: dict, links: Links) -> dict:
    """Same output as ClaimSummarySerializer."""
    speaker_id = row["claim__speaker_id"]
    return {
        "id": row["claim_id"],
        "url": f"{links.claims}{row['claim_id']}/",
        "text": row["claim__text"],
        "speaker": None
        if speaker_id is None
        else {
            "id": speaker_id,
            "url": f"{links.speakers}{speaker_id}/",
            "name": row["claim__speaker__name"],
            "kind": row["claim__speaker__kind"],
            "is_anonymous": row["claim__speaker__is_anonymous"],
            "role": row["claim__speaker__role"],
        },
        "made_on": row["claim__made_on"],
        "made_on_text": row["claim__made_on_text"],
        "made_in": row["claim__made_in"],
        "language": row["claim__language"],
        "verdict": _verdict_summary(row, links),
        "updated_at": iso_datetime(row["claim__updated_at"]),
    }


def verdict_item(row: dict, links: Links) -> dict:
    """Same output as VerdictListSerializer."""
    return {
        **_verdict_summary(row, links),
        "claim": {"id": row["claim_id"], "url": f"{links.claims}{row['claim_id']}/", "text": row["claim__text"]},
        "updated_at": iso_datetime(row["updated_at"]),
    }
