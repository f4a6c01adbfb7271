"""Reads: the queries the admin, the API and the commands share."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, F, FilteredRelation, Max, Min, OuterRef, Q, QuerySet

from .choices import CURRENT_VERDICT_STATUSES
from .models import Appearance, Claim, Rating, Speaker

# Text search configuration of the full-text indexes (migration 0005). Queries must use
# the same configuration, or PostgreSQL cannot use the indexes.
SEARCH_CONFIG = "english"


def rating_scale_bounds() -> tuple[int | None, int | None]:
    """(worst, best) values of the true-to-false axis, for schema.org worstRating/bestRating."""
    bounds = Rating.objects.filter(value__isnull=False).aggregate(worst=Min("value"), best=Max("value"))
    return bounds["worst"], bounds["best"]


def with_current_verdict(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate each claim with its current verdict (draft, in review or published), if any.

    A claim has at most one such verdict (a database constraint), so the join never
    duplicates claims and stays a single indexed lookup per row.
    """
    return queryset.annotate(
        current=FilteredRelation("verdicts", condition=Q(verdicts__status__in=CURRENT_VERDICT_STATUSES)),
        current_verdict_id=F("current__id"),
        current_status=F("current__status"),
        current_rating_label=F("current__rating__label"),
        current_rating_colour=F("current__rating__colour"),
    )


def search_claims(queryset: QuerySet[Claim], term: str) -> QuerySet[Claim]:
    """Claims whose text, appearance quotes or speaker name match ``term``.

    On PostgreSQL: full-text search (web-search syntax: quoted phrases, ``or``, ``-word``)
    over claim text and quotes through GIN indexes, and a substring match on speaker
    names through a trigram index. Elsewhere: case-insensitive substring matches, which
    are correct but scan.
    """
    term = term.strip()
    if not term:
        return queryset
    speakers = Speaker.objects.filter(name__icontains=term).values("pk")
    if connection.vendor == "postgresql":
        query = SearchQuery(term, config=SEARCH_CONFIG, search_type="websearch")
        by_text = Claim.objects.alias(document=SearchVector("text", config=SEARCH_CONFIG)).filter(document=query)
        by_quote = Appearance.objects.alias(document=SearchVector("quote", config=SEARCH_CONFIG)).filter(document=query)
        # One semi-join over the union of matching ids: each branch uses its own index,
        # where an OR of three conditions would scan every claim.
        matching = (
            by_text.order_by()
            .values("pk")
            .union(by_quote.order_by().values("claim_id"))
            .union(Claim.objects.filter(speaker__in=speakers).order_by().values("pk"))
        )
        return queryset.filter(pk__in=matching)
    quotes = Appearance.objects.filter(claim=OuterRef("pk"), quote__icontains=term)
    return queryset.filter(Q(text__icontains=term) | Q(speaker__in=speakers) | Exists(quotes))
