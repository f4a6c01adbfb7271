"""The import itself: read, normalise and write, one import at a time.

:func:`import_claimreview` is the one entry point (``manage.py import_claimreview`` and
the admin's import page call it): it reads every input, normalises each record
(collecting every invalid one), refuses the lot unless ``skip_invalid``, then writes in
batches inside one transaction holding an advisory lock, so two imports of the same
feed cannot both create a review. A dry run does all of it and rolls back.

Nothing is written until every record has been checked, so the checked reviews wait in a
:class:`Spool` on disk rather than in memory: a worker's memory stays bounded whatever
the size of the upload (a 50 MB feed holds some 56,000 reviews, ~120 MB as objects).
"""

import gc
import hashlib
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager

from django.db import connection, transaction

from claims.bulk import BATCH
from claims.ratingmap import RatingMapper

from .normalise import normalise
from .readers import Input, read_inputs
from .records import Options, Review, as_values, from_values
from .summary import ImportRefused, ImportSummary, RecordError
from .writer import Writer

# The key of the advisory lock that lets one import write at a time (PostgreSQL).
IMPORT_LOCK = 0x46434B494D504F52
# Allocations between two runs of the cycle collector's youngest generation while an import runs.
IMPORT_GC_THRESHOLD = 50_000


def import_claimreview(
    inputs: list[Input],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    publisher_name: str = "",
    day_first: bool | None = None,
    language: str = "",
    aliases: dict[str, str] | None = None,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Read, check and write ``inputs``; see the module docstring. Raises ImportRefused."""
    started = time.monotonic()
    summary = ImportSummary(dry_run=dry_run)
    options = Options(publisher_name=publisher_name, day_first=day_first, language=language)
    with _collected_less(), closing(Spool()) as reviews:
        for where, record in read_inputs(inputs):
            summary.records += 1
            if isinstance(record, RecordError):
                summary.errors.append((where, str(record)))
                continue
            try:
                review = normalise(record, where, options=options)
            except RecordError as error:
                summary.errors.append((where, str(error)))
                continue
            if not reviews.add(review):
                summary.duplicates_merged += 1
            summary.notes.extend((where, note) for note in review.notes)
            summary.unread_keys.update(review.unknown_keys)
            if progress:
                progress(1)
        if summary.errors and not skip_invalid:
            summary.seconds = time.monotonic() - started
            raise ImportRefused(summary)
        summary.count("reviews", "skipped", len(summary.errors))

        mapper = RatingMapper.from_settings(extra=aliases)
        names = ", ".join(item.name for item in inputs[:3]) + (" …" if len(inputs) > 3 else "")
        writer = Writer(summary, mapper, reason=f"Imported from {names}"[:100], actor=actor)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One import at a time: two imports of the same feed would otherwise both find a
                # review missing and both create it. (SQLite's writers already queue.)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
                # Let the GIN indexes (search, trigrams) take a large import's entries in one
                # pass at commit rather than flushing every few thousand rows.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL gin_pending_list_limit = 65536")
            with writer:
                for batch in reviews.batches():
                    writer.write(batch)
            summary.imported = len(reviews)
            if dry_run:
                transaction.set_rollback(True)
    summary.seconds = time.monotonic() - started
    return summary


_collection = threading.Lock()
_collecting_less = 0  # imports running in this process
_threshold: tuple[int, ...] = ()  # the collector's thresholds before the first of them


@contextmanager
def _collected_less() -> Iterator[None]:
    """Run Python's cycle collector less often while imports run.

    An import makes millions of short-lived objects (parsed records, checked values, rows)
    and leaves hardly any cycles. By default the collector runs every 700 allocations and,
    every hundred runs, walks every object the process holds (a web worker's, an embedding
    model's): a seventh of a 20,000-review import's CPU time went to it. Collected every
    IMPORT_GC_THRESHOLD allocations, the cycles an import might leave are still freed.
    """
    global _collecting_less, _threshold
    with _collection:
        if not _collecting_less:
            _threshold = gc.get_threshold()
            gc.set_threshold(max(IMPORT_GC_THRESHOLD, _threshold[0]), *_threshold[1:])
        _collecting_less += 1
    try:
        yield
    finally:
        with _collection:
            _collecting_less -= 1
            if not _collecting_less:
                gc.set_threshold(*_threshold)


class Spool:
    """Checked reviews on disk, in the order first given, a later record of a review replacing it.

    Memory holds only a digest of each review's key, the order of each page's reviews and
    the claim each grouped review belongs to.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close(), as the import ends)
        self._end = 0  # the file's length: reviews are only appended
        self._at: dict[bytes, tuple[int, int]] = {}  # key digest → (offset, length) of the review's latest record
        self._pages: dict[str, list[bytes]] = {}  # review URL → its reviews' digests, in order
        self._groups: dict[bytes, tuple[str, str]] = {}  # digest → (review URL, claim group)

    def __len__(self) -> int:
        return len(self._at)

    def add(self, review: Review) -> bool:
        """Keep ``review``; False when it replaced an earlier record of the same review."""
        digest = hashlib.blake2b(pickle.dumps(review.key), digest_size=16).digest()
        new = digest not in self._at
        if new:
            self._pages.setdefault(review.url, []).append(digest)
        if review.claim_group:
            self._groups[digest] = (review.url, review.claim_group)
        else:
            self._groups.pop(digest, None)
        record = pickle.dumps(as_values(review), protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(record)
        self._at[digest] = (self._end, len(record))
        self._end += len(record)
        return new

    def batches(self) -> Iterator[list[Review]]:
        """Batches of about BATCH reviews, keeping together the reviews of one page and of one claim.

        A review is found again by its URL and, on a page of several, by its claim or its
        position among them; the reviews of one claim (a Google Fact Check Tools claim) are
        written as one claim (see .writer). So each page's reviews, numbered in order, and each
        claim's reviews are written in the same batch.
        """
        # Pages joined by a claim reviewed on both are one unit (a union of pages).
        parent: dict[str, str] = {url: url for url in self._pages}

        def root(url: str) -> str:
            while parent[url] != url:
                parent[url] = parent[parent[url]]
                url = parent[url]
            return url

        first_page: dict[str, str] = {}
        for url, group in self._groups.values():
            other = first_page.setdefault(group, url)
            parent[root(url)] = root(other)
        units: dict[str, list[str]] = {}
        for url in self._pages:
            units.setdefault(root(url), []).append(url)
        self._file.flush()
        # Each record read where it is, in one call: seeking a buffered file and unpickling
        # from it refilled the buffer at every review. (Not a mapping of the file: its pages
        # would count in the worker's resident memory.)
        spooled = self._file.fileno()
        batch: list[Review] = []
        for urls in units.values():
            size = sum(len(self._pages[url]) for url in urls)
            if batch and len(batch) + size > BATCH:
                yield batch
                batch = []
            for url in urls:
                for position, digest in enumerate(self._pages[url]):
                    offset, length = self._at[digest]
                    review = from_values(pickle.loads(os.pread(spooled, length, offset)))
                    review.position = position
                    batch.append(review)
        if batch:
            yield batch

    def close(self) -> None:
        self._file.close()
