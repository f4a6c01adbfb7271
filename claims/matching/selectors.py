"""Reads: the claims most similar to a statement, with what the caller may see of them.

``match_claims`` ranks claim ids; ``similar_claims`` adds each claim's current
verdict, rating and review, read through the visibility policy. Both are used by the
API (similar claims and the Google-compatible search), the desk and imports.

Fusion: a candidate's score is ``SEMANTIC_WEIGHT`` x its cosine similarity (negative
cosines count as 0) plus the rest x its lexical similarity, both in [0, 1], so the
score is in [0, 1] and means the same thing whatever the query: 1 is the same words
and the same meaning. Candidates are the union of the best semantic and the best
lexical matches; each is scored on both signals.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import router
from django.db.models import F, Prefetch, QuerySet

from factcheck.prepared import Recompiled
from sources.models import Publisher

from .. import visibility
from ..bulk import Among
from ..models import Claim, Rating, Speaker, Verdict
from .embedding import DIMENSIONS, embed
from .index import semantic_index
from .lexical import parse, parse_many

METHODS = ("hybrid", "semantic", "lexical")
SEMANTIC_WEIGHT = 0.6
CANDIDATES = 100
MAX_TEXT_LENGTH = 1000
MAX_LIMIT = 50
# A new claim scoring this much against one on file is taken for the same statement: the
# desk is warned before saving it (claims.admin). Same words in the same order score 1;
# the same statement reworded around a shared core scores about 0.8-0.9.
DUPLICATE_THRESHOLD = 0.85


@dataclass
class Match:
    """A claim's similarity to the statement: the fused score and its two parts."""

    claim_id: int
    score: float
    semantic: float = 0.0
    lexical: float = 0.0
    claim: Claim | None = field(default=None, repr=False)


def _fused(semantic: float, lexical: float, method: str) -> float:
    if method == "semantic":
        return semantic
    if method == "lexical":
        return lexical
    return SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical


def match_claims(
    text: str,
    *,
    language: str | None = None,
    limit: int = 10,
    public_only: bool = True,
    method: str = "hybrid",
    using: str | None = None,
    exact: bool = False,
    drop_deleted: bool = True,
) -> list[Match]:
    """Ids of the claims most similar to ``text``, best first, scored in [0, 1].

    ``public_only`` ranks only claims with a published verdict (a prefilter: callers
    still read the claims through the visibility policy). ``language`` restricts to
    claims in that language and parses ``text`` with its text search configuration.
    ``exact`` scores every vector instead of the nearest partitions (benchmarks).
    ``drop_deleted=False`` skips the query for claims deleted since the index last
    loaded, for callers that read the claims anyway.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}.")
    using = using or router.db_for_read(Claim)
    index = semantic_index(using)
    pool = max(CANDIDATES, limit)
    query_vector = embed([text])[0]
    # Without a language, the statement is parsed as each language on file would be.
    lexemes = parse(text, [language] if language else index.languages_present(public_only=public_only), using)
    found: dict[int, None] = {}
    if method != "lexical":
        for hit in index.search(query_vector, limit=pool, public_only=public_only, language=language, exact=exact):
            found[hit.claim_id] = None
    if method != "semantic":
        for claim_id in index.lexical_search(lexemes, limit=pool, public_only=public_only, language=language):
            found[claim_id] = None
    if not found:
        return []
    ids = list(found)
    if drop_deleted:
        # The index learns of deletions only when it is rebuilt: drop claims deleted since.
        on_file = _on_file(ids, using)
        ids = [claim_id for claim_id in ids if claim_id in on_file]
    matches = _scored(index, ids, query_vector, lexemes, method)
    matches.sort(key=_ranked)
    return [match for match in matches if match.score > 0][:limit]


def _ranked(match: Match) -> tuple:
    return (-match.score, -match.claim_id)


def _on_file(claim_ids, using: str) -> set[int]:
    # Unordered: ordered as claims are listed (newest first), PostgreSQL walked that index across
    # the whole table at a million claims rather than look the ids up.
    claims = Claim.objects.using(using).filter(Among(F("pk"), list(claim_ids))).order_by()
    return set(claims.values_list("pk", flat=True))


def _scored(index, ids: list[int], query_vector: np.ndarray, lexemes: set[str], method: str) -> list[Match]:
    """Each claim's match to the statement (of the claims the index holds), unordered."""
    if not ids:
        return []
    cosines, lexical = index.similarities(query_vector, lexemes, ids)
    # int8 vectors (.index) put a cosine a rounding step past 1 at most: the score is a cosine, in [0, 1].
    semantic = np.clip(cosines, 0.0, 1.0).tolist()
    matches = []
    for claim_id, claim_semantic, claim_lexical in zip(ids, semantic, lexical.tolist(), strict=True):
        match = Match(claim_id, 0.0, semantic=claim_semantic, lexical=claim_lexical)
        match.score = min(max(_fused(match.semantic, match.lexical, method), 0.0), 1.0)
        matches.append(match)
    return matches


def best_matches(
    statements: list[tuple[str, str | None]], *, at_least: float, public_only: bool = True, using: str | None = None
) -> list[Match | None]:
    """For each (text, language): the match :func:`match_claims` ranks first, if it scores ``at_least``.

    The same answer as ``match_claims(text, language=language, public_only=public_only)[0]``
    (hybrid) for thousands of statements, most of which match nothing that well (an
    import's): they are embedded at once and parsed in one query, and only those that can
    have such a match are searched.

    A claim scoring ``at_least`` has a lexical similarity of at least ``(at_least -
    SEMANTIC_WEIGHT) / (1 - SEMANTIC_WEIGHT)``, so it holds some of the statement's rarest
    words: every such claim is among those ``SemanticIndex.lexical_reach`` finds, and these
    are scored. ``match_claims`` ranks first the best of them among its candidates (the
    best semantic and lexical ones): when the best is among the semantic ones, the lexical
    search is not needed to know it, and where the index scores every row, one product of
    all statements' vectors with the index often tells it without any search
    (``SemanticIndex.surely_found``).
    """
    needed = (at_least - SEMANTIC_WEIGHT) / (1 - SEMANTIC_WEIGHT)
    if needed <= 0:
        raise ValueError(f"at_least must be above {SEMANTIC_WEIGHT}: a lower score needs no shared word.")
    found: list[Match | None] = [None for _ in statements]
    if not statements:
        return found
    using = using or router.db_for_read(Claim)
    index = semantic_index(using)
    present = index.languages_present(public_only=public_only)
    # A statement in a language no claim is in matches nothing (nor does any on an empty index).
    wanted = [
        position
        for position, (_, language) in enumerate(statements)
        if present and (not language or language.lower() in present)
    ]
    if not wanted:
        return found
    # Without a language, the statement is parsed as each language on file would be.
    parsed = parse_many(
        [(text, [language] if language else present) for text, language in map(statements.__getitem__, wanted)], using
    )
    lexemes = dict(zip(wanted, parsed, strict=True))
    reached = index.lexical_reach(
        [(lexemes[p], statements[p][1]) for p in wanted], needed=needed, public_only=public_only
    )
    reach = {position: ids for position, ids in zip(wanted, reached, strict=True) if ids}
    vectors = dict(zip(reach, embed([statements[position][0] for position in reach]), strict=True))
    # The claims that may come first: those within reach scoring at_least, best first.
    contenders: dict[int, list[Match]] = {}
    for position, ids in reach.items():
        good = [m for m in _scored(index, ids, vectors[position], lexemes[position], "hybrid") if m.score >= at_least]
        if good:
            contenders[position] = sorted(good, key=_ranked)
    if not contenders:
        return found
    # match_claims drops claims deleted since the index last loaded: so do these.
    on_file = _on_file({match.claim_id for matches in contenders.values() for match in matches}, using)
    contenders = {
        position: kept
        for position, matches in contenders.items()
        if (kept := [match for match in matches if match.claim_id in on_file])
    }
    certain = index.surely_found(
        np.stack([vectors[position] for position in contenders]) if contenders else np.zeros((0, DIMENSIONS)),
        [matches[0].claim_id for matches in contenders.values()],
        [statements[position][1] for position in contenders],
        limit=CANDIDATES,
        public_only=public_only,
    )
    for (position, matches), surely in zip(contenders.items(), certain, strict=True):
        if surely:
            found[position] = matches[0]
            continue
        language = statements[position][1]
        hits = index.search(vectors[position], limit=CANDIDATES, public_only=public_only, language=language)
        candidates = {hit.claim_id for hit in hits}
        if matches[0].claim_id not in candidates:
            candidates.update(
                index.lexical_search(lexemes[position], limit=CANDIDATES, public_only=public_only, language=language)
            )
        found[position] = next((match for match in matches if match.claim_id in candidates), None)
    return found


def _listed_verdicts(desk_member: bool) -> Prefetch:
    # The verdict each claim is shown with: the published one, or for the desk the current
    # one (draft, in review or published); rating and imported publisher are shown with it.
    statuses = visibility.claim_list_statuses(desk_member)
    # The one it is shown with first (claims.visibility): a claim may have several reviews.
    verdicts = (
        Verdict.objects.filter(status__in=statuses)
        .select_related("rating", "reviewed_by")
        .order_by(*visibility.shown_order())
    )
    return Prefetch("verdicts", queryset=verdicts, to_attr="listed_verdicts")


def visible_claims(*, desk_member: bool) -> QuerySet[Claim]:
    """Claims the caller may see, with their speaker and listed verdict, in a constant number of queries."""
    return (
        visibility.visible_claims(desk_member=desk_member)
        .select_related("speaker")
        .prefetch_related(_listed_verdicts(desk_member))
    )


# What a match is shown with (the API's results, the desk's "Possibly already checked"):
# the fields read of each claim and verdict, and of their related rows.
MATCH_CLAIM_FIELDS = ("id", "text", "speaker_id", "made_on", "language")
MATCH_VERDICT_FIELDS: tuple[str, ...] = ("id", "claim_id", "rating_id", "headline", "status", "published_at")
MATCH_VERDICT_FIELDS += ("reviewed_by_id", "review_url", "review_rating_label")
MATCH_RATING_FIELDS = ("slug", "label")
MATCH_PUBLISHER_FIELDS = ("name", "url")

_visible_claim_rows = Recompiled(
    lambda ids, desk_member: (
        visibility.visible_claims(desk_member=desk_member)
        .filter(Among(F("pk"), ids))
        .order_by()
        .values_list(*MATCH_CLAIM_FIELDS, "speaker__name")
    )
)
_listed_verdict_rows = Recompiled(
    lambda claim_ids, desk_member: (
        Verdict.objects.filter(status__in=visibility.claim_list_statuses(desk_member))
        .filter(Among(F("claim_id"), claim_ids))
        .order_by(*visibility.shown_order())
        .values_list(
            *MATCH_VERDICT_FIELDS,
            *(f"rating__{name}" for name in MATCH_RATING_FIELDS),
            *(f"reviewed_by__{name}" for name in MATCH_PUBLISHER_FIELDS),
        )
    )
)


def _partial(model, using: str, names: tuple[str, ...], values) -> Any:
    """An instance of ``model`` as loaded from ``using`` with only the fields ``names`` (others deferred)."""
    given = dict(zip(names, values, strict=True))
    # from_db takes the values in the model's field order.
    order = [field.attname for field in model._meta.concrete_fields if field.attname in given]
    return model.from_db(using, order, [given[name] for name in order])


def _visible_matched_claims(claim_ids: list[int], *, desk_member: bool, using: str) -> dict[int, Claim]:
    """The claims of ``claim_ids`` the caller may see, each with its speaker and listed verdicts.

    What :func:`visible_claims` reads for them, in two statements compiled once
    (``Recompiled``): building the querysets for every request cost more than the rest
    of a similar-claims request. The instances hold only the fields a match is shown with.
    """
    key = (desk_member,)
    claims: dict[int, Claim] = {}
    for row in _visible_claim_rows.rows(claim_ids, using=using, key=key):
        claim = _partial(Claim, using, MATCH_CLAIM_FIELDS, row[: len(MATCH_CLAIM_FIELDS)])
        if claim.speaker_id is not None:
            claim.speaker = _partial(Speaker, using, ("id", "name"), (claim.speaker_id, row[-1]))
        claim.listed_verdicts = []  # as the Prefetch sets it
        claims[claim.pk] = claim
    if not claims:
        return claims
    fields, ratings = len(MATCH_VERDICT_FIELDS), len(MATCH_RATING_FIELDS)
    for row in _listed_verdict_rows.rows(list(claims), using=using, key=key):
        verdict = _partial(Verdict, using, MATCH_VERDICT_FIELDS, row[:fields])
        rating, publisher = row[fields : fields + ratings], row[fields + ratings :]
        verdict.rating = (
            _partial(Rating, using, ("id", *MATCH_RATING_FIELDS), (verdict.rating_id, *rating))
            if verdict.rating_id is not None
            else None
        )
        verdict.reviewed_by = (
            _partial(Publisher, using, ("id", *MATCH_PUBLISHER_FIELDS), (verdict.reviewed_by_id, *publisher))
            if verdict.reviewed_by_id is not None
            else None
        )
        claim = claims[verdict.claim_id]
        verdict.claim = claim
        claim.listed_verdicts.append(verdict)  # type: ignore[attr-defined]
    return claims


def similar_claims(
    text: str,
    *,
    language: str | None = None,
    limit: int = 10,
    desk_member: bool = False,
    method: str = "hybrid",
    claims: QuerySet[Claim] | None = None,
) -> list[Match]:
    """The claims most similar to ``text`` that the caller may see, each with ``claim`` loaded.

    The public sees claims with a published verdict; desk members also see claims in
    progress (``desk_member``). ``claims`` narrows further (e.g. by a reviewer's site):
    given, it is read as it is, with :func:`visible_claims`' prefetches.
    """
    using = router.db_for_read(Claim)
    # The claims are read below, through the visibility policy: deleted ones drop out there.
    matches = match_claims(
        text,
        language=language,
        limit=limit,
        public_only=not desk_member,
        method=method,
        drop_deleted=False,
        using=using,
    )
    if not matches:
        return []
    ids = [match.claim_id for match in matches]
    if claims is None:
        loaded = _visible_matched_claims(ids, desk_member=desk_member, using=using)
    else:
        # Ranked here, not by the database: no ORDER BY to build and sort.
        loaded = claims.order_by().in_bulk(ids)
    found = []
    for match in matches:
        match.claim = loaded.get(match.claim_id)
        if match.claim is not None:
            found.append(match)
    return found


def possible_duplicates(
    text: str, *, language: str | None = None, exclude: int | None = None, limit: int = 5
) -> list[Match]:
    """For the desk: claims on file that may already check ``text``, drafts included."""
    matches = similar_claims(text, language=language, limit=limit + 1, desk_member=True)
    return [match for match in matches if match.claim_id != exclude][:limit]


def near_duplicates(text: str, *, language: str | None = None, exclude: int | None = None) -> list[Match]:
    """Claims scoring at least ``DUPLICATE_THRESHOLD``: the same statement, worded alike."""
    matches = possible_duplicates(text, language=language, exclude=exclude, limit=3)
    return [match for match in matches if match.score >= DUPLICATE_THRESHOLD]


def listed_verdicts(claim: Claim) -> list[Verdict]:
    """The verdicts a claim of :func:`visible_claims` is listed with, the one it is shown with first."""
    return getattr(claim, "listed_verdicts", None) or []


def listed_verdict(claim: Claim) -> Verdict | None:
    verdicts = listed_verdicts(claim)
    return verdicts[0] if verdicts else None
