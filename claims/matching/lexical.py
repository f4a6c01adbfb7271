"""Lexical matching: the words a statement shares with each claim, weighted by rarity.

Parsing is PostgreSQL's full-text search: each claim's text is a ``tsvector`` in the text
search configuration of its language (``claims_claim.match_document``, a generated column,
``claims_match_config`` in migration 0017: 30 languages, ``simple`` for the rest), and a
statement is parsed with the configuration of the language asked for (or of every
language on file). On SQLite, lexemes are the lower-cased words (no stemming): correct,
less forgiving.

Ranking is done in this process, over an inverted index (``Postings``) that the matching
index keeps beside the embeddings and syncs with them. Ranking in SQL (``ts_rank_cd`` over
the GIN index) had to fetch and rank every row holding one of the statement's words,
hundreds of milliseconds at a million claims, and ``ts_rank_cd`` knows nothing of how rare
a word is. Here the rarest words' posting lists are read in full and the common words are
only looked up for the rows those found, as long as a bound proves that no row holding
only common words could rank (``Postings.top``): the same ranking as reading every list,
for a fraction of the work.

A claim's lexical similarity is the cosine between its lexemes and the statement's, each
weighted by its inverse document frequency (a shared rare word says more than a shared
common one): in [0, 1] whatever the lengths, so it can be fused with the semantic score
and compared with a threshold. Document frequencies count published claims only: what
the public is shown never depends on unpublished work.
"""

import math
import re

import numpy as np
from django.db import connections

WORD = re.compile(r"\w+", re.UNICODE)
# Rows changed since the posting lists were built, kept aside, before building them again.
OVERLAY_LIMIT = 20_000
# Postings read in full per query before common words are only looked up (``Postings.top``).
SCAN_BUDGET = 50_000


def parse(text: str, languages: list[str], using: str) -> set[str]:
    """The statement's lexemes as each of ``languages`` would parse it (their union)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return python_lexemes(text)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(array_agg(DISTINCT lexeme), '{}') FROM unnest(%s::text[]) AS language, "
            "unnest(tsvector_to_array(to_tsvector(claims_match_config(language), %s))) AS lexeme",
            [languages or ["simple"], text],
        )
        return set(cursor.fetchone()[0])


def python_lexemes(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


def document_lexemes_sql(using: str) -> str | None:
    """SQL for a claim's lexemes as stored by PostgreSQL; None where Python parses them."""
    if connections[using].vendor == "postgresql":
        return "tsvector_to_array(claims_claim.match_document)"
    return None


class Postings:
    """Which rows hold each lexeme, and how many published rows do.

    The bulk is two compressed arrays built at once (``rebuild``): every row's lexeme ids
    end to end, and every lexeme's rows end to end. Rows added or changed since sit in an
    overlay (dictionaries) and their entries in the arrays are ignored (``stale``) until the
    next rebuild, so a sync never rewrites the arrays. A full load skips the overlay
    (``load``): its rows go straight into the next rebuild.
    """

    def __init__(self):
        self.vocabulary: dict[str, int] = {}
        self.frequency = np.zeros(0, dtype=np.int64)  # published rows holding each lexeme
        self.published = 0
        self.row_offsets = np.zeros(1, dtype=np.int64)
        self.row_lexemes = np.zeros(0, dtype=np.int32)
        self.lexeme_offsets = np.zeros(1, dtype=np.int64)
        self.lexeme_rows = np.zeros(0, dtype=np.int32)
        self.norms = np.zeros(0, dtype=np.float32)
        self.min_norms = np.zeros(0, dtype=np.float32)  # the smallest norm among each lexeme's rows
        self.stale = np.zeros(0, dtype=bool)
        self.changed: dict[int, np.ndarray] = {}
        self.changed_rows: dict[int, set[int]] = {}
        self.loaded: list[tuple[np.ndarray, np.ndarray]] = []

    @property
    def nbytes(self) -> int:
        arrays = (self.frequency, self.row_offsets, self.row_lexemes, self.lexeme_offsets, self.lexeme_rows)
        return sum(array.nbytes for array in (*arrays, self.stale, self.norms, self.min_norms))

    # Weights ----------------------------------------------------------------------------

    def weights(self, ids: np.ndarray) -> np.ndarray:
        return np.log((self.published + 1) / (self.frequency[ids] + 1)) + 1.0

    def ids_of(self, lexemes: set[str]) -> np.ndarray:
        known = [self.vocabulary[lexeme] for lexeme in lexemes if lexeme in self.vocabulary]
        return np.asarray(sorted(known), dtype=np.int64)

    def query_norm(self, lexemes: set[str]) -> float:
        """The statement's norm: words no claim holds weigh as the rarest."""
        known = self.ids_of(lexemes)
        rarest = math.log(self.published + 1) + 1.0
        return math.sqrt(float(np.sum(self.weights(known) ** 2)) + (len(lexemes) - len(known)) * rarest**2)

    # Rows -------------------------------------------------------------------------------

    def _intern(self, lexemes) -> np.ndarray:
        ids = [self.vocabulary.setdefault(lexeme, len(self.vocabulary)) for lexeme in lexemes]
        if len(self.vocabulary) > len(self.frequency):
            grown = np.zeros(max(len(self.vocabulary), int(len(self.frequency) * 1.5) + 1024), dtype=np.int64)
            grown[: len(self.frequency)] = self.frequency
            self.frequency = grown
        return np.unique(np.asarray(ids, dtype=np.int32))

    def lexemes_of(self, row: int) -> np.ndarray:
        changed = self.changed.get(row)
        if changed is not None:
            return changed
        if row + 1 < len(self.row_offsets):
            return self.row_lexemes[self.row_offsets[row] : self.row_offsets[row + 1]]
        return np.zeros(0, dtype=np.int32)

    def load(self, first_row: int, lexeme_lists: list) -> None:
        """Rows ``first_row``, ``first_row + 1``... of a full load, taken in by ``rebuild``."""
        ids = [self._intern(lexemes) for lexemes in lexeme_lists]
        owners = np.repeat(np.arange(first_row, first_row + len(ids), dtype=np.int32), [len(row) for row in ids])
        self.loaded.append((owners, np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)))

    def set_row(self, row: int, lexemes, *, was_public: bool, is_public: bool, new: bool) -> None:
        """Row ``row`` now holds ``lexemes`` (its old entries, if any, are ignored from now on)."""
        if not new:
            old = self.lexemes_of(row)
            if was_public:
                self.frequency[old] -= 1
                self.published -= 1
            if row in self.changed:
                for lexeme in old.tolist():
                    self.changed_rows.get(lexeme, set()).discard(row)
        ids = self._intern(lexemes)
        if is_public:
            self.frequency[ids] += 1
            self.published += 1
        self.changed[row] = ids
        for lexeme in ids.tolist():
            self.changed_rows.setdefault(lexeme, set()).add(row)
        if row < len(self.stale):
            self.stale[row] = True

    def set_public(self, row: int, *, was_public: bool, is_public: bool) -> None:
        if was_public != is_public:
            self.frequency[self.lexemes_of(row)] += 1 if is_public else -1
            self.published += 1 if is_public else -1

    def needs_rebuild(self) -> bool:
        return len(self.changed) > OVERLAY_LIMIT

    def rebuild(self, count: int, public: np.ndarray, renumber: np.ndarray | None = None) -> None:
        """Fold the overlay and any loaded rows into the arrays; frequencies and row norms afresh.

        ``renumber[old row]`` is the new row of each row, when the index reordered them.
        """
        base_count = len(self.row_offsets) - 1
        owners = np.repeat(np.arange(base_count, dtype=np.int32), np.diff(self.row_offsets))
        keep = ~self.stale[owners] if base_count else np.zeros(0, dtype=bool)
        parts = [(owners[keep], self.row_lexemes[keep]), *self.loaded]
        if self.changed:
            rows = list(self.changed)
            parts.append(
                (
                    np.repeat(np.asarray(rows, dtype=np.int32), [len(self.changed[row]) for row in rows]),
                    np.concatenate([self.changed[row] for row in rows]),
                )
            )
        owners = np.concatenate([part[0] for part in parts]).astype(np.int32)
        if renumber is not None:
            owners = renumber[owners].astype(np.int32)
        lexemes = np.concatenate([part[1] for part in parts]).astype(np.int32)
        order = np.argsort(owners, kind="stable")
        owners, lexemes = owners[order], lexemes[order]
        lengths = np.bincount(owners, minlength=count)
        self.row_offsets = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.row_offsets[1:])
        self.row_lexemes = lexemes
        size = len(self.vocabulary)
        by_lexeme = np.argsort(lexemes, kind="stable")
        self.lexeme_rows = owners[by_lexeme]
        self.lexeme_offsets = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(lexemes, minlength=size), out=self.lexeme_offsets[1:])
        self.frequency[:] = 0
        self.frequency[:size] = np.bincount(lexemes, weights=public[owners], minlength=size).astype(np.int64)
        self.published = int(np.count_nonzero(public[:count]))
        self.changed.clear()
        self.changed_rows.clear()
        self.loaded.clear()
        self.stale = np.zeros(count, dtype=bool)
        self.norms = np.zeros(count, dtype=np.float32)
        if len(lexemes):
            squares = np.bincount(owners, weights=self.weights(lexemes) ** 2, minlength=count)
            self.norms = np.sqrt(squares).astype(np.float32)
        self.min_norms = np.full(size, np.inf, dtype=np.float32)
        held = np.flatnonzero(np.diff(self.lexeme_offsets))
        if len(held):
            # Empty lists in between start where the next one does, so each segment is one lexeme's rows.
            self.min_norms[held] = np.minimum.reduceat(self.norms[self.lexeme_rows], self.lexeme_offsets[held])

    # Scoring ----------------------------------------------------------------------------

    def _norm(self, row: int) -> float:
        if row < len(self.norms) and row not in self.changed:
            return float(self.norms[row])
        return math.sqrt(float(np.sum(self.weights(self.lexemes_of(row)) ** 2)))

    def _postings(self, lexeme: int) -> np.ndarray:
        """The rows holding ``lexeme`` at the last rebuild, ascending."""
        return self.lexeme_rows[self.lexeme_offsets[lexeme] : self.lexeme_offsets[lexeme + 1]]

    def _overlay_shares(self, ids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, summed weights of the query lexemes they hold) of the rows changed since the rebuild."""
        rows: list[int] = []
        row_weights: list[float] = []
        for lexeme, weight in zip(ids.tolist(), weights.tolist(), strict=True):
            holders = self.changed_rows.get(lexeme, ())
            rows += holders
            row_weights += [weight] * len(holders)
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        found, inverse = np.unique(np.asarray(rows, dtype=np.int64), return_inverse=True)
        return found, np.bincount(inverse, weights=np.asarray(row_weights), minlength=len(found))

    def top(self, lexemes: set[str], *, allowed, limit: int) -> list[int]:
        """Rows with the highest cosine with ``lexemes``, best first; ``allowed(rows)`` masks rows.

        A row's score is the summed squared weight of the query lexemes it holds over its
        norm. Reading every posting list costs as much as the commonest word's list (a
        tenth of the table for "year"), so the lists are read rarest first up to
        ``SCAN_BUDGET`` rows; the rows found are then scored on every query lexeme (the
        lists are sorted: a binary search per row). A row holding none of the lexemes read
        scores at most ``bound`` below, from the skipped lexemes' weights and the smallest
        norm among their rows; once the ``limit``-th best score found beats it, no row
        left out could rank, and the answer is the one reading every list would give.
        Otherwise more lexemes are read, until it does or all are.

        Row norms are those of the last rebuild (frequencies drift a little between
        rebuilds); callers compute the exact cosine of what they keep (``cosine``).
        """
        ids = self.ids_of(lexemes)
        if not len(ids):
            return []
        weights = self.weights(ids) ** 2
        # Rows changed since the rebuild are scored from the overlay, on every query lexeme.
        overlay_rows, overlay_shared = self._overlay_shares(ids, weights)
        in_base = ids < len(self.lexeme_offsets) - 1
        base_ids, base_weights = ids[in_base], weights[in_base]
        lengths = self.lexeme_offsets[base_ids + 1] - self.lexeme_offsets[base_ids]
        order = np.argsort(lengths, kind="stable")
        base_ids, base_weights, lengths = base_ids[order], base_weights[order], lengths[order]
        # bound[k]: the best score of a row holding none of the k rarest lexemes, only later ones:
        # at most their summed weight over the smallest norm among their rows (norms are >= 1).
        skipped_weight = np.append(np.cumsum(base_weights[::-1])[::-1], 0.0)
        skipped_norm = np.append(np.minimum.accumulate(self.min_norms[base_ids][::-1])[::-1], np.inf)
        bound = skipped_weight / skipped_norm
        read = max(1, int(np.searchsorted(np.cumsum(lengths), SCAN_BUDGET, side="right")))
        while True:
            read = min(read, len(base_ids))
            candidates, shared = self._base_shares(base_ids, base_weights, read)
            candidates = np.concatenate([candidates, overlay_rows])
            shared = np.concatenate([shared, overlay_shared])
            if allowed is not None:
                keep = allowed(candidates)
                candidates, shared = candidates[keep], shared[keep]
            scores = self._scores(candidates, shared)
            if read == len(base_ids):
                break
            kth = np.partition(scores, len(scores) - limit)[len(scores) - limit] if len(scores) >= limit else 0.0
            if kth > bound[read]:
                break
            # Read up to the first lexeme whose bound the present k-th score beats (the k-th
            # score can only rise), or, short of candidates, twice as many postings.
            beaten = np.flatnonzero(bound < kth)
            enough = int(np.searchsorted(np.cumsum(lengths), 2 * int(np.sum(lengths[:read])), side="right"))
            read = max(read + 1, int(beaten[0]) if kth > 0 and len(beaten) else enough)
        if len(scores) > limit:
            # Every row scoring at least the limit-th score (ties included), then best first and,
            # of equal scores, the first rows: the same answer however the rows were found.
            keep = scores >= np.partition(scores, len(scores) - limit)[len(scores) - limit]
            candidates, scores = candidates[keep], scores[keep]
        return candidates[np.lexsort((candidates, -scores))[:limit]].tolist()

    def _base_shares(self, ids: np.ndarray, weights: np.ndarray, read: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, summed weights of the lexemes they hold) of the rows in the first ``read`` lists.

        Rows changed since the rebuild (stale) are left to the overlay.
        """
        lists = [self._postings(lexeme) for lexeme in ids[:read].tolist()]
        rows = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int32)
        row_weights = np.repeat(weights[:read], [len(part) for part in lists])
        if self.changed:
            fresh = ~self.stale[rows]
            rows, row_weights = rows[fresh], row_weights[fresh]
        # Sorting the postings found beats a dense array the size of the table (zeroed and
        # scanned per query) by far when they are few, as they are here.
        candidates, inverse = np.unique(rows, return_inverse=True)
        shared = np.bincount(inverse, weights=row_weights, minlength=len(candidates))
        for lexeme, weight in zip(ids[read:].tolist(), weights[read:].tolist(), strict=True):
            postings = self._postings(lexeme)
            if not len(postings):
                continue
            at = np.minimum(np.searchsorted(postings, candidates), len(postings) - 1)
            shared += weight * (postings[at] == candidates)
        return candidates.astype(np.int64), shared

    def _scores(self, rows: np.ndarray, shared: np.ndarray) -> np.ndarray:
        norms = np.zeros(len(rows))
        base = rows < len(self.norms)
        norms[base] = self.norms[rows[base]]
        # Rows added or changed since the rebuild: their norm from their current lexemes.
        recomputed = ~base
        recomputed[base] = self.stale[rows[base]]
        for position in np.flatnonzero(recomputed).tolist():
            norms[position] = self._norm(int(rows[position]))
        return np.divide(shared, norms, out=np.zeros_like(shared), where=norms > 0)

    def cosines(self, lexemes: set[str], rows: list[int]) -> list[float]:
        """The exact weighted cosine between the statement's lexemes and each row's."""
        query = self.ids_of(lexemes)
        query_norm = self.query_norm(lexemes)
        documents = [self.lexemes_of(row) for row in rows]
        if not rows or not len(query) or not query_norm:
            return [0.0] * len(rows)
        lengths = np.asarray([len(document) for document in documents])
        flat = np.concatenate(documents).astype(np.int64)
        owners = np.repeat(np.arange(len(rows)), lengths)
        squares = self.weights(flat) ** 2
        document_norms = np.sqrt(np.bincount(owners, weights=squares, minlength=len(rows)))
        shared = np.bincount(owners, weights=squares * np.isin(flat, query), minlength=len(rows))
        cosines = np.divide(shared, document_norms * query_norm, out=np.zeros(len(rows)), where=document_norms > 0)
        return np.minimum(cosines, 1.0).tolist()
