"""Import schema.org ClaimReview: JSON-LD files and feeds, fact-check pages, spreadsheets.

One code path for ``manage.py import_claimreview`` and the admin's import page, in
four steps, each a module of this package:

1. **Read** (:mod:`.readers`) every input into raw ClaimReview objects, whatever the
   shape: a single object, a list, an ``@graph``, a schema.org DataFeed of
   DataFeedItems, Google Fact Check Tools' ``claims`` format,
   ``<script type="application/ld+json">`` blocks in an HTML page, or a CSV file with
   one review per row (flattened field names).
2. **Normalise** (:mod:`.normalise`, with :mod:`.values` for single values) each record
   into plain values, tolerating what real data does (appearances as URLs or
   CreativeWorks, authors as Person or Organization, dates with or without time and
   zone, HTML entities and stray markup) and refusing what it cannot honour, with the
   file, the record and the reason.
3. **Map** each rating onto the desk's scale (claims.ratingmap); an unmapped label is
   kept verbatim and reported, never forced onto a wrong rating.
4. **Write** (:mod:`.writer`, :mod:`.related`) in bulk, in one transaction: publishers,
   speakers, sources, claims, verdicts and appearances, with a history record for
   everything created or changed (claims.bulk). A review is identified by its URL and
   the claim it reviews, so importing the same data again changes nothing, and an
   updated review updates what it changed.

:mod:`.run` holds the entry point, :func:`import_claimreview`; :mod:`.summary` what it
reports; :mod:`.stash` the admin's uploads waiting for confirmation.

By default one invalid record refuses the whole import and nothing is written;
``skip_invalid`` imports the rest and reports every record skipped. A dry run does all
of it and rolls back, so its summary is exactly what the import would do.
"""

from claims.bulk import BATCH

from .normalise import normalise
from .readers import SUFFIXES, Input, read_inputs
from .records import Options, Review
from .run import IMPORT_LOCK, import_claimreview
from .stash import discard, discard_stale, stash, unstash
from .summary import ImportRefused, ImportSummary, RecordError

__all__ = [
    "BATCH",
    "IMPORT_LOCK",
    "SUFFIXES",
    "ImportRefused",
    "ImportSummary",
    "Input",
    "Options",
    "RecordError",
    "Review",
    "discard",
    "discard_stale",
    "import_claimreview",
    "normalise",
    "read_inputs",
    "stash",
    "unstash",
]
