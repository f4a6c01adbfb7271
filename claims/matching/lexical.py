"""Lexical matching: the words a statement shares with each claim.

PostgreSQL: the statement is parsed with the text search configuration of its language
(``claims_match_config``, migration 0017) and candidates come from the GIN index on
``claims_claim.match_document``, ranked by ``ts_rank_cd``. Ranking every claim that shares any
word of a long statement would rank a large part of the table, so only the statement's
rarest lexemes are looked up, as many as keep the rows to rank under ``ROW_BUDGET``
(document frequencies from ``ts_stat``, read once per process with the semantic index:
new words count as rare, which they are).

Each candidate's lexical similarity is the cosine between its lexemes and the
statement's, each weighted by its inverse document frequency (a shared rare word says
more than a shared common one): in [0, 1] whatever the lengths, so it can be fused with
the semantic score and compared with a threshold.

SQLite has no full-text search here: words are matched as substrings and the same
cosine is computed in Python over lower-cased words, correct and slower.
"""

import math
import re

from django.db import connections
from django.db.models import Q

from ..choices import VerdictStatus

WORD = re.compile(r"\w+", re.UNICODE)
DISTINCTIVE_WORDS = 10
SQLITE_SCAN_LIMIT = 5_000
ROW_BUDGET = 4_000


class LexemeStats:
    """How many claims hold each lexeme; weights for the cosine."""

    def __init__(self, frequencies: dict[str, int] | None = None, documents: int = 0):
        self.frequencies = frequencies or {}
        self.documents = documents

    def weight(self, lexeme: str) -> float:
        return math.log((self.documents + 1) / (self.frequencies.get(lexeme, 0) + 1)) + 1.0

    def rarest_first(self, lexemes: set[str]) -> list[str]:
        """Rarest first; lexemes no published claim held when the statistics were read go last.

        A statement parsed as several languages yields forms no claim has (English words
        stemmed as Spanish): looking those up first would crowd out the words that match.
        """

        def key(lexeme: str):
            frequency = self.frequencies.get(lexeme, 0)
            return (self.documents > 0 and frequency == 0, frequency, -len(lexeme), lexeme)

        return sorted(lexemes, key=key)

    def cosine(self, query: set[str], document: set[str]) -> float:
        if not query or not document:
            return 0.0
        shared = sum(self.weight(lexeme) ** 2 for lexeme in query & document)
        if not shared:
            return 0.0
        norms = math.sqrt(sum(self.weight(lexeme) ** 2 for lexeme in query)) * math.sqrt(
            sum(self.weight(lexeme) ** 2 for lexeme in document)
        )
        return min(shared / norms, 1.0)


PUBLIC_DOCUMENTS = (
    "SELECT c.match_document FROM claims_claim c WHERE EXISTS "
    "(SELECT 1 FROM claims_verdict v WHERE v.claim_id = c.id AND v.status = 'published')"
)


def postgres_lexeme_stats(using: str) -> LexemeStats:
    """Frequencies among published claims only: what the public is shown never depends on unpublished work."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [PUBLIC_DOCUMENTS])
        frequencies = dict(cursor.fetchall())
        cursor.execute(f"SELECT count(*) FROM ({PUBLIC_DOCUMENTS}) AS published")
        return LexemeStats(frequencies, cursor.fetchone()[0])


def _tsquery_literal(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresLexical:
    def __init__(self, using: str, stats: LexemeStats):
        self.connection = connections[using]
        self.stats = stats

    def lexemes(self, text: str, languages: list[str]) -> set[str]:
        """The statement's lexemes as each of ``languages`` would parse it (their union)."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(array_agg(DISTINCT lexeme), '{}') FROM unnest(%s::text[]) AS language, "
                "unnest(tsvector_to_array(to_tsvector(claims_match_config(language), %s))) AS lexeme",
                [languages or ["simple"], text],
            )
            return set(cursor.fetchone()[0])

    def candidates(
        self, lexemes: set[str], *, language: str | None, limit: int, public_only: bool
    ) -> list[tuple[int, float]]:
        """(claim id, ts_rank_cd) of up to ``limit`` claims sharing the most of ``lexemes``."""
        chosen: list[str] = []
        rows = 0
        for lexeme in self.stats.rarest_first(lexemes)[:DISTINCTIVE_WORDS]:
            frequency = self.stats.frequencies.get(lexeme, 0)
            if chosen and rows + frequency > ROW_BUDGET:
                break
            chosen.append(lexeme)
            rows += frequency
        if not chosen:
            return []
        query = " | ".join(_tsquery_literal(lexeme) for lexeme in chosen)
        if rows > ROW_BUDGET and len(lexemes) > 1:
            # Even the rarest word is common: require it together with the next rarest.
            query = " & ".join(_tsquery_literal(lexeme) for lexeme in self.stats.rarest_first(lexemes)[:2])
        conditions, params = ["c.match_document @@ q.query"], []
        if language:
            conditions.append("lower(c.language) = lower(%s)")
            params.append(language)
        if public_only:
            conditions.append("EXISTS (SELECT 1 FROM claims_verdict v WHERE v.claim_id = c.id AND v.status = %s)")
            params.append(VerdictStatus.PUBLISHED.value)
        sql = (
            "SELECT c.id, ts_rank_cd(c.match_document, q.query) AS rank "
            "FROM claims_claim c, CAST(%s AS tsquery) AS q(query) "
            f"WHERE {' AND '.join(conditions)} ORDER BY rank DESC, c.id LIMIT %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [query, *params, limit])
            return cursor.fetchall()

    def documents(self, claim_ids: list[int]) -> dict[int, set[str]]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, tsvector_to_array(match_document) FROM claims_claim WHERE id = ANY(%s)", [claim_ids]
            )
            return {claim_id: set(lexemes) for claim_id, lexemes in cursor.fetchall()}


class PortableLexical:
    """Any database: substring candidates, words compared in Python."""

    def __init__(self, using: str, stats: LexemeStats):
        self.using = using
        self.stats = stats

    def lexemes(self, text: str, languages: list[str] | None = None) -> set[str]:
        return {word.lower() for word in WORD.findall(text)}

    def candidates(
        self, lexemes: set[str], *, language: str | None, limit: int, public_only: bool
    ) -> list[tuple[int, float]]:
        from ..models import Claim
        from ..visibility import public_claims

        distinctive = sorted(lexemes, key=lambda word: (-len(word), word))[:DISTINCTIVE_WORDS]
        if not distinctive:
            return []
        claims = (public_claims() if public_only else Claim.objects.all()).using(self.using)
        if language:
            claims = claims.filter(language__iexact=language)
        anywhere = Q()
        for word in distinctive:
            anywhere |= Q(text__icontains=word)
        rows = claims.filter(anywhere).order_by("-id").values_list("id", "text")[:SQLITE_SCAN_LIMIT]
        scored = [(claim_id, self.stats.cosine(lexemes, self.lexemes(text))) for claim_id, text in rows]
        scored = [row for row in scored if row[1] > 0]
        scored.sort(key=lambda row: (-row[1], -row[0]))
        return scored[:limit]

    def documents(self, claim_ids: list[int]) -> dict[int, set[str]]:
        from ..models import Claim

        rows = Claim.objects.using(self.using).filter(pk__in=claim_ids).values_list("id", "text")
        return {claim_id: self.lexemes(text) for claim_id, text in rows}


def lexical_backend(using: str, stats: LexemeStats):
    if connections[using].vendor == "postgresql":
        return PostgresLexical(using, stats)
    return PortableLexical(using, stats)
