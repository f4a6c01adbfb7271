"""The import itself: read, normalise and write, one import at a time.

:func:`import_claimreview` is the one entry point (``manage.py import_claimreview`` and
the admin's import page call it): it reads every input, normalises each record
(collecting every invalid one), refuses the lot unless ``skip_invalid``, then writes in
batches inside one transaction holding an advisory lock, so two imports of the same
feed cannot both create a review. A dry run does all of it and rolls back.
"""

import time
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction

from claims.bulk import BATCH
from claims.ratingmap import RatingMapper

from .normalise import normalise
from .readers import Input, read_inputs
from .records import Options, Review
from .summary import ImportRefused, ImportSummary, RecordError
from .writer import Writer

# The key of the advisory lock that lets one import write at a time (PostgreSQL).
IMPORT_LOCK = 0x46434B494D504F52


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
    reviews: dict[tuple, Review] = {}
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
        if review.key in reviews:
            summary.duplicates_merged += 1
        reviews[review.key] = review  # a later record of the same review wins
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
        for batch in _batches(reviews.values()):
            writer.write(batch)
        summary.imported = len(reviews)
        if dry_run:
            transaction.set_rollback(True)
    summary.seconds = time.monotonic() - started
    return summary


def _batches(reviews: Iterable[Review]) -> Iterator[list[Review]]:
    """Batches of about BATCH reviews, keeping together the reviews of one page and of one claim.

    A review is found again by its URL and, on a page of several, by its claim or its
    position among them; the reviews of one claim (a Google Fact Check Tools claim) are
    written as one claim (see .writer). So each page's reviews, numbered in order, and each
    claim's reviews are written in the same batch.
    """
    pages: dict[str, list[Review]] = {}
    for review in reviews:
        page = pages.setdefault(review.url, [])
        review.position = len(page)
        page.append(review)
    # Pages joined by a claim reviewed on both are one unit (a union of pages).
    parent: dict[str, str] = {url: url for url in pages}

    def root(url: str) -> str:
        while parent[url] != url:
            parent[url] = parent[parent[url]]
            url = parent[url]
        return url

    first_page: dict[str, str] = {}
    for url, page in pages.items():
        for review in page:
            if review.claim_group:
                other = first_page.setdefault(review.claim_group, url)
                parent[root(url)] = root(other)
    units: dict[str, list[Review]] = {}
    for url, page in pages.items():
        units.setdefault(root(url), []).extend(page)
    batch: list[Review] = []
    for unit in units.values():
        if batch and len(batch) + len(unit) > BATCH:
            yield batch
            batch = []
        batch.extend(unit)
    if batch:
        yield batch
