"""Reading CSV: one ClaimReview per row, its columns named after the fields they hold.

Columns are ClaimReview field names flattened with dots (``author.name``,
``reviewRating.alternateName``, ``itemReviewed.author.name``; README, "CSV columns"),
or the ClaimsKG export's names, flattened with underscores under an entity prefix
(``claimReview_url``, ``rating_alternateName``, ``creativeWork_author_name``,
``organization_name``). The separator (comma, semicolon or tab) is read from the
header. A value given twice (``author`` and ``author.name``) must agree; columns the
import does not read are named in its report (see :mod:`.normalise`).
"""

import csv
import re
from collections.abc import Iterator

from .summary import RecordError

# Where the record keeps which column each value came from, to name columns in reports.
CSV_COLUMNS = "_columns"
SEPARATORS = (",", ";", "\t")
# ClaimsKG's entity prefixes, and where their fields go in a ClaimReview.
CLAIMSKG_PREFIXES = {
    "claimreview": "",
    "rating": "reviewRating",
    "creativework": "itemReviewed",
    "organization": "author",
}
# The field that plain text stands for, where an object is expected.
TEXT_FIELD = {"reviewRating": "alternateName"}
LISTS = {"appearance", "firstAppearance", "sameAs"}


def column_path(column: str) -> str:
    """The dotted ClaimReview path a column holds (``creativeWork_author_name`` → ``itemReviewed.author.name``)."""
    column = column.strip()
    if "." in column or "_" not in column:
        return column
    prefix, rest = column.split("_", 1)
    if prefix.lower() not in CLAIMSKG_PREFIXES:
        return column
    parts = [CLAIMSKG_PREFIXES[prefix.lower()], *rest.split("_")]
    return ".".join(part for part in parts if part)


# Longer than any row of a ClaimReview spreadsheet; refused before the csv module splits it
# (a line of millions of empty values would become millions of strings).
MAX_CSV_LINE = 1_000_000


def separator(text: str) -> str:
    """The header's separator: whichever of comma, semicolon and tab it has most of."""
    end = text.find("\n", 0, MAX_CSV_LINE)
    header = text[: MAX_CSV_LINE if end == -1 else end]
    counts = {candidate: header.count(candidate) for candidate in SEPARATORS}
    best = max(SEPARATORS, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _put(record: dict, path: str, value, column: str) -> None:
    keys = path.split(".")
    target = record
    for depth, key in enumerate(keys[:-1]):
        current = target.get(key)
        if isinstance(current, str):  # ``author`` given as text, now ``author.name`` too
            current = target[key] = {TEXT_FIELD.get(".".join(keys[: depth + 1]), "name"): current}
        elif current is None:
            current = target[key] = {}
        elif not isinstance(current, dict):
            raise RecordError(f"column {column!r} gives a field inside {'.'.join(keys[: depth + 1])}, a list")
        target = current
    leaf = keys[-1]
    existing = target.get(leaf)
    if isinstance(existing, dict) and not isinstance(value, dict):
        text_key = TEXT_FIELD.get(path, "name")
        if existing.get(text_key) not in (None, value):
            raise RecordError(f"column {column!r} disagrees with another column giving {path}.{text_key}")
        existing[text_key] = value
    elif existing is not None and existing != value:
        raise RecordError(f"column {column!r} disagrees with another column giving {path}")
    else:
        target[leaf] = value


# More columns than any ClaimReview has fields: a header wider than this is not one.
MAX_CSV_COLUMNS = 200


def _bounded_lines(text: str) -> Iterator[str]:
    """The text's lines, without a second copy of it (io.StringIO keeps four bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end + 1
        if end - start > MAX_CSV_LINE:
            raise csv.Error(f"a line longer than {MAX_CSV_LINE:,} characters: not a ClaimReview spreadsheet")
        yield text[start:end]
        start = end


def csv_records(text: str, name: str) -> Iterator[tuple[str, dict | RecordError]]:
    """(location, record) for every row; RecordError for a row that cannot be read."""
    reader = csv.reader(_bounded_lines(text), delimiter=separator(text))
    header = next(reader, None)
    if not header or not any(column.strip() for column in header):
        yield name, RecordError("no header row: the first line names the columns")
        return
    if len(header) > MAX_CSV_COLUMNS:
        yield name, RecordError(f"{len(header):,} columns; a ClaimReview CSV has at most {MAX_CSV_COLUMNS}")
        return
    paths = [column_path(column) for column in header]
    columns = {path: column.strip() for path, column in zip(paths, header, strict=True) if path}
    for row in reader:
        if not row:
            continue
        where = f"{name} line {reader.line_num}"
        if len(row) > len(header):
            yield where, RecordError(f"{len(row) - len(header)} more value(s) than there are columns")
            continue
        record: dict = {"@type": "ClaimReview", CSV_COLUMNS: columns}
        try:
            for path, column, text in zip(paths, header, row, strict=False):
                text = text.strip()
                if not text or not path:
                    continue
                value: str | list[str] = text
                if path.rsplit(".", 1)[-1] in LISTS:
                    value = [item for item in re.split(r"[\s|]+", text) if item]
                _put(record, path, value, column.strip())
        except RecordError as error:
            yield where, error
            continue
        yield where, record
