"""Reads: the queries the admin, the API and the commands share."""

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Expression,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)

from .choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from .models import Appearance, Claim, Rating, Verdict
from .visibility import published_verdict_exists

# Text search configuration of the stored search document (migration 0006).
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


class MatchesSearchDocument(Expression):
    """``<claims table>.search_document @@ websearch_to_tsquery(...)`` (PostgreSQL only).

    The column is maintained by triggers (migration 0006) and is not a model field. It is
    reached through the claim's ``text`` column: resolving that path joins the claims
    table when ``through`` names a relation (``"claim"`` from verdicts), and gives the
    alias to use, which stays correct when the query is nested as a subquery.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, term: str, through: str = "", anchor=None, *, text_only: bool = False):
        super().__init__()
        self.term = term
        self.through = through
        self.anchor = anchor
        self.text_only = text_only

    def get_source_expressions(self):
        return [self.anchor] if self.anchor is not None else []

    def set_source_expressions(self, expressions):
        if expressions:
            (self.anchor,) = expressions

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        path = f"{self.through}__text" if self.through else "text"
        resolved.anchor = F(path).resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        document = f"{compiler.quote_name_unless_alias(self.anchor.alias)}.search_document"
        if self.text_only:
            # The claim's own text is the document's weight A (migration 0006).
            document = f"ts_filter({document}, '{{a}}')"
        return f"{document} @@ websearch_to_tsquery(%s::regconfig, %s)", [SEARCH_CONFIG, self.term]


def search_claims(queryset: QuerySet, term: str, *, through: str = "", public: bool = False) -> QuerySet:
    """Rows whose claim's text, appearance quotes or speaker name match ``term``.

    ``through`` is the path from the queryset's model to the claim ("" for claims,
    "claim" for verdicts). On PostgreSQL: full-text search with web-search syntax (quoted
    phrases, ``or``, ``-word``) over one stored document per claim through a GIN index.
    Elsewhere: case-insensitive substring matches, which are correct but scan.

    ``public``: search as the public sees claims. A claim without a published verdict
    (its verdicts were all retracted) still shows its text on those verdicts, but its
    quotes and speaker are no longer public: it is found by its text alone.
    """
    term = term.strip()
    if not term:
        return queryset
    prefix = f"{through}__" if through else ""
    claim_ref = f"{through}_id" if through else "pk"
    if connection.vendor == "postgresql":
        matches = MatchesSearchDocument(term, through)
        if not public:
            return queryset.filter(matches)
        published = published_verdict_exists(claim_ref)
        by_text = MatchesSearchDocument(term, through, text_only=True)
        if "-" in term:
            # A negated word ("-word") could rule a claim out by its hidden quotes or speaker:
            # each claim is matched against exactly what the public may search of it.
            return queryset.filter(Q(published, matches) | Q(~published, by_text))
        # Otherwise a match on the text implies one on the whole document, so the indexed
        # condition can narrow the rows first.
        return queryset.filter(matches).filter(Q(published) | Q(by_text))
    quotes = Appearance.objects.filter(claim=OuterRef(f"{prefix}pk"), quote__icontains=term)
    by_speaker_or_quote = Q(**{f"{prefix}speaker__name__icontains": term}) | Exists(quotes)
    if public:
        by_speaker_or_quote &= published_verdict_exists(claim_ref)
    return queryset.filter(Q(**{f"{prefix}text__icontains": term}) | by_speaker_or_quote)


def filter_by_current_status(queryset: QuerySet[Claim], status: str | None) -> QuerySet[Claim]:
    """Claims whose current verdict has ``status``; ``None`` for claims with no current verdict.

    EXISTS subqueries rather than filters on the joined current verdict: the planner can
    then walk the newest-first index and probe each claim, instead of joining whole tables.
    """
    if status is None:
        current = Verdict.objects.filter(claim=OuterRef("pk"), status__in=CURRENT_VERDICT_STATUSES)
        return queryset.filter(~Exists(current))
    return queryset.filter(Exists(Verdict.objects.filter(claim=OuterRef("pk"), status=status)))


def filter_by_current_rating(queryset: QuerySet[Claim], slug: str) -> QuerySet[Claim]:
    current = Verdict.objects.filter(claim=OuterRef("pk"), status__in=CURRENT_VERDICT_STATUSES, rating__slug=slug)
    return queryset.filter(Exists(current))


def review_queue(queryset: QuerySet[Claim], user) -> QuerySet[Claim]:
    """A reviewer's waiting work: claims assigned to them that are not yet submitted or published.

    Starting a verdict assigns an unassigned claim to its author (claims.services), so
    the reviewer's own drafts are here too.
    """
    moved_on = Verdict.objects.filter(
        claim=OuterRef("pk"), status__in=[VerdictStatus.IN_REVIEW, VerdictStatus.PUBLISHED]
    )
    return queryset.filter(assigned_to=user).filter(~Exists(moved_on))


# Public API (what the public may see is decided in claims.visibility) -------------------


def track_records(speaker_ids) -> dict[int, dict[str, int]]:
    """Published verdicts per rating for each speaker: {speaker_id: {rating_slug: count}}."""
    rows = (
        Verdict.objects.filter(status=VerdictStatus.PUBLISHED, claim__speaker_id__in=list(speaker_ids))
        .values_list("claim__speaker_id", "rating__slug")
        .annotate(count=Count("id"))
        .order_by()
    )
    records: dict[int, dict[str, int]] = {}
    for speaker_id, slug, count in rows:
        records.setdefault(speaker_id, {})[slug] = count
    return records


def link_versions(verdicts: list[Verdict]) -> list[Verdict]:
    """Set each verdict's ``supersedes`` and ``superseded_by`` from the list itself, without queries.

    The versions of one fact-check are all verdicts of the same claim, so a claim's
    verdicts, loaded once, answer every "corrects" and "corrected by" link between them.
    """
    by_id = {verdict.pk: verdict for verdict in verdicts}
    for verdict in verdicts:
        Verdict.superseded_by.related.set_cached_value(verdict, None)
    for verdict in verdicts:
        older = by_id.get(verdict.supersedes_id)
        if older is not None:
            Verdict.supersedes.field.set_cached_value(verdict, older)
            Verdict.superseded_by.related.set_cached_value(older, verdict)
    return verdicts
