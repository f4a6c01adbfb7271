"""Reading: every input file into raw ClaimReview objects, whatever its shape.

JSON and JSON-LD (a single object, a list, an ``@graph``, a schema.org DataFeed of
DataFeedItems, Google Fact Check Tools' ``claims`` format), HTML pages (their
``<script type="application/ld+json">`` blocks) and CSV (one review per row, flattened
field names). :func:`read_inputs` yields ``(location, record)`` pairs, where a record
is the raw dict or the :class:`RecordError` that says why it could not be read; the
location names the file and the place in it for messages.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeGuard

from . import streaming
from .summary import RecordError
from .tabular import csv_records

SUFFIXES = {".json", ".jsonld", ".html", ".htm", ".csv"}
# What a record's surroundings say about it, carried into the record (see .normalise):
# the feed item's dateCreated (it can carry the time of day that datePublished omits),
# the page's address (relative URLs resolve against it) and its <html lang>.
FEED_DATE_CREATED = "_dateCreated"
PAGE_URL = "_pageUrl"
PAGE_LANGUAGE = "_pageLanguage"
# The reviews of one claim in a Google Fact Check Tools response share this value: they are
# written as one claim with several reviews (see .writer).
CLAIM_GROUP = "_claimGroup"
# Objects that wrap a list of reviews under one of these keys (API responses, exports).
WRAPPING_KEYS = ("data", "items", "results", "claims", "reviews", "claimReviews")


@dataclass
class Input:
    """One file to import: its name (for messages) and its content."""

    name: str
    content: bytes

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> list["Input"]:
        inputs: list[Input] = []
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


class _Page(HTMLParser):
    """A page's JSON-LD blocks, its language and its own address."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self.language = ""
        self.url = ""
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        kind = attributes.get("type", "").split(";")[0].strip().lower()
        self._inside = tag == "script" and kind == "application/ld+json"
        if self._inside:
            self.blocks.append("")
        elif tag == "html" and not self.language:
            self.language = attributes.get("lang", "").strip()
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self.url = self.url or attributes.get("href", "").strip()
        elif tag == "meta" and attributes.get("property", "").lower() == "og:url":
            self.url = self.url or attributes.get("content", "").strip()

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


@cache
def _type_name(kind: str) -> str:
    """``https://schema.org/ClaimReview`` and ``schema:ClaimReview`` are ``claimreview``."""
    return kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()


@lru_cache(maxsize=1024)  # the data's own text: bounded
def _one_type(kind: str) -> frozenset[str]:
    return frozenset((_type_name(kind),))


def types(node: dict) -> frozenset[str]:
    kind = node.get("@type")
    if kind is None:
        return frozenset()
    if isinstance(kind, str):
        return _one_type(kind)
    kinds = kind if isinstance(kind, list) else [kind]
    return frozenset(_type_name(str(k)) for k in kinds)


def _plain_review(node) -> TypeGuard[dict]:
    """Whether ``node`` is a ClaimReview holding no other (what claim_reviews finds in it is itself)."""
    return (
        isinstance(node, dict)
        and isinstance(node.get("@type"), str)
        and "@graph" not in node
        and ("claimreview" in _one_type(node["@type"]))
    )


def claim_reviews(data, where: str) -> Iterator[tuple[str, dict | RecordError]]:
    """Every ClaimReview in a parsed JSON(-LD) document, with where it was found."""
    if isinstance(data, list):
        for index, item in enumerate(data, start=1):
            # (A review found without walking into it: a feed holds thousands.)
            if _plain_review(item):
                yield f"{where} item {index}", item
            else:
                yield from claim_reviews(item, f"{where} item {index}")
        return
    if isinstance(data, RecordError):  # an item too large to read (see .streaming), named in the report
        yield where, data
        return
    if not isinstance(data, dict) or not data:
        return
    if "@type" not in data:
        for key in WRAPPING_KEYS:
            if key == "claims" and _fact_check_tools(data.get(key)):
                yield from _fact_check_tools_reviews(data[key], where)
            elif isinstance(data.get(key), list | dict):
                yield from claim_reviews(data[key], f"{where} {key}")
    kinds = types(data)
    if "@graph" in data:
        yield from claim_reviews(data["@graph"], f"{where} @graph")
    if "datafeed" in kinds:
        elements = data.get("dataFeedElement") or []
        # One element may be written without its list; anything else holds no review.
        for index, element in enumerate(elements if isinstance(elements, list) else [elements], start=1):
            yield from claim_reviews(element, f"{where} dataFeedElement {index}")
    elif "datafeeditem" in kinds:
        item = data.get("item")
        # The feed item's dateCreated can carry the time of day that datePublished omits.
        created = data.get("dateCreated")
        found: Iterable[tuple[str, dict | RecordError]] = (
            [(where, item)] if _plain_review(item) else claim_reviews(item, where)
        )
        for location, review in found:
            yield location, ({**review, FEED_DATE_CREATED: created} if created and isinstance(review, dict) else review)
    elif "claimreview" in kinds:
        yield where, data


def _fact_check_tools(claims) -> bool:
    """Whether ``claims`` is Google Fact Check Tools' list of claims (not of ClaimReviews)."""
    return isinstance(claims, list) and not all(isinstance(claim, dict) and "@type" in claim for claim in claims)


def _fact_check_tools_reviews(claims: list, where: str) -> Iterator[tuple[str, dict | RecordError]]:
    """Google Fact Check Tools (``claims:search``): claims, each with its claimReview list."""
    for index, claim in enumerate(claims, start=1):
        if not isinstance(claim, dict):
            yield f"{where} claim {index}", RecordError("not a claim: expected an object with text and claimReview")
            continue
        reviews = claim.get("claimReview") or []
        for review_index, review in enumerate(reviews if isinstance(reviews, list) else [reviews], start=1):
            location = f"{where} claim {index} review {review_index}"
            if isinstance(review, dict):
                yield location, {**_from_fact_check_tools(claim, review), CLAIM_GROUP: f"{where} claim {index}"}
            else:
                yield location, RecordError("claimReview is not an object")


def _from_fact_check_tools(claim: dict, review: dict) -> dict:
    return {
        "@type": "ClaimReview",
        "url": review.get("url"),
        "claimReviewed": claim.get("text"),
        "headline": review.get("title"),
        "datePublished": review.get("reviewDate"),
        "inLanguage": review.get("languageCode"),
        # The fact-checker: {"name": ..., "site": "fullfact.org"}, the name sometimes missing.
        "publisher": review.get("publisher"),
        "reviewRating": {"@type": "Rating", "alternateName": review.get("textualRating")},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": claim.get("claimant")} if claim.get("claimant") else None,
            "datePublished": claim.get("claimDate"),
        },
    }


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
                yield from csv_records(text, item.name)
            except csv.Error as error:
                yield item.name, RecordError(f"unreadable CSV: {error}")
            continue
        page: dict = {}
        if suffix in (".html", ".htm"):
            parser = _Page()
            parser.feed(text)
            page = {PAGE_URL: parser.url, PAGE_LANGUAGE: parser.language}
            documents: list[tuple[str, str | bytes]] = [
                (f"{item.name} script {n}", block) for n, block in enumerate(parser.blocks, start=1)
            ]
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
        keys = ""
        for where, document in documents:
            try:
                # Lists read an item at a time, nesting limited (claims.importing.streaming).
                data = streaming.load(document, containers=("@graph", "dataFeedElement", *WRAPPING_KEYS))
            except RecordError as error:
                yield where, error
                unreadable = True
                continue
            for location, record in claim_reviews(data, where):
                found_in_file = True
                yield location, ({**page, **record} if page and isinstance(record, dict) else record)
            if not found_in_file and isinstance(data, dict):
                keys = ", ".join(sorted(map(str, data))[:10])
        if not found_in_file and not unreadable and documents:
            yield (
                item.name,
                RecordError(
                    "no ClaimReview found (expected ClaimReview, a list, @graph, a DataFeed, or a list under "
                    f"{', '.join(WRAPPING_KEYS)})" + (f"; keys found: {keys}" if keys else "")
                ),
            )
