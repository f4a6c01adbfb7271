"""The matching index: every claim's embedding and lexemes, in this process.

Why in-process: PostgreSQL here has no vector extension, and scoring a million stored
vectors in SQL (or shipping them to Python per query) is far slower than keeping them in
memory. The claims table stays the only truth: the index is derived from it and follows
it by ``updated_at``, which moves whenever a claim's text or public record changes
(``claims.services.public_record_changed``). A sync reads only the claims changed since
the last one (an indexed range scan), re-embeds those whose timestamp moved and updates
their visibility flag; it runs before a search when the last sync is older than
``MATCHING["SYNC_INTERVAL"]`` seconds, so a newly published claim is found within that
time.

Layout, chosen for memory and speed at a million claims: vectors are stored as int8
times a per-row scale (260 bytes per claim; numpy converts int8 to float several times
faster than float16), ids in a sorted int64 array (new claims have higher ids and are
appended in order), and an inverted-file partition: claims are grouped by their nearest
of ~sqrt(N) centroids (spherical k-means on a sample), each group's first
``COARSE_DIMENSIONS`` components copied side by side (128 bytes per claim), so a query
scans the contiguous slices of its ``PROBES`` nearest groups on those, plus every row
added or changed since the grouping, and scores the best ``RERANK`` on all dimensions.
Below ``EXACT_BELOW`` claims every row is scored. The lexemes sit in posting lists
(``lexical.Postings``), synced with the vectors.

Visibility is a prefilter only: whatever the index returns is re-read from the
database through the visibility policy before anyone sees it.
"""

import ctypes
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..bulk import Among
from .embedding import DIMENSIONS, embed
from .lexical import Postings, document_lexemes_sql, python_lexemes, sorted_unique

EXACT_BELOW = 20_000
PROBES = 48
# The partitions are scanned on the first COARSE_DIMENSIONS dimensions (WordLlama's are
# Matryoshka-trained: a prefix is a coarser embedding), then the best RERANK rows are
# scored on all of them.
COARSE_DIMENSIONS = 128
RERANK = 500
# More than float32 rounding moves a cosine of 256 products of unit vectors' components.
ROUNDING = 1e-4
# Components of a unit vector, stored as int8 times a per-row scale.
LEVELS = 127
# Claims committed this long after their updated_at was stamped are still picked up.
SYNC_OVERLAP = timedelta(seconds=30)
LOAD_CHUNK = 20_000
# Vectors scored against every centroid at once when grouping: 40 MiB of scores at 1,000 centroids.
NEAREST_CHUNK = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A claim's updated_at as _stamp counts it, in PostgreSQL (extract gives an exact numeric).
STAMP_SQL = "(extract(epoch FROM claims_claim.updated_at) * 1000000)::bigint"


def _setting(name: str, default):
    return getattr(settings, "MATCHING", {}).get(name, default)


@dataclass
class Hit:
    claim_id: int
    similarity: float


class SemanticIndex:
    """Embeddings of the claims of one database, kept current by ``sync``."""

    def __init__(self, using: str = "default"):
        self.using = using
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next sync reloads the whole table."""
        self.count = 0
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.int8)
        self.scales = np.zeros(0, dtype=np.float32)
        self.public = np.zeros(0, dtype=bool)
        self.languages = np.zeros(0, dtype=np.int16)
        self.stamps = np.zeros(0, dtype=np.int64)
        self.language_codes: dict[str, int] = {}
        self.watermark: datetime | None = None
        self.synced_at = float("-inf")
        self.centroids: np.ndarray | None = None
        self.partition_rows = np.zeros(0, dtype=np.int64)
        self.partition_bounds = np.zeros(1, dtype=np.int64)
        self.recent: set[int] = set()
        self.coarse = np.zeros((0, COARSE_DIMENSIONS), dtype=np.int8)
        self.coarse_scales = np.zeros(0, dtype=np.float32)
        self.postings = Postings()
        self._languages_present: dict[bool, list[str]] = {}
        self._float_vectors: np.ndarray | None = None
        self._recent: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # Memory -----------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        arrays: list[np.ndarray] = [self.ids, self.vectors, self.scales, self.public, self.languages, self.stamps]
        arrays += [self.partition_rows, self.coarse, self.coarse_scales]
        total = sum(array.nbytes for array in arrays) + self.postings.nbytes
        return total + (self.centroids.nbytes if self.centroids is not None else 0)

    def _reserve(self, extra: int) -> None:
        needed = self.count + extra
        if needed <= len(self.ids):
            return
        capacity = max(needed, int(len(self.ids) * 1.25) + 1024)

        def grow(array: np.ndarray) -> np.ndarray:
            grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
            grown[: self.count] = array[: self.count]
            return grown

        self.ids, self.vectors, self.public = grow(self.ids), grow(self.vectors), grow(self.public)
        self.scales = grow(self.scales)
        self.languages, self.stamps = grow(self.languages), grow(self.stamps)

    def _store(self, rows, vectors: np.ndarray) -> None:
        """Unit vectors as int8 times a per-row scale (a quarter of float32's memory)."""
        peaks = np.abs(vectors).max(axis=1)
        scales = np.where(peaks > 0, peaks / LEVELS, 1.0).astype(np.float32)
        self.vectors[rows] = np.rint(vectors / scales[:, None]).astype(np.int8)
        self.scales[rows] = scales
        self._float_vectors = None
        self._recent = None

    def _vectors(self, rows) -> np.ndarray:
        return self.vectors[rows].astype(np.float32) * np.asarray(self.scales[rows])[..., None]

    def _all_vectors(self) -> np.ndarray:
        """Every row's vector as ``_vectors`` gives it, kept while no vector changes (below EXACT_BELOW
        rows: each search scores every row, and would otherwise convert all of them again)."""
        if self._float_vectors is None or len(self._float_vectors) != self.count:
            self._float_vectors = self._vectors(slice(0, self.count))
        return self._float_vectors

    def _row(self, claim_id: int) -> int | None:
        row = int(np.searchsorted(self.ids[: self.count], claim_id))
        if row < self.count and self.ids[row] == claim_id:
            return row
        return None

    def _rows_of(self, claim_ids: list[int] | np.ndarray) -> np.ndarray:
        """The row of each claim, -1 for claims the index does not hold (one search for all)."""
        ids = np.asarray(claim_ids, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.ids[: self.count], ids), max(self.count - 1, 0))
        held = (self.ids[rows] == ids) if self.count else np.zeros(len(ids), dtype=bool)
        return np.where(held, rows, -1)

    def languages_present(self, *, public_only: bool) -> list[str]:
        """The languages of the claims held (of the published ones, for the public)."""
        with self.lock:
            # Read per query and unchanged between syncs: worked out once per sync.
            if public_only not in self._languages_present:
                present = self.languages[: self.count]
                if public_only:
                    present = present[self.public[: self.count]]
                codes = set(sorted_unique(present).tolist())
                self._languages_present[public_only] = sorted(
                    code for code, number in self.language_codes.items() if number in codes
                )
            return self._languages_present[public_only]

    def _language(self, code: str) -> int:
        return self.language_codes.setdefault(code.lower(), len(self.language_codes))

    # Sync -------------------------------------------------------------------------------

    def sync(self, *, force: bool = False) -> int:
        """Take in the claims changed since the last sync; returns how many rows changed."""
        interval = _setting("SYNC_INTERVAL", 0.5)
        if not force and time.monotonic() - self.synced_at < interval:
            return 0
        with self.lock:
            started = time.monotonic()
            if self.watermark is None:
                changed = self._load()
            else:
                until = timezone.now()
                changed = self._apply(self._changed(self.watermark, until))
                self.watermark = until
            self.synced_at = started
            return changed

    def take(self, rows, vectors: np.ndarray) -> int:
        """Take in claims a writer has written, as ``_rows`` reads them, with their vectors (``embed``'s,
        one a row), without reading them back.

        An import hands over the claims it created (claims.matching.imports): the next sync
        finds them held with the timestamps they carry and reads only those timestamps.
        Nothing is taken before the first sync, which loads the whole table anyway.
        """
        with self.lock:
            if self.watermark is None:
                return 0
            return self._apply(rows, vectors=vectors)

    def _rows(self, queryset):
        """(id, text, language, updated_at, is public, lexemes) of each claim; lexemes None where Python parses."""
        from ..visibility import published_verdict_exists

        queryset = queryset.using(self.using).annotate(is_public=published_verdict_exists())
        lexemes = document_lexemes_sql(self.using)
        if lexemes is None:
            return queryset.values_list("id", "text", "language", "updated_at", "is_public")
        queryset = queryset.annotate(lexemes=RawSQL(lexemes, []))
        return queryset.values_list("id", "text", "language", "updated_at", "is_public", "lexemes")

    @staticmethod
    def _lexemes(row) -> list[str]:
        return row[5] if len(row) > 5 else list(python_lexemes(row[1]))

    def _changed(self, since, until):
        """New claims (by id, whatever their timestamps) and claims changed in (since - overlap, until].

        The upper bound keeps a timestamp ahead of this clock from being read at every sync:
        such a row is read once its time has come. The overlap re-reads every claim changed
        in its last seconds at each sync (an import's thousands, for half a minute): ids and
        timestamps are read first, and text and lexemes only of the claims whose timestamp
        the index does not hold yet.
        """
        from ..models import Claim

        last_id = int(self.ids[self.count - 1]) if self.count else 0
        changed = Q(updated_at__gt=since - SYNC_OVERLAP, updated_at__lte=until) | Q(pk__gt=last_id)
        claims = Claim.objects.using(self.using).filter(changed)
        if connections[self.using].vendor == "postgresql":
            # The stamps as PostgreSQL counts them (exactly, as _stamp does): tens of thousands
            # of integers cost far less to read than as many timestamps.
            stamped = list(claims.annotate(stamp=RawSQL(STAMP_SQL, [])).values_list("pk", "stamp"))
        else:
            stamped = [(pk, _stamp(updated_at)) for pk, updated_at in claims.values_list("pk", "updated_at")]
        if not stamped:
            return []
        read = np.asarray(stamped, dtype=np.int64)
        rows = self._rows_of(read[:, 0])
        moved = rows < 0
        held = ~moved
        moved[held] = self.stamps[rows[held]] != read[held, 1]
        ids = read[moved, 0].tolist()
        if not ids:
            return []
        return self._rows(Claim.objects.filter(Among(F("pk"), ids))).order_by("id")

    def _load(self) -> int:
        """Read and embed every claim, in id order, then partition them."""
        from ..models import Claim

        started = timezone.now()
        # Sized once: growing by a quarter at a time would leave up to a fifth unused.
        self._reserve(Claim.objects.using(self.using).count() + LOAD_CHUNK)
        total = 0
        chunk: list = []
        for row in self._rows(Claim.objects.order_by("id")).iterator(chunk_size=LOAD_CHUNK):
            chunk.append(row)
            if len(chunk) == LOAD_CHUNK:
                total += self._apply(chunk, loading=True)
                chunk = []
        total += self._apply(chunk, loading=True)
        self.postings.rebuild(self.count, self.public)
        # Rows changed while the table was read are taken by the next sync.
        self.watermark = started
        self.recent.clear()
        self._recent = None
        self.partition()
        _give_back_freed_memory()
        return total

    def _apply(self, rows, *, loading: bool = False, vectors: np.ndarray | None = None) -> int:
        """Take in these rows (see ``_rows``): new claims are appended, changed ones re-embedded
        (or given ``vectors``, one a row)."""
        rows = list(rows)
        if not rows:
            return 0
        new_rows, changed = [], []
        new_at, changed_at = [], []  # their positions in rows
        for position, row_values in enumerate(rows):
            claim_id, text, language, updated_at, is_public = row_values[:5]
            stamp = _stamp(updated_at)
            row = self._row(claim_id)
            if row is None:
                new_rows.append((claim_id, text, language, stamp, is_public, self._lexemes(row_values)))
                new_at.append(position)
            elif self.stamps[row] != stamp:
                changed.append((row, text, language, stamp, is_public, self._lexemes(row_values)))
                changed_at.append(position)
        if changed:
            changed_vectors = embed([text for _, text, *_ in changed]) if vectors is None else vectors[changed_at]
            self._store([row for row, *_ in changed], changed_vectors)
            for row, _, language, stamp, is_public, lexemes in changed:
                was_public = bool(self.public[row])
                self.postings.set_row(row, lexemes, was_public=was_public, is_public=is_public, new=False)
                self.languages[row] = self._language(language)
                self.stamps[row] = stamp
                self.public[row] = is_public
                self.recent.add(row)
        if new_rows:
            self._append(new_rows, loading=loading, vectors=None if vectors is None else vectors[new_at])
        self._languages_present.clear()
        if not loading:
            if self.postings.needs_rebuild():
                self.postings.rebuild(self.count, self.public)
            self._repartition_if_stale()
        return len(new_rows) + len(changed)

    def _append(self, new_rows: list, *, loading: bool, vectors: np.ndarray | None = None) -> None:
        self._reserve(len(new_rows))
        if vectors is None:
            vectors = embed([text for _, text, *_ in new_rows])
        last_id = self.ids[self.count - 1] if self.count else -1
        in_order = True
        if loading:
            self.postings.load(self.count, [lexemes for *_, lexemes in new_rows])
        self._store(slice(self.count, self.count + len(new_rows)), vectors)
        for claim_id, _, language, stamp, is_public, lexemes in new_rows:
            row = self.count
            if not loading:
                self.postings.set_row(row, lexemes, was_public=False, is_public=is_public, new=True)
            self.ids[row] = claim_id
            self.languages[row] = self._language(language)
            self.stamps[row] = stamp
            self.public[row] = is_public
            in_order = in_order and claim_id > last_id
            last_id = claim_id
            self.count += 1
            if self.centroids is not None:
                self.recent.add(row)
        if not in_order:
            # Ids are handed out in order, so this is rare (a claim committed late): re-sort.
            order = np.argsort(self.ids[: self.count], kind="stable")
            for name in ("ids", "vectors", "scales", "public", "languages", "stamps"):
                array = getattr(self, name)
                array[: self.count] = array[: self.count][order]
            self._float_vectors = None
            renumber = np.empty(self.count, dtype=np.int64)
            renumber[order] = np.arange(self.count)
            self.postings.rebuild(self.count, self.public, renumber=renumber)
            self.recent = {int(renumber[row]) for row in self.recent}
            if self.centroids is not None:
                self.partition()

    # Partition --------------------------------------------------------------------------

    def _repartition_if_stale(self) -> None:
        if self.centroids is not None and len(self.recent) > max(20_000, self.count // 20):
            self.partition()

    def partition(self, *, seed: int = 0) -> None:
        """Group the rows by nearest centroid (spherical k-means on a sample, coarse dimensions).

        Each group's coarse vectors are copied together, in group order, so that a query
        reads its nearest groups as contiguous slices.
        """
        n = self.count
        self.recent.clear()
        self._recent = None
        if n < EXACT_BELOW:
            self.centroids = None
            return
        clusters = int(np.sqrt(n))
        rng = np.random.default_rng(seed)
        sample = self._coarse_vectors(np.sort(rng.choice(n, size=min(n, clusters * 40), replace=False)))
        centroids = sample[rng.choice(len(sample), size=clusters, replace=False)]
        for _ in range(8):
            nearest = _nearest(sample, centroids)
            order = np.argsort(nearest, kind="stable")
            groups, starts = np.unique(nearest[order], return_index=True)
            sums = np.zeros_like(centroids)
            sums[groups] = np.add.reduceat(sample[order], starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            empty = norms[:, 0] == 0
            sums[empty] = centroids[empty]
            norms[empty] = 1
            centroids = sums / norms
        assignment = np.empty(n, dtype=np.int32)
        for start in range(0, n, NEAREST_CHUNK):
            stop = min(start + NEAREST_CHUNK, n)
            assignment[start:stop] = _nearest(self._coarse_vectors(slice(start, stop)), centroids)
        self.partition_rows = np.argsort(assignment, kind="stable")
        self.partition_bounds = np.searchsorted(assignment[self.partition_rows], np.arange(clusters + 1))
        self.coarse = self.vectors[self.partition_rows, :COARSE_DIMENSIONS]
        self.coarse_scales = self.scales[self.partition_rows]
        self.centroids = centroids

    def _recent_vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows changed since grouping, the same ascending, and their coarse vectors: kept until a
        vector changes (an import adds thousands, and each of its searches scans them all)."""
        if self._recent is None:
            rows = np.fromiter(self.recent, dtype=np.int64)
            self._recent = (rows, np.sort(rows), self._coarse_vectors(rows))
        return self._recent

    def _coarse_vectors(self, rows) -> np.ndarray:
        return self.vectors[rows, :COARSE_DIMENSIONS].astype(np.float32) * self.scales[rows][:, None]

    def _scan(self, query: np.ndarray, *, public_only: bool, language: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, coarse scores) of the query's nearest groups and of the rows changed since grouping."""
        assert self.centroids is not None
        coarse_query = query[:COARSE_DIMENSIONS]
        probes = min(PROBES, len(self.centroids))
        nearest = np.argpartition(-(self.centroids @ coarse_query), probes - 1)[:probes]
        rows, scores = [], []
        for group in nearest.tolist():
            start, stop = self.partition_bounds[group], self.partition_bounds[group + 1]
            rows.append(self.partition_rows[start:stop])
            scores.append((self.coarse[start:stop].astype(np.float32) @ coarse_query) * self.coarse_scales[start:stop])
        found, coarse = np.concatenate(rows), np.concatenate(scores)
        if self.recent:
            # A row changed since grouping is scored from its current vector, once.
            recent, ascending, recent_vectors = self._recent_vectors()
            at = np.minimum(np.searchsorted(ascending, found), len(ascending) - 1)
            kept = ascending[at] != found
            found = np.concatenate([found[kept], recent])
            coarse = np.concatenate([coarse[kept], recent_vectors @ coarse_query])
        keep = self._allowed(found, public_only=public_only, language=language)
        return found[keep], coarse[keep]

    # Search -----------------------------------------------------------------------------

    def search(
        self, query: np.ndarray, *, limit: int, public_only: bool, language: str | None = None, exact: bool = False
    ) -> list[Hit]:
        """The ``limit`` claims most similar to the unit vector ``query``, best first."""
        with self.lock:
            if not self.count or not np.any(query):
                return []
            if exact or self.centroids is None:
                rows, scores = self._score_all(query, public_only=public_only, language=language)
            else:
                rows, coarse = self._scan(query, public_only=public_only, language=language)
                if len(rows) > RERANK:
                    best = np.argpartition(-coarse, RERANK - 1)[:RERANK]
                    rows = rows[best]
                scores = self._vectors(rows) @ query
            if len(rows) > limit:
                top = np.argpartition(-scores, limit - 1)[:limit]
                rows, scores = rows[top], scores[top]
            order = np.argsort(-scores, kind="stable")
            return [Hit(int(self.ids[rows[i]]), float(scores[i])) for i in order]

    def surely_found(
        self,
        queries: np.ndarray,
        claim_ids: list[int],
        languages: list[str | None],
        *,
        limit: int,
        public_only: bool,
    ) -> list[bool]:
        """For each query (a row of ``queries``), whether ``search`` certainly returns its claim.

        Where search scores every row (no partitions), queries are scored many at a time,
        matrix products rounding a little differently from search's one query at a time: a
        claim is certain when at most ``limit`` rows, itself included, score within
        ``ROUNDING`` of it or above. Elsewhere, or when unsure: False.
        """
        found = [False] * len(claim_ids)
        with self.lock:
            if self.centroids is not None or not self.count:
                return found
            held = self._all_vectors() if self.count < EXACT_BELOW else self._vectors(slice(0, self.count))
            every_row = np.arange(self.count)
            allowed: dict[str | None, np.ndarray] = {}
            # Queries by groups whose scores take some 80 MB at most.
            group = max(1, 20_000_000 // self.count)
            for start in range(0, len(claim_ids), group):
                scores = queries[start : start + group] @ held.T
                for offset, score in enumerate(scores):
                    position = start + offset
                    row = self._row(claim_ids[position])
                    language = languages[position]
                    if row is None or not np.any(queries[position]):
                        continue
                    if language not in allowed:
                        allowed[language] = self._allowed(every_row, public_only=public_only, language=language)
                    if not allowed[language][row]:
                        continue
                    near = score[allowed[language]] >= score[row] - ROUNDING
                    found[position] = int(np.count_nonzero(near)) <= limit
        return found

    def _score_all(
        self, query: np.ndarray, *, public_only: bool, language: str | None
    ) -> tuple[np.ndarray, np.ndarray]:
        rows, scores = [], []
        held = self._all_vectors() if self.count < EXACT_BELOW else None
        for start in range(0, self.count, 100_000):
            chunk = np.arange(start, min(start + 100_000, self.count))
            chunk = chunk[self._allowed(chunk, public_only=public_only, language=language)]
            rows.append(chunk)
            scores.append((held[chunk] if held is not None else self._vectors(chunk)) @ query)
        return np.concatenate(rows), np.concatenate(scores)

    def _allowed(self, rows: np.ndarray, *, public_only: bool, language: str | None) -> np.ndarray:
        """Which of ``rows`` the search may return: published ones only, in ``language`` only."""
        keep = np.ones(len(rows), dtype=bool)
        if public_only:
            keep &= self.public[rows]
        if language:
            code = self.language_codes.get(language.lower())
            if code is None:
                return np.zeros(len(rows), dtype=bool)
            keep &= self.languages[rows] == code
        return keep

    def lexical_search(
        self, lexemes: set[str], *, limit: int, public_only: bool, language: str | None = None
    ) -> list[int]:
        """Ids of the ``limit`` claims sharing the most (rarity-weighted) lexemes with the statement."""
        with self.lock:
            rows = self.postings.top(
                lexemes,
                allowed=lambda rows: self._allowed(rows, public_only=public_only, language=language),
                limit=limit,
            )
            return [int(self.ids[row]) for row in rows]

    def lexical_reach(
        self, statements: list[tuple[set[str], str | None]], *, needed: float, public_only: bool
    ) -> list[list[int]]:
        """For each (lexemes, language): ids of every claim whose lexical similarity with it may be
        ``needed`` or more (``Postings.reaching``), among the claims ``lexical_search`` may return."""
        found: list[list[int]] = [[] for _ in statements]
        with self.lock:
            # Each statement's language code: -1 any, -2 one no claim is in.
            codes = np.asarray(
                [self.language_codes.get(language.lower(), -2) if language else -1 for _, language in statements],
                dtype=np.int64,
            )

            def allowed(owners: np.ndarray, rows: np.ndarray) -> np.ndarray:
                keep = self.public[rows] if public_only else np.ones(len(rows), dtype=bool)
                wanted = codes[owners]
                return keep & ((wanted == -1) | (self.languages[rows] == wanted))

            owners, rows = self.postings.reaching([lexemes for lexemes, _ in statements], needed, allowed)
            for owner, claim_id in zip(owners.tolist(), self.ids[rows].tolist(), strict=True):
                found[owner].append(claim_id)
        return found

    def similarities(self, query: np.ndarray, lexemes: set[str], claim_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(cosine of each claim's vector with ``query``, weighted cosine of its lexemes with ``lexemes``).

        In the order of ``claim_ids``; 0 for claims the index does not hold.
        """
        with self.lock:
            rows = self._rows_of(claim_ids)
            held = rows >= 0
            semantic = np.zeros(len(rows))
            lexical = np.zeros(len(rows))
            if held.any():
                # Each row summed on its own (not one matrix product, whose rounding depends on
                # how many rows it takes): a claim scores the same whichever claims it is scored with.
                semantic[held] = (self._vectors(rows[held]).astype(np.float64) * query.astype(np.float64)).sum(axis=1)
                lexical[held] = self.postings.cosines(lexemes, rows[held].tolist())
            return semantic, lexical

    def vectors_of(self, claim_ids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these claims (those the index holds)."""
        with self.lock:
            rows = self._rows_of(claim_ids)
            return {
                claim_id: self._vectors(int(row))
                for claim_id, row in zip(claim_ids, rows.tolist(), strict=True)
                if row >= 0
            }


def _nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each vector's nearest centroid, a few thousand vectors at a time.

    The scores of every vector against every centroid at once would take 160-200 MiB at a
    million claims (a thousand centroids), the largest allocation of a load.
    """
    nearest = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), NEAREST_CHUNK):
        nearest[start : start + NEAREST_CHUNK] = np.argmax(vectors[start : start + NEAREST_CHUNK] @ centroids.T, axis=1)
    return nearest


def _give_back_freed_memory() -> None:
    """Hand the heap pages a load freed back to the system.

    Loading reads and embeds the table in chunks; glibc keeps the freed chunks' pages
    for reuse, about 140 MiB at a million claims, that a serving process never needs
    again. Other C libraries have no ``malloc_trim``: nothing to do there.
    """
    # The process's own symbols, the C library's among them (looking the library up by name
    # would run ldconfig).
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _stamp(updated_at: datetime) -> int:
    """Microseconds since the epoch, exactly (as STAMP_SQL counts them)."""
    return (updated_at - EPOCH) // timedelta(microseconds=1)


_indexes: dict[str, SemanticIndex] = {}
_indexes_lock = threading.Lock()


def semantic_index(using: str = "default") -> SemanticIndex:
    """This process's index of the claims in database ``using``, synced."""
    with _indexes_lock:
        index = _indexes.get(using)
        if index is None:
            index = _indexes[using] = SemanticIndex(using)
    index.sync()
    return index


def loaded_index(using: str = "default") -> SemanticIndex | None:
    """This process's index of database ``using`` as it is (not synced), if it has one."""
    with _indexes_lock:
        return _indexes.get(using)


def reset_indexes() -> None:
    """Drop every index of this process (tests: each test starts from its own database)."""
    with _indexes_lock:
        _indexes.clear()
