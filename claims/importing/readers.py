"""Reading: every input file into raw ClaimReview objects, whatever its shape.

JSON and JSON-LD (a single object, a list, an ``@graph``, a schema.org DataFeed of
DataFeedItems, Google Fact Check Tools' ``claims`` format), HTML pages (their
``<script type="application/ld+json">`` blocks) and CSV (one review per row, flattened
field names). :func:`read_inputs` yields ``(location, record)`` pairs, where a record
is the raw dict or the :class:`RecordError` that says why it could not be read; the
location names the file and the place in it for messages.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .streaming import stream_claim_reviews
from .summary import RecordError

SUFFIXES = {".json", ".jsonld", ".html", ".htm", ".csv"}
# The feed item's dateCreated, carried into its review (see claims.importing.normalise).
FEED_DATE_CREATED = "_dateCreated"


@dataclass
class Input:
    """One file to import: its name (for messages) and its content."""

    name: str
    content: bytes

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> list["Input"]:
        inputs = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            elif path.is_file():
                files = [path]
            else:
                raise FileNotFoundError(f"{path}: no such file or directory")
            inputs.extend(cls(str(file), file.read_bytes()) for file in files)
        return inputs


class _LDScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        kind = (attributes.get("type") or "").split(";")[0].strip().lower()
        self._inside = tag == "script" and kind == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def types(node: dict) -> set[str]:
    kind = node.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for k in kinds}


def claim_reviews(data, where: str) -> Iterator[tuple[str, dict]]:
    """Every ClaimReview in a parsed JSON(-LD) document, with where it was found."""
    if isinstance(data, list):
        for index, item in enumerate(data, start=1):
            yield from claim_reviews(item, f"{where} item {index}")
        return
    if not isinstance(data, dict):
        return
    if isinstance(data.get("claims"), list) and "@type" not in data:
        # Google Fact Check Tools API: claims, each with its claimReview list.
        for index, claim in enumerate(data["claims"], start=1):
            yield from fact_check_tools_claim(claim, index, where)
        return
    kinds = types(data)
    if "@graph" in data:
        yield from claim_reviews(data["@graph"], f"{where} @graph")
    if "datafeed" in kinds:
        for index, element in enumerate(data.get("dataFeedElement") or [], start=1):
            yield from claim_reviews(element, f"{where} dataFeedElement {index}")
    elif "datafeeditem" in kinds:
        for location, review in claim_reviews(data.get("item"), where):
            # The feed item's dateCreated can carry the time of day that datePublished omits.
            yield (
                location,
                {**review, FEED_DATE_CREATED: data.get("dateCreated")} if data.get("dateCreated") else review,
            )
    elif "claimreview" in kinds:
        yield where, data


def fact_check_tools_claim(claim, index: int, where: str) -> Iterator[tuple[str, dict | RecordError]]:
    if not isinstance(claim, dict):
        yield f"{where} claim {index}", RecordError("not a claim: expected an object with text and claimReview")
        return
    reviews = claim.get("claimReview") or []
    for review_index, review in enumerate(reviews if isinstance(reviews, list) else [reviews], start=1):
        location = f"{where} claim {index} review {review_index}"
        if isinstance(review, dict):
            yield location, _from_fact_check_tools(claim, review)
        else:
            yield location, RecordError("claimReview is not an object")


def _from_fact_check_tools(claim: dict, review: dict) -> dict:
    publisher = review.get("publisher") or {}
    if not isinstance(publisher, dict):
        publisher = {"name": publisher}
    return {
        "@type": "ClaimReview",
        "url": review.get("url"),
        "claimReviewed": claim.get("text"),
        "headline": review.get("title"),
        "datePublished": review.get("reviewDate"),
        "inLanguage": review.get("languageCode"),
        "author": {"@type": "Organization", "name": publisher.get("name"), "url": _site_url(publisher.get("site"))},
        "reviewRating": {"@type": "Rating", "alternateName": review.get("textualRating")},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": claim.get("claimant")} if claim.get("claimant") else None,
            "datePublished": claim.get("claimDate"),
        },
    }


def _site_url(site):
    """Fact Check Tools names a publisher's site as a bare domain ("fullfact.org")."""
    if isinstance(site, str) and site.strip() and "://" not in site:
        return f"https://{site.strip().strip('/')}/"
    return site


# More columns than any ClaimReview has fields: a header wider than this is not one.
MAX_CSV_COLUMNS = 200


def _csv_records(text: str, name: str) -> Iterator[tuple[str, dict]]:
    """One ClaimReview per row; columns are flattened field names (README, "CSV columns")."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is not None and len(reader.fieldnames) > MAX_CSV_COLUMNS:
        yield name, RecordError(f"{len(reader.fieldnames):,} columns; a ClaimReview CSV has at most {MAX_CSV_COLUMNS}")
        return
    for row in reader:
        where = f"{name} line {reader.line_num}"
        if None in row:
            yield where, RecordError(f"{len(row[None])} more value(s) than there are columns")
            continue
        record: dict = {"@type": "ClaimReview"}
        for column, value in row.items():
            value = (value or "").strip()
            if not value:
                continue
            target = record
            keys = column.strip().split(".")
            for key in keys[:-1]:
                target = target.setdefault(key, {})
            if keys[-1] in ("appearance", "sameAs"):
                value = [item for item in re.split(r"[\s|]+", value) if item]
            target[keys[-1]] = value
        yield where, record


def read_inputs(inputs: Iterable[Input]) -> Iterator[tuple[str, dict | RecordError]]:
    """(location, raw ClaimReview) for every record; a RecordError where a file cannot be read."""
    for item in inputs:
        suffix = Path(item.name).suffix.lower()
        try:
            text = item.content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            yield item.name, RecordError(f"not UTF-8 text ({error.reason} at byte {error.start})")
            continue
        if suffix == ".csv":
            try:
                yield from _csv_records(text, item.name)
            except csv.Error as error:
                yield item.name, RecordError(f"unreadable CSV: {error}")
            continue
        if suffix in (".html", ".htm"):
            parser = _LDScripts()
            parser.feed(text)
            documents = [(f"{item.name} script {n}", block) for n, block in enumerate(parser.blocks, start=1)]
            if not documents:
                yield item.name, RecordError('no <script type="application/ld+json"> in this page')
        elif suffix in (".json", ".jsonld"):
            # Read from the bytes: a second copy of a large file as text is not needed.
            del text
            documents = [(item.name, item.content.removeprefix(b"\xef\xbb\xbf"))]
        else:
            yield (
                item.name,
                RecordError(f"unsupported file type {suffix or '(none)'}: use .json, .jsonld, .html or .csv"),
            )
            continue
        found_in_file = unreadable = False
        for where, document in documents:
            # One record in memory at a time, nesting limited (claims.importing.streaming).
            for location, record in stream_claim_reviews(document, where, claim_reviews, fact_check_tools_claim):
                if location == where and isinstance(record, RecordError):
                    unreadable = True
                else:
                    found_in_file = True
                yield location, record
        if not found_in_file and not unreadable and documents:
            yield item.name, RecordError("no ClaimReview found (expected ClaimReview, a list, @graph or a DataFeed)")
