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
a word is. Here a statement's candidates are the claims holding one of its rarer words
(``Postings.top``), scored on all its words: a few milliseconds.

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
# Candidates per query: posting lists are read, rarest first, up to this many rows, then as
# many more as it takes for the best EXACT_DEPTH to be those reading every list would give
# (``Postings.top``).
SCAN_BUDGET = 20_000
EXACT_DEPTH = 10


def parse(text: str, languages: list[str], using: str) -> set[str]:
    """The statement's lexemes as each of ``languages`` would parse it (their union)."""
    return parse_many([(text, languages)], using)[0]


def parse_many(statements: list[tuple[str, list[str]]], using: str) -> list[set[str]]:
    """:func:`parse` for each (text, languages), in one query: an import parses thousands."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return [python_lexemes(text) for text, _ in statements]
    if not statements:
        return []
    # Each statement paired with each of its languages, by its position (1-based, as ORDINALITY counts).
    positions, languages = [], []
    for position, (_, wanted) in enumerate(statements, start=1):
        for language in wanted or ["simple"]:
            positions.append(position)
            languages.append(language)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement.n, array_agg(DISTINCT lexeme) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS statement(text, n) "
            "JOIN unnest(%s::bigint[], %s::text[]) AS pair(n, language) ON pair.n = statement.n "
            "CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(claims_match_config(pair.language), "
            "statement.text))) AS lexeme GROUP BY statement.n",
            [[text for text, _ in statements], positions, languages],
        )
        found = dict(cursor.fetchall())
    return [set(found.get(position, ())) for position in range(1, len(statements) + 1)]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``, by sorting: numpy's hashing there was up to a hundred times slower."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


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
        return sorted_unique(np.asarray(ids, dtype=np.int32))

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
            # Empty lists in between start where the next one does: each segment is one lexeme's rows.
            self.min_norms[held] = np.minimum.reduceat(self.norms[self.lexeme_rows], self.lexeme_offsets[held])

    # Scoring ----------------------------------------------------------------------------

    def top(self, lexemes: set[str], *, allowed, limit: int) -> list[int]:
        """Rows with the highest cosine with ``lexemes``, best first; ``allowed(rows)`` masks rows.

        Reading every posting list costs as much as the commonest lexeme's ("year", "say":
        a tenth of a million generated claims or more). Candidates are the rows holding
        one of the statement's rarer lexemes instead: lists are read rarest first while
        they hold at most ``SCAN_BUDGET`` rows in all (the rarest is always read), and the
        candidates are scored on every lexeme of the statement (``_shared``: the common
        ones weigh little, but count). A row holding none of the lexemes read scores at
        most ``bound``: the skipped lexemes' squared weights, each over the smallest norm
        among its rows. More lists are read until the ``EXACT_DEPTH``-th best score beats
        that bound, so the best ``EXACT_DEPTH`` are those reading every list would give;
        below them, a row sharing only common words with the statement may be missing
        (the semantic side finds it if it says the same thing).

        Row norms are those of the last rebuild (frequencies drift a little between
        rebuilds); callers compute the exact cosine of what they keep (``cosine``).
        """
        ids = self.ids_of(lexemes)
        if not len(ids):
            return []
        base = ids[ids < len(self.lexeme_offsets) - 1]
        lengths = self.lexeme_offsets[base + 1] - self.lexeme_offsets[base]
        order = np.argsort(lengths, kind="stable")
        base, lengths = base[order], lengths[order]
        read_rows = np.cumsum(lengths)
        # bound[k]: the best score of a row holding none of the k rarest lexemes, only later ones.
        bound = np.append(np.cumsum((self.weights(base) ** 2 / self.min_norms[base])[::-1])[::-1], 0.0)
        overlay = np.zeros(0, dtype=np.int64)
        if self.changed:
            # Rows changed since the rebuild are found through the overlay, with their new lexemes.
            found = {row for lexeme in ids.tolist() for row in self.changed_rows.get(lexeme, ())}
            overlay = np.fromiter(found, dtype=np.int64, count=len(found))
        read = max(1, int(np.searchsorted(read_rows, SCAN_BUDGET, side="right")))
        while True:
            read = min(read, len(base))
            rows = self._rows_holding(base[:read])
            rows = np.concatenate([rows, overlay])
            if allowed is not None:
                rows = rows[allowed(rows)]
            scores = self._scores(rows, self._shared(rows, ids))
            depth = min(EXACT_DEPTH, limit)
            kth = np.partition(scores, len(scores) - depth)[len(scores) - depth] if len(scores) >= depth else 0.0
            if read == len(base) or kth > bound[read]:
                break
            # Read up to the first lexeme whose bound the k-th score beats (it can only rise as
            # rows are added), or, short of candidates, lists holding twice as many rows.
            beaten = np.flatnonzero(bound < kth)
            more = int(np.searchsorted(read_rows, 2 * read_rows[read - 1], side="right"))
            read = max(read + 1, int(beaten[0]) if kth > 0 else more)
        if len(scores) > limit:
            # Every row scoring at least the limit-th score (ties included), then best first and,
            # of equal scores, the first rows: the same answer whatever order the rows came in.
            keep = scores >= np.partition(scores, len(scores) - limit)[len(scores) - limit]
            rows, scores = rows[keep], scores[keep]
        return rows[np.lexsort((rows, -scores))[:limit]].tolist()

    def _rows_holding(self, lexemes: np.ndarray) -> np.ndarray:
        """The rows whose lexemes at the last rebuild include one of ``lexemes``, ascending, changed rows left out."""
        lists = [self.lexeme_rows[self.lexeme_offsets[i] : self.lexeme_offsets[i + 1]] for i in lexemes.tolist()]
        if not lists:
            return np.zeros(0, dtype=np.int64)
        rows = sorted_unique(np.concatenate(lists)).astype(np.int64)
        return rows[~self.stale[rows]] if self.changed else rows

    def _shared(self, rows: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Each row's summed squared weight of the lexemes ``ids`` it holds.

        A binary search of the rows in each lexeme's (sorted) posting list: no list is read
        through, however common its lexeme.
        """
        weights = self.weights(ids) ** 2
        shared = np.zeros(len(rows))
        held = rows < len(self.stale)
        held[held] = ~self.stale[rows[held]]
        base = rows[held]
        base_shared = np.zeros(len(base))
        for lexeme, weight in zip(ids.tolist(), weights.tolist(), strict=True):
            if lexeme >= len(self.lexeme_offsets) - 1:
                continue
            postings = self.lexeme_rows[self.lexeme_offsets[lexeme] : self.lexeme_offsets[lexeme + 1]]
            if len(postings) and len(base):
                at = np.minimum(np.searchsorted(postings, base), len(postings) - 1)
                base_shared += weight * (postings[at] == base)
        shared[held] = base_shared
        changed = np.flatnonzero(~held)
        if len(changed):
            owners, lexemes = self._lexemes_of_rows(rows[changed])
            at = np.minimum(np.searchsorted(ids, lexemes), len(ids) - 1)
            hits = np.where(ids[at] == lexemes, weights[at], 0.0)
            shared[changed] = np.bincount(owners, weights=hits, minlength=len(changed))
        return shared

    def _lexemes_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, lexeme) of every lexeme the rows hold: an import leaves thousands in the overlay."""
        lengths, lexemes = self._documents(rows)
        return np.repeat(np.arange(len(rows)), lengths), lexemes

    def _documents(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(how many lexemes each row holds, their lexemes end to end, row after row): ``lexemes_of``
        for many rows, those unchanged since the rebuild read from the arrays at once (a batch of
        statements reaches hundreds of thousands of rows)."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = np.zeros(len(rows), dtype=np.int64)
        in_arrays = rows < len(self.row_offsets) - 1
        in_arrays[in_arrays] = ~self.stale[rows[in_arrays]]
        base = rows[in_arrays]
        base_starts = self.row_offsets[base]
        lengths[in_arrays] = self.row_offsets[base + 1] - base_starts
        others = np.flatnonzero(~in_arrays)
        other_lexemes = [self.lexemes_of(row) for row in rows[others].tolist()]
        lengths[others] = [len(lexemes) for lexemes in other_lexemes]
        starts = np.cumsum(lengths) - lengths
        flat = np.empty(int(lengths.sum()), dtype=np.int64)
        base_lengths = lengths[in_arrays]
        offsets = np.arange(int(base_lengths.sum())) - np.repeat(np.cumsum(base_lengths) - base_lengths, base_lengths)
        flat[np.repeat(starts[in_arrays], base_lengths) + offsets] = self.row_lexemes[
            np.repeat(base_starts, base_lengths) + offsets
        ]
        if len(others):
            other_lengths = lengths[others]
            offsets = np.arange(int(other_lengths.sum())) - np.repeat(
                np.cumsum(other_lengths) - other_lengths, other_lengths
            )
            flat[np.repeat(starts[others], other_lengths) + offsets] = np.concatenate(other_lexemes)
        return lengths, flat

    def _scores(self, rows: np.ndarray, shared: np.ndarray) -> np.ndarray:
        norms = np.zeros(len(rows))
        base = rows < len(self.norms)
        norms[base] = self.norms[rows[base]]
        # Rows added or changed since the rebuild: their norm from their current lexemes.
        recomputed = ~base
        recomputed[base] = self.stale[rows[base]]
        changed = np.flatnonzero(recomputed)
        if len(changed):
            owners, lexemes = self._lexemes_of_rows(rows[changed])
            squares = np.bincount(owners, weights=self.weights(lexemes) ** 2, minlength=len(changed))
            norms[changed] = np.sqrt(squares)
        return np.divide(shared, norms, out=np.zeros_like(shared), where=norms > 0)

    def reaching(self, statements: list[set[str]], needed: float, allowed=None) -> tuple[np.ndarray, np.ndarray]:
        """(statement, row) pairs: each row whose cosine (``cosines``) with a statement's lexemes may be
        ``needed`` (> 0) or more, and a few that fall short by no more than rounding. ``allowed(statements,
        rows)`` masks pairs.

        A row's cosine is shared / (|row| |statement|), shared being the squared weights of
        the words both hold; shared <= |row|², so the cosine is at most sqrt(shared) / |statement|.
        Reaching ``needed`` takes shared words carrying needed² of the statement's squared
        weight, so a row lacking words that carry more than the rest (1 - needed²) cannot: it
        holds one of them. They are taken heaviest first (the rarest words, the shortest
        posting lists; words no row holds are missing from every row and count first), and
        only the rows holding one are scored, all statements at once.
        """
        count = len(statements)
        # A margin far wider than rounding: a row at the bound is kept.
        needed -= 1e-6
        vocabulary = self.vocabulary
        owner_list: list[int] = []
        id_list: list[int] = []
        unknown = np.zeros(count)
        for position, lexemes in enumerate(statements):
            known = [vocabulary[lexeme] for lexeme in lexemes if lexeme in vocabulary]
            owner_list += [position] * len(known)
            id_list += known
            unknown[position] = len(lexemes) - len(known)
        owners = np.asarray(owner_list, dtype=np.int64)
        ids = np.asarray(id_list, dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        if not len(ids):
            return empty, empty
        squares = self.weights(ids) ** 2
        missing = unknown * (math.log(self.published + 1) + 1.0) ** 2
        query_norms = np.sqrt(np.bincount(owners, weights=squares, minlength=count) + missing)
        budget = (1.0 - needed**2) * query_norms**2
        # Each statement's words, heaviest first: a word is taken while those before it carry at most the budget.
        order = np.lexsort((-squares, owners))
        owners, ids, squares = owners[order], ids[order], squares[order]
        before = np.cumsum(squares) - squares
        first = np.searchsorted(owners, owners)
        taken = missing[owners] + before - before[first] <= budget[owners]
        pair_owners, pair_rows = self._holders(owners[taken], ids[taken])
        if not len(pair_rows):
            return empty, empty
        if allowed is not None:
            keep = allowed(pair_owners, pair_rows)
            pair_owners, pair_rows = pair_owners[keep], pair_rows[keep]
        if not len(pair_rows):
            return empty, empty
        # The rows reached, ascending, and each pair's among them (marked, not sorted: a batch of
        # statements reaches a good part of the table through its common words, some rows many times).
        reached = np.zeros(int(pair_rows.max()) + 1, dtype=bool)
        reached[pair_rows] = True
        rows = np.flatnonzero(reached)
        pair_row_at = (np.cumsum(reached) - 1)[pair_rows]
        # The cosine of each pair, from its row's lexemes found among its statement's.
        lengths, flat = self._documents(rows)
        row_squares = self.weights(flat) ** 2
        # minlength: a row edited since may hold no lexeme now.
        row_norms = np.sqrt(
            np.bincount(np.repeat(np.arange(len(rows)), lengths), weights=row_squares, minlength=len(rows))
        )
        # Shared weight is at most either side's squared norm, so a row reaching ``needed`` has a
        # norm within a factor ``needed`` of the statement's: the others need not be compared word
        # by word (with a margin far wider than rounding, as above).
        row_of_pair, statement_norms = row_norms[pair_row_at], query_norms[pair_owners]
        close = (row_of_pair >= needed * statement_norms * (1 - 1e-9)) & (
            row_of_pair * needed <= statement_norms * (1 + 1e-9)
        )
        # Each pair once (a row holding several of a statement's words was reached as often).
        pairs = sorted_unique(pair_owners[close] * len(rows) + pair_row_at[close])
        pair_owners, pair_row_at = pairs // len(rows), pairs % len(rows)
        pair_rows = rows[pair_row_at]
        starts = np.cumsum(lengths) - lengths
        per_pair = lengths[pair_row_at]
        at = np.repeat(starts[pair_row_at] - (np.cumsum(per_pair) - per_pair), per_pair) + np.arange(per_pair.sum())
        size = len(vocabulary)
        statement_words = np.sort(owners * size + ids)
        pair_words = np.repeat(pair_owners, per_pair) * size + flat[at]
        found = np.searchsorted(statement_words, pair_words)
        shared_words = statement_words[np.minimum(found, len(statement_words) - 1)] == pair_words
        shared = np.bincount(
            np.repeat(np.arange(len(pair_rows)), per_pair),
            weights=row_squares[at] * shared_words,
            minlength=len(pair_rows),
        )
        norms = row_norms[pair_row_at] * query_norms[pair_owners]
        cosines = np.divide(shared, norms, out=np.zeros(len(shared)), where=norms > 0)
        keep = cosines >= needed
        return pair_owners[keep], pair_rows[keep]

    def _holders(self, owners: np.ndarray, lexemes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner, row) for each row holding each lexeme; rows changed since the arrays were built are
        found in the arrays too (a superset: their current lexemes are what is scored)."""
        in_base = lexemes < len(self.lexeme_offsets) - 1
        starts = self.lexeme_offsets[lexemes[in_base]]
        lengths = self.lexeme_offsets[lexemes[in_base] + 1] - starts
        at = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
        found_owners = [np.repeat(owners[in_base], lengths)]
        found_rows = [self.lexeme_rows[at].astype(np.int64)]
        if self.changed_rows:
            extra_owners: list[int] = []
            extra_rows: list[int] = []
            for owner, lexeme in zip(owners.tolist(), lexemes.tolist(), strict=True):
                holders = self.changed_rows.get(lexeme)
                if holders:
                    extra_owners += [owner] * len(holders)
                    extra_rows += holders
            found_owners.append(np.asarray(extra_owners, dtype=np.int64))
            found_rows.append(np.asarray(extra_rows, dtype=np.int64))
        return np.concatenate(found_owners), np.concatenate(found_rows)

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
