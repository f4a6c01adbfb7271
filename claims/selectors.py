"""Reads: the queries the admin, the API and the commands share."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import IContains

from .choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from .models import Appearance, Claim, Rating, Verdict
from .visibility import claim_wording, published_verdict_exists, shown_order

# Text search configuration of the stored search document (migration 0006).
SEARCH_CONFIG = "english"


def rating_scale_bounds() -> tuple[int | None, int | None]:
    """(worst, best) values of the true-to-false axis, for schema.org worstRating/bestRating."""
    bounds = Rating.objects.filter(value__isnull=False).aggregate(worst=Min("value"), best=Max("value"))
    return bounds["worst"], bounds["best"]


def with_current_verdict(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate each claim with its current verdict (draft, in review or published), if any.

    A claim has at most one current verdict of the desk's own, and may have published
    reviews imported from other fact-checkers beside it: the one annotated is the one the
    claim is shown with (claims.visibility), each column an indexed probe per row.
    """
    current = Verdict.objects.filter(claim=OuterRef("pk"), status__in=CURRENT_VERDICT_STATUSES).order_by(*shown_order())
    return queryset.annotate(
        current_verdict_id=Subquery(current.values("id")[:1]),
        current_status=Subquery(current.values("status")[:1]),
        current_rating_label=Subquery(current.values("rating__label")[:1]),
        current_rating_colour=Subquery(current.values("rating__colour")[:1]),
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

    def __init__(self, term: str, through: str = "", anchor=None, *, text_only: bool = False, own: bool = False):
        super().__init__()
        self.term = term
        self.through = through
        self.anchor = anchor
        self.text_only = text_only
        # Rows that are all published verdicts read their own copy of the claim's document
        # (migration 0025), which their newest-first index holds: no claim is visited for it.
        self.own = own

    def get_source_expressions(self):
        return [self.anchor] if self.anchor is not None else []

    def set_source_expressions(self, expressions):
        if expressions:
            (self.anchor,) = expressions

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        path = "pk" if self.own else f"{self.through}__text" if self.through else "text"
        resolved.anchor = F(path).resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        document = f"{compiler.quote_name_unless_alias(self.anchor.alias)}.search_document"
        if self.text_only:
            # The claim's own text is the document's weight A (migration 0006).
            document = f"ts_filter({document}, '{{a}}')"
        # claims_serial_plan() (migration 0020) is true and parallel unsafe: the statement is
        # planned without parallel workers. From about 100k claims PostgreSQL would otherwise
        # pick parallel plans for common words: ~30 ms on two cores at 1M claims, where the
        # serial plan takes 6-12 ms (benchmark_api prints the plans).
        return (
            f"({document} @@ websearch_to_tsquery(%s::regconfig, %s) AND claims_serial_plan())",
            [SEARCH_CONFIG, self.term],
        )


class WordingMatches(Expression):
    """``to_tsvector(<wording>) @@ websearch_to_tsquery(...)``: a search over an expression's text (PostgreSQL)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, wording, term: str):
        super().__init__()
        self.wording = wording
        self.term = term

    def get_source_expressions(self):
        return [self.wording]

    def set_source_expressions(self, expressions):
        (self.wording,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.wording)
        return (
            f"to_tsvector(%s::regconfig, coalesce({sql}, '')) @@ websearch_to_tsquery(%s::regconfig, %s)",
            [SEARCH_CONFIG, *params, SEARCH_CONFIG, self.term],
        )


@dataclass(frozen=True)
class SearchTerms:
    """A search in web-search syntax, as PostgreSQL's ``websearch_to_tsquery`` reads it.

    Words are all required; ``"a phrase"`` is one term; ``-word`` (or ``-"a phrase"``)
    excludes; ``or`` between terms makes either do. ``alternatives`` holds the groups
    joined by ``or``, each a list of (term, excluded) pairs that must all hold.
    """

    alternatives: tuple[tuple[tuple[str, bool], ...], ...]

    TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')

    @classmethod
    def parse(cls, text: str) -> "SearchTerms":
        groups: list[list[tuple[str, bool]]] = [[]]
        for negated, phrase, word in cls.TOKEN.findall(text):
            if word:
                if word.lower() == "or" and groups[-1]:
                    groups.append([])
                    continue
                negated, phrase = ("-", word[1:]) if word.startswith("-") and len(word) > 1 else ("", word)
            # Punctuation around a word is not part of it (websearch_to_tsquery drops it too).
            phrase = " ".join(phrase.split()).strip(".,;:!?()[]{}'\"-")
            if phrase:
                groups[-1].append((phrase, bool(negated)))
        return cls(tuple(tuple(group) for group in groups if group))


def _substring_search(queryset: QuerySet, terms: SearchTerms, *, through: str, public: bool) -> QuerySet:
    """The portable path: each term a case-insensitive substring of the text, a quote or the speaker's name.

    Correct on any database, without an index: it reads every row it is given.
    """
    prefix = f"{through}__" if through else ""
    claim_ref = f"{through}_id" if through else "pk"
    published = published_verdict_exists(claim_ref)
    wording = claim_wording(through)

    def found(term: str) -> Q:
        quotes = Appearance.objects.filter(claim=OuterRef(f"{prefix}pk"), quote__icontains=term)
        anywhere = Q(**{f"{prefix}text__icontains": term}) | Q(**{f"{prefix}speaker__name__icontains": term})
        anywhere |= Q(Exists(quotes))
        if not public:
            return anywhere
        # As on PostgreSQL: a claim without a published verdict is found by a word of its
        # wording as retracted (that it still carries), never by one it gained since.
        return anywhere & (Q(published) | Q(IContains(wording, term)))

    condition = Q(pk__in=[])
    for group in terms.alternatives:
        each = Q()
        for term, excluded in group:
            each &= ~found(term) if excluded else found(term)
        condition |= each
    return queryset.filter(condition)


def search_claims(
    queryset: QuerySet, term: str, *, through: str = "", public: bool = False, published_only: bool = False
) -> QuerySet:
    """Rows whose claim's text, appearance quotes or speaker name match ``term``.

    ``through`` is the path from the queryset's model to the claim ("" for claims,
    "claim" for verdicts). The syntax is the same everywhere (``SearchTerms``): all words
    required, quoted phrases, ``-word``, ``or``. On PostgreSQL: full-text search (with
    English stemming) over one stored document per claim through a GIN index. Elsewhere:
    each term a case-insensitive substring, which is correct but scans.

    ``public``: search as the public sees claims. A claim without a published verdict
    (its verdicts were all retracted) still shows its text on those verdicts, as it stood
    when retracted (claims.visibility.claim_wording); its quotes and speaker are no longer
    public: it is found by that wording alone.

    ``published_only``: the queryset holds published verdicts alone (``through`` is
    "claim"), which carry their claim's document themselves (migration 0025).
    """
    term = term.strip()
    if not term:
        return queryset
    claim_ref = f"{through}_id" if through else "pk"
    if connection.vendor != "postgresql":
        terms = SearchTerms.parse(term)
        return _substring_search(queryset, terms, through=through, public=public) if terms.alternatives else queryset
    matches = MatchesSearchDocument(term, through, own=published_only and through == "claim")
    if not public:
        return queryset.filter(matches)
    published = published_verdict_exists(claim_ref)
    by_wording = WordingMatches(claim_wording(through), term)
    if "-" in term:
        # A negated word ("-word") could rule a claim out by its hidden quotes or speaker:
        # each claim is matched against exactly what the public may search of it.
        return queryset.filter(Q(published, matches) | Q(~published, by_wording))
    # Otherwise the indexed document narrows the rows first; a claim without a published
    # verdict must match by its public wording as well (never by words it gained since; a
    # word the desk has removed since finds it no more).
    return queryset.filter(matches).filter(Q(published) | Q(by_wording))


def with_desk_status(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """:func:`with_current_verdict`, and ``desk_status``: the current verdict's status, else
    "retracted" for a claim whose verdicts were all withdrawn, else None (no verdict yet).

    A claim with verdicts but none current has had its last one retracted: superseded
    versions always have a successor, published or retracted.
    """
    anything = Exists(Verdict.objects.filter(claim=OuterRef("pk")))
    return with_current_verdict(queryset).annotate(
        desk_status=Case(
            When(current_status__isnull=False, then=F("current_status")),
            When(anything, then=Value(VerdictStatus.RETRACTED.value)),
            default=None,
            output_field=CharField(),
        )
    )


# The claim list's value for "no verdict yet" (never had one).
NO_VERDICT = "none"


def filter_by_verdicts(
    queryset: QuerySet[Claim],
    *,
    status: str | None = None,
    rating: str | None = None,
    has_verdict: bool | None = None,
) -> QuerySet[Claim]:
    """Claims by their verdicts, the conditions combined into one subquery per test.

    ``status``: the current verdict's status; "retracted" for claims whose verdicts were
    all withdrawn; :data:`NO_VERDICT` for claims that never had one. ``rating``: the slug
    of the current verdict's rating. ``has_verdict``: any verdict at all, in any state.

    A status and a rating test the same row (the claim's one current verdict), so they are
    one EXISTS, which the planner can answer from the verdicts' (rating, status, claim)
    index, rather than two it joins in full. Conditions that cannot hold together (a
    rating and no verdict, a draft and never a verdict) give no rows without a query. The
    rating's slug is looked up once per statement (an uncorrelated subquery), so each probe
    is one index lookup with a known rating.
    EXISTS rather than joins on the current verdict: the planner can then walk the
    newest-first index and probe each claim, or start from the smaller side.
    """
    never = status == NO_VERDICT or has_verdict is False
    has_current = status in CURRENT_VERDICT_STATUSES or bool(rating)
    if never and (has_verdict is True or has_current or status == VerdictStatus.RETRACTED):
        return queryset.none()
    if status == VerdictStatus.RETRACTED and rating:
        return queryset.none()  # a retracted claim has no current verdict, hence no current rating
    verdicts = Verdict.objects.filter(claim=OuterRef("pk"))
    if never:
        return queryset.filter(~Exists(verdicts))
    current = verdicts.filter(status__in=CURRENT_VERDICT_STATUSES)
    if status == VerdictStatus.RETRACTED:
        # "Had verdicts, none current" is "has a retracted one and none current" (superseded
        # versions always have a successor): the planner estimates a status well, and a
        # difference of two sets badly.
        return queryset.filter(Exists(verdicts.filter(status=VerdictStatus.RETRACTED)), ~Exists(current))
    if has_current:
        if status in CURRENT_VERDICT_STATUSES:
            current = verdicts.filter(status=status)
        if rating:
            current = current.filter(rating=Subquery(Rating.objects.filter(slug=rating).values("pk")))
        return queryset.filter(Exists(current))
    if has_verdict:
        return queryset.filter(Exists(verdicts))
    return queryset


def review_queue(queryset: QuerySet[Claim], user) -> QuerySet[Claim]:
    """A reviewer's waiting work: claims assigned to them that are not yet submitted or published.

    Starting a verdict assigns an unassigned claim to its author (claims.services), so
    the reviewer's own drafts are here too.
    """
    moved_on = Verdict.objects.filter(
        claim=OuterRef("pk"), status__in=[VerdictStatus.IN_REVIEW, VerdictStatus.PUBLISHED], reviewed_by=None
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
        older = by_id.get(verdict.supersedes_id) if verdict.supersedes_id is not None else None
        if older is not None:
            Verdict.supersedes.field.set_cached_value(verdict, older)
            Verdict.superseded_by.related.set_cached_value(older, verdict)
    return verdicts
