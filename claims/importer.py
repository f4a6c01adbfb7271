"""Import schema.org ClaimReview: JSON-LD files and feeds, fact-check pages, spreadsheets.

One code path for ``manage.py import_claimreview`` and the admin's import page:

1. **Read** every input into raw ClaimReview objects, whatever the shape: a single
   object, a list, an ``@graph``, a schema.org DataFeed of DataFeedItems, Google Fact
   Check Tools' ``claims`` format, ``<script type="application/ld+json">`` blocks in an
   HTML page, or a CSV file with one review per row (flattened field names).
2. **Normalise** each record into plain values, tolerating what real data does
   (appearances as URLs or CreativeWorks, authors as Person or Organization, dates with
   or without time and zone, HTML entities and stray markup) and refusing what it
   cannot honour, with the file, the record and the reason.
3. **Map** each rating onto the desk's scale (claims.ratingmap); an unmapped label is
   kept verbatim and reported, never forced onto a wrong rating.
4. **Write** in bulk, in one transaction: publishers, speakers, sources, claims,
   verdicts and appearances, with a history record for everything created or changed.
   A review is identified by its URL and the claim it reviews, so importing the same
   data again changes nothing, and an updated review updates what it changed.

By default one invalid record refuses the whole import and nothing is written;
``skip_invalid`` imports the rest and reports every record skipped. A dry run does all
of it and rolls back, so its summary is exactly what the import would do.
"""

import csv
import html
import io
import json
import re
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from html.parser import HTMLParser
from operator import itemgetter
from pathlib import Path

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.functions import Lower
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import get_valid_filename
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sources.choices import SourceKind
from sources.models import Publisher, Source

from .choices import SpeakerKind, VerdictStatus
from .models import Appearance, Claim, Speaker, Verdict
from .ratingmap import RatingMapper
from .services import public_record_changed

SUFFIXES = {".json", ".jsonld", ".html", ".htm", ".csv"}
BATCH = 2500
# The key of the advisory lock that lets one import write at a time (PostgreSQL).
IMPORT_LOCK = 0x46434B494D504F52
LIMITS = {
    "claimReviewed": 5000,
    "headline": 300,
    "reviewBody": 100_000,
    "author name": 200,
    "speaker name": 300,
    "jobTitle": 300,
    "affiliation": 300,
    "alternateName": 1000,
    "inLanguage": 35,
    "url": 2000,
    "publisher url": 500,
    "appearance headline": 500,
    "publisher name": 200,
}
WORK_KINDS = {
    "socialmediaposting": SourceKind.SOCIAL_POST,
    "blogposting": SourceKind.SOCIAL_POST,
    "videoobject": SourceKind.BROADCAST,
    "broadcastevent": SourceKind.BROADCAST,
    "audioobject": SourceKind.BROADCAST,
    "newsarticle": SourceKind.NEWS_ARTICLE,
    "article": SourceKind.NEWS_ARTICLE,
    "report": SourceKind.REPORT,
    "claimreview": SourceKind.FACT_CHECK,
}
ORGANISATION_TYPES = {"organization", "governmentorganization", "newsmediaorganization", "ngo", "corporation"}
WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/(Q[1-9][0-9]*)$")
WEB_ADDRESS = re.compile(
    r"https?://(?:[^\s/?#@]*@)?(?P<host>\[[0-9a-f:.]+\]|[^\s/?#:@\[\]]+)(?::(?P<port>[0-9]{1,5}))?(?:[/?#]\S*)?",
    re.IGNORECASE,
)
# Markup, not comparisons: "< 4%" and "more than >" are text.
BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote)\s*>", re.IGNORECASE)
TAGS = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
FEED_DATE_CREATED = "_dateCreated"


# Results ------------------------------------------------------------------------------


class ImportRefused(Exception):
    """Invalid records and no permission to skip them: nothing was written."""

    def __init__(self, summary: "ImportSummary"):
        super().__init__(f"{len(summary.errors)} invalid record(s); nothing was imported.")
        self.summary = summary


@dataclass
class ImportSummary:
    records: int = 0
    imported: int = 0
    duplicates_merged: int = 0
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[tuple[str, str]] = field(default_factory=list)
    unmapped_labels: Counter = field(default_factory=Counter)
    dry_run: bool = False
    seconds: float = 0.0

    def count(self, entity: str, outcome: str, number: int = 1) -> None:
        if number:
            self.counts[entity][outcome] += number

    def lines(self) -> list[str]:
        rate = f" ({self.imported / self.seconds:,.0f} reviews/s)" if self.seconds and self.imported else ""
        lines = [
            f"{'Dry run: nothing written. ' if self.dry_run else ''}"
            f"{self.records} record(s) read, {self.imported} review(s) imported in {self.seconds:.2f}s{rate}."
        ]
        if self.duplicates_merged:
            lines.append(f"{self.duplicates_merged} duplicate record(s) merged (same review URL and claim).")
        for entity in ("reviews", "claims", "speakers", "sources", "publishers", "appearances"):
            outcome = self.counts.get(entity, Counter())
            parts = [f"{outcome[key]} {key}" for key in ("created", "updated", "unchanged", "skipped") if outcome[key]]
            lines.append(f"  {entity:<12} {', '.join(parts) or 'none'}")
        if self.unmapped_labels:
            total = sum(self.unmapped_labels.values())
            lines.append(f"{total} review(s) kept ratings not on the desk's scale (rated 'Not on our scale'):")
            lines.extend(f"  {count} x {label}" for label, count in self.unmapped_labels.most_common(20))
        if self.errors:
            lines.append(f"{len(self.errors)} invalid record(s):")
            lines.extend(f"  {where}: {message}" for where, message in self.errors)
        return lines


# Reading -------------------------------------------------------------------------------


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


class RecordError(ValueError):
    """What is wrong with one record."""


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


def _types(node: dict) -> set[str]:
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
            if not isinstance(claim, dict):
                yield f"{where} claim {index}", RecordError("not a claim: expected an object with text and claimReview")
                continue
            reviews = claim.get("claimReview") or []
            for review_index, review in enumerate(reviews if isinstance(reviews, list) else [reviews], start=1):
                location = f"{where} claim {index} review {review_index}"
                if isinstance(review, dict):
                    yield location, _from_fact_check_tools(claim, review)
                else:
                    yield location, RecordError("claimReview is not an object")
        return
    kinds = _types(data)
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


def _csv_records(text: str, name: str) -> Iterator[tuple[str, dict]]:
    """One ClaimReview per row; columns are flattened field names (README, "CSV columns")."""
    reader = csv.DictReader(io.StringIO(text))
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
            documents = [(item.name, text)]
        else:
            yield (
                item.name,
                RecordError(f"unsupported file type {suffix or '(none)'}: use .json, .jsonld, .html or .csv"),
            )
            continue
        found_in_file = unreadable = False
        for where, document in documents:
            try:
                data = orjson.loads(document)
            except json.JSONDecodeError:
                try:  # some pages escape their JSON-LD as HTML text
                    data = orjson.loads(html.unescape(document))
                except json.JSONDecodeError as error:
                    yield where, RecordError(f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})")
                    unreadable = True
                    continue
            for location, record in claim_reviews(data, where):
                found_in_file = True
                yield location, record
        if not found_in_file and not unreadable and documents:
            yield item.name, RecordError("no ClaimReview found (expected ClaimReview, a list, @graph or a DataFeed)")


# Normalising ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    url: str
    title: str
    published_on: date | None
    publisher: str
    kind: str

    @property
    def key(self):
        return (
            ("url", self.url)
            if self.url
            else ("title", self.title.casefold(), _publisher_key(self.publisher), self.published_on)
        )


@dataclass(frozen=True)
class Person:
    name: str
    kind: str
    role: str
    affiliation: str
    wikidata_id: str

    @property
    def key(self):
        return ("qid", self.wikidata_id) if self.wikidata_id else ("name", self.name.casefold(), self.kind)


@dataclass
class Review:
    where: str
    url: str
    claim_text: str
    language: str
    headline: str
    explanation: str
    date_published: datetime | None
    date_modified: datetime | None
    date_created: datetime | None  # the feed item's, for reviews that give no datePublished
    reviewer: tuple[str, str] | None  # (name, url); None for this desk
    rating_label: str
    rating_value: Decimal | None
    best_rating: Decimal | None
    worst_rating: Decimal | None
    speaker: Person | None
    claim_date: date | None
    appearances: list[Work]

    @property
    def key(self):
        return (self.url, self.claim_text)


def clean_text(value, what: str = "", *, limit: int | None = None, paragraphs: bool = False) -> str:
    """Text as people meant it: entities decoded, markup and NULs removed, spaces collapsed.

    With ``paragraphs``, paragraph breaks (line breaks, </p>, <br>) are kept as blank lines.
    """
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, list):
        value = next((item for item in value if item), "")
    text = str(value)
    if "&" in text:  # entities, sometimes escaped twice
        text = html.unescape(html.unescape(text))
    if "<" in text:
        if paragraphs:
            text = BREAKS.sub("\n", text)
        text = TAGS.sub(" ", text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if paragraphs:
        lines = (" ".join(line.split()) for line in text.splitlines())
        text = "\n\n".join(line for line in lines if line)
    else:
        text = " ".join(text.split())  # every kind of space, no-break spaces included
    if limit is not None and len(text) > limit:
        raise RecordError(f"{what} is {len(text)} characters long; the most this desk stores is {limit}")
    return text


def _url(value, what: str, *, limit: int = LIMITS["url"]) -> str:
    url = clean_text(value, what, limit=limit)
    if not url:
        return ""
    # A web address: http(s), a host, no spaces. (Django's URLValidator says the same at
    # ten times the cost, which a large import feels.)
    match = WEB_ADDRESS.fullmatch(url)
    host = match["host"].lower() if match else ""
    valid = (
        bool(match)
        and ("." in host or host.startswith("[") or host == "localhost")
        and not host.startswith(".")
        and (match["port"] is None or 0 < int(match["port"]) <= 65535)
    )
    if not valid:
        raise RecordError(f"{what} is not a web address: {url!r}")
    return url


def _moment(value, what: str) -> datetime | None:
    text = clean_text(value, what)
    if not text:
        return None
    try:
        moment = parse_datetime(text.replace(" ", "T", 1) if len(text) > 10 else text)
        if moment is None:
            day = parse_date(text[:10]) if len(text) >= 10 else None
            if day is None or len(text) > 10:
                raise ValueError
            moment = datetime(day.year, day.month, day.day)
    except ValueError as error:
        raise RecordError(f"{what} is not a date: {text!r}") from error
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if not 1000 <= moment.year <= 9998:
        raise RecordError(f"{what} is out of range: {text!r}")
    return moment


def _day(value, what: str) -> date | None:
    moment = _moment(value, what)
    return moment.date() if moment else None


def _number(value, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise RecordError(f"{what} is not a number: {value!r}") from error
    if not number.is_finite() or abs(number) >= 10**8:
        raise RecordError(f"{what} is out of range: {value!r}")
    # Kept to the four decimal places the database stores, so a re-import compares equal.
    return number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()


def _person(value, where: str) -> Person | None:
    if not value:
        return None
    if isinstance(value, list):
        value = value[0]
    if isinstance(value, str):
        value = {"@type": "Person", "name": value}
    if not isinstance(value, dict):
        raise RecordError("itemReviewed.author is neither a name nor a Person or Organization")
    name = clean_text(value.get("name"), "itemReviewed.author.name", limit=LIMITS["speaker name"])
    if not name:
        return None
    kind = SpeakerKind.ORGANISATION if _types(value) & ORGANISATION_TYPES else SpeakerKind.PERSON
    same_as = value.get("sameAs") or []
    same_as = same_as if isinstance(same_as, list) else [same_as]
    wikidata = next((m.group(1) for url in same_as if (m := WIKIDATA.match(str(url).strip()))), "")
    return Person(
        name=name,
        kind=kind.value,
        role=clean_text(value.get("jobTitle"), "itemReviewed.author.jobTitle", limit=LIMITS["jobTitle"]),
        affiliation=clean_text(
            value.get("affiliation"), "itemReviewed.author.affiliation", limit=LIMITS["affiliation"]
        ),
        wikidata_id=wikidata,
    )


def _works(value, what: str) -> list[Work]:
    items = value if isinstance(value, list) else [value] if value else []
    works = []
    for item in items:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise RecordError(f"{what} is neither a web address nor a CreativeWork")
        url = _url(item.get("url") or item.get("@id"), f"{what}.url")
        title = clean_text(
            item.get("headline") or item.get("name"), f"{what}.headline", limit=LIMITS["appearance headline"]
        )
        publisher = item.get("publisher") or item.get("author") or ""
        if isinstance(publisher, list):
            publisher = publisher[0] if publisher else ""
        publisher_name = clean_text(publisher, f"{what}.publisher.name", limit=LIMITS["publisher name"])
        if not url and not title:
            continue
        kind = next((WORK_KINDS[k] for k in _types(item) if k in WORK_KINDS), SourceKind.OTHER).value
        works.append(
            Work(
                url=url,
                title=title or url[: LIMITS["appearance headline"]],
                published_on=_day(item.get("datePublished"), f"{what}.datePublished"),
                publisher=publisher_name,
                kind=kind,
            )
        )
    return works


def _feed_created(raw: dict) -> datetime | None:
    if not raw.get(FEED_DATE_CREATED):
        return None
    try:
        return _moment(raw[FEED_DATE_CREATED], "dataFeedElement.dateCreated")
    except RecordError:
        return None


def _published(raw: dict, created: datetime | None) -> datetime | None:
    """datePublished, to the second when the feed item's dateCreated falls on the same day."""
    published = _moment(raw.get("datePublished"), "datePublished")
    if published is not None and created is not None and created.date() == published.date():
        return created
    return published


def _is_desk(name: str, url: str) -> bool:
    desk_url = settings.FACTCHECK_DESK_URL.rstrip("/").casefold()
    return (
        bool(url and url.rstrip("/").casefold() == desk_url)
        or name.casefold() == settings.FACTCHECK_DESK_NAME.casefold()
    )


def normalise(raw: dict, where: str, *, publisher_name: str = "") -> Review:
    """One raw ClaimReview as plain, checked values; RecordError says what is wrong."""
    url = _url(raw.get("url"), "url")
    if not url:
        raise RecordError("url is missing: a review is identified by its URL and the claim it reviews")
    claim_text = clean_text(raw.get("claimReviewed"), "claimReviewed", limit=LIMITS["claimReviewed"])
    if not claim_text:
        raise RecordError("claimReviewed is missing: the claim the review checks is required")
    rating = raw.get("reviewRating") or {}
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    if isinstance(rating, str):
        rating = {"alternateName": rating}
    if not isinstance(rating, dict):
        raise RecordError("reviewRating is not a Rating")
    label = clean_text(
        rating.get("alternateName") or rating.get("name"), "reviewRating.alternateName", limit=LIMITS["alternateName"]
    )
    value = _number(rating.get("ratingValue"), "reviewRating.ratingValue")
    best = _number(rating.get("bestRating"), "reviewRating.bestRating")
    worst = _number(rating.get("worstRating"), "reviewRating.worstRating")
    if not label and value is None:
        raise RecordError("reviewRating has neither alternateName nor ratingValue")
    author = raw.get("author") or {}
    if isinstance(author, list):
        author = author[0] if author else {}
    if isinstance(author, str):
        author = {"name": author}
    if not isinstance(author, dict):
        raise RecordError("author is neither a name nor an Organization or Person")
    reviewer_name = clean_text(author.get("name"), "author.name", limit=LIMITS["author name"]) or publisher_name
    reviewer_url = _url(author.get("url"), "author.url", limit=LIMITS["publisher url"])
    if not reviewer_name:
        raise RecordError("author.name is missing (give --publisher-name for data that does not say who reviewed it)")
    item = raw.get("itemReviewed") or {}
    if isinstance(item, list):
        item = item[0] if item else {}
    if not isinstance(item, dict):
        item = {}
    language = raw.get("inLanguage") or item.get("inLanguage") or ""
    if isinstance(language, dict):
        language = language.get("alternateName") or language.get("name") or ""
    created = _feed_created(raw)
    appearances = _works(item.get("appearance"), "itemReviewed.appearance")
    for work in _works(item.get("firstAppearance"), "itemReviewed.firstAppearance"):
        if work.key not in {existing.key for existing in appearances}:
            appearances.append(work)
    return Review(
        where=where,
        url=url,
        claim_text=claim_text,
        language=clean_text(language, "inLanguage", limit=LIMITS["inLanguage"]) or "und",
        headline=clean_text(raw.get("headline") or raw.get("name"), "headline", limit=LIMITS["headline"]),
        explanation=clean_text(
            raw.get("reviewBody") or raw.get("description"), "reviewBody", limit=LIMITS["reviewBody"], paragraphs=True
        ),
        date_published=_published(raw, created),
        date_modified=_moment(raw.get("dateModified"), "dateModified"),
        date_created=created,
        reviewer=None if _is_desk(reviewer_name, reviewer_url) else (reviewer_name, reviewer_url),
        rating_label=label,
        rating_value=value,
        best_rating=best,
        worst_rating=worst,
        speaker=_person(item.get("author"), where),
        claim_date=_day(item.get("datePublished"), "itemReviewed.datePublished"),
        appearances=appearances,
    )


# Writing -------------------------------------------------------------------------------


def _desk_claim_id(url: str) -> int | None:
    """The claim id when ``url`` is this desk's own fact-check page."""
    prefix = settings.FACTCHECK_DESK_URL.rstrip("/")
    if not url.startswith(prefix + "/"):
        return None
    try:
        match = resolve(url[len(prefix) :].split("?", 1)[0])
    except Resolver404:
        return None
    return match.kwargs.get("claim_id") if match.url_name == "fact-check" else None


@cache
def _field_defaults(model) -> list[tuple[str, object, bool]]:
    """(attname, default, whether the default is a callable to call for each instance)."""
    defaults = []
    for f in model._meta.concrete_fields:
        per_instance = f.has_default() and callable(f.default)
        defaults.append((f.attname, f.default if per_instance else f.get_default(), per_instance))
    return defaults


def _publisher_key(name: str) -> str:
    """Publishers are one per name whatever the case: the database's constraint is lower(name)."""
    return name.lower()


def _new(model, **values):
    """A new, unsaved instance from attribute names (``speaker_id``), without Model.__init__.

    The import makes tens of thousands of rows; the constructor's signals and descriptors
    cost more than writing them. Fields not given take their defaults.
    """
    obj = model.__new__(model)
    obj._state = ModelState()
    attributes = obj.__dict__
    for attname, default, call in _field_defaults(model):
        attributes[attname] = values[attname] if attname in values else (default() if call else default)
    return obj


class _Writer:
    """Bulk writes for one import, with history rows for everything created or changed."""

    def __init__(self, summary: ImportSummary, mapper: RatingMapper, reason: str, actor):
        self.summary = summary
        self.mapper = mapper
        self.reason = reason
        self.actor = actor
        self.now = timezone.now()
        self.publishers: dict[str, Publisher] = {}
        self.speakers: dict[tuple, Speaker] = {}  # by Person.key, across batches
        self.table_rows: dict[str, float] = {}  # rows at the last ANALYZE (PostgreSQL)
        self.table_added: dict[str, int] = {}  # rows added since

    def _created(self, model, objects, entity):
        if objects:
            if connection.vendor == "postgresql":
                _copy_with_history(model, objects, now=self.now, user=self.actor, reason=self.reason)
                self._keep_statistics(model, len(objects))
            else:
                bulk_create_with_history(
                    objects, model, batch_size=BATCH, default_user=self.actor, default_change_reason=self.reason
                )
        self.summary.count(entity, "created", len(objects))
        return objects

    def _keep_statistics(self, model, added: int) -> None:
        """ANALYZE a table this import has more than doubled (PostgreSQL).

        Plans made while a table looked empty (seq scans in the search trigger's speaker
        lookup, in foreign-key checks) would otherwise scan it once per row for the rest
        of the import: the first import into a new desk would slow down as it grows.
        ANALYZE sees this transaction's own rows, and re-plans what depends on the table.
        """
        table = model._meta.db_table
        if table not in self.table_rows:
            with connection.cursor() as cursor:
                cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [table])
                self.table_rows[table] = cursor.fetchone()[0]
            self.table_added[table] = 0
        self.table_added[table] += added
        if self.table_added[table] > max(self.table_rows[table], 1000):
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            self.table_rows[table] += self.table_added[table]
            self.table_added[table] = 0

    def _updated(self, model, objects, fields, entity):
        if objects and hasattr(model, "version"):
            # Optimistic locking: a form opened before the import no longer saves over it.
            for obj in objects:
                obj.version += 1
            fields = [*fields, "version"]
        if objects:
            bulk_update_with_history(
                objects, model, fields, batch_size=BATCH, default_user=self.actor, default_change_reason=self.reason
            )
        self.summary.count(entity, "updated", len(objects))

    def publishers_for(self, names_and_urls: dict[str, str]) -> None:
        wanted = {
            _publisher_key(name): (name, url)
            for name, url in names_and_urls.items()
            if _publisher_key(name) not in self.publishers
        }
        if not wanted:
            return
        # The database's lower() decides uniqueness; SQLite's lower() leaves non-ASCII
        # capitals alone, so there the exact names are looked up too.
        names = [name for name, _ in wanted.values()]
        query = Q(key__in=list(wanted))
        if connection.vendor != "postgresql":
            query |= Q(name__in=names)
        existing = Publisher.objects.annotate(key=Lower("name")).filter(query)
        changed = []
        for publisher in existing.order_by("id"):
            key = _publisher_key(publisher.name)
            if key not in wanted or key in self.publishers:
                continue
            self.publishers[key] = publisher
            url = wanted[key][1]
            if url and not publisher.url:
                publisher.url = url
                changed.append(publisher)
        if changed:
            Publisher.objects.bulk_update(changed, ["url"])
        self.summary.count("publishers", "updated", len(changed))
        self.summary.count("publishers", "unchanged", len([k for k in wanted if k in self.publishers]) - len(changed))
        new = [_new(Publisher, name=name, url=url) for key, (name, url) in wanted.items() if key not in self.publishers]
        Publisher.objects.bulk_create(new, batch_size=BATCH)
        self.summary.count("publishers", "created", len(new))
        for publisher in new:
            self.publishers[_publisher_key(publisher.name)] = publisher

    def speakers_for(self, people: Iterable[Person]) -> dict:
        people = {person.key: person for person in people}
        found = {key: self.speakers[key] for key in people if key in self.speakers}
        wanted = {key: person for key, person in people.items() if key not in found}
        if not wanted:
            return found
        matched = self._existing_speakers(wanted)
        changed = []
        for key, speaker in matched.items():
            person = wanted[key]
            # An import fills what the desk left blank; it never overwrites the desk's own record.
            updates = {f: getattr(person, f) for f in ("role", "affiliation", "wikidata_id") if getattr(person, f)}
            updates = {f: v for f, v in updates.items() if not getattr(speaker, f)}
            if updates and not (
                updates.get("wikidata_id") and Speaker.objects.filter(wikidata_id=updates["wikidata_id"]).exists()
            ):
                changed.append((speaker.pk, updates))
        if changed:
            # Whole records for the history rows of the few that change.
            records = Speaker.objects.in_bulk([pk for pk, _ in changed])
            for pk, updates in changed:
                for name, value in updates.items():
                    setattr(records[pk], name, value)
            self._updated(Speaker, list(records.values()), ["role", "affiliation", "wikidata_id"], "speakers")
        self.summary.count("speakers", "unchanged", len(matched) - len(changed))
        new_keys = [key for key in wanted if key not in matched]
        new = [
            _new(
                Speaker,
                name=wanted[key].name,
                kind=wanted[key].kind,
                role=wanted[key].role,
                affiliation=wanted[key].affiliation,
                wikidata_id=wanted[key].wikidata_id,
            )
            for key in new_keys
        ]
        self._created(Speaker, new, "speakers")
        matched.update(zip(new_keys, new, strict=True))
        self.speakers.update(matched)
        return found | matched

    def _existing_speakers(self, people: dict) -> dict:
        """The desk's speakers for these people: by Wikidata id, else by name and kind.

        Only the columns matching needs are read, one row per name, kind and Wikidata id
        (a desk may have many speakers of one name: "Unnamed official").
        """
        columns = ["id", "name", "kind", "wikidata_id", "role", "affiliation"]
        qids = [key[1] for key in people if key[0] == "qid"]
        rows = []
        if qids:  # with the unique index's condition, so PostgreSQL uses it
            rows += Speaker.objects.filter(wikidata_id__in=qids).exclude(wikidata_id="").values_list(*columns)
        named = Speaker.objects.filter(name__in={person.name for person in people.values()}).values_list(*columns)
        if connection.vendor == "postgresql":
            named = named.order_by("name", "kind", "wikidata_id", "id").distinct("name", "kind", "wikidata_id")
        rows += named
        speakers = [_new(Speaker, **dict(zip(columns, row, strict=True))) for row in sorted(rows)]
        found: dict = {}
        for speaker in speakers:
            for key in (("qid", speaker.wikidata_id), ("name", speaker.name.casefold(), speaker.kind)):
                if key in people and key not in found:
                    found[key] = speaker
        # A person the import knows by Wikidata id may be one the desk entered by name
        # alone: the same name and kind, no id yet. That speaker is theirs (and gets the id).
        taken = {speaker.pk for speaker in found.values()}
        by_name = {
            (speaker.name.casefold(), speaker.kind): speaker
            for speaker in reversed(speakers)
            if not speaker.wikidata_id and speaker.pk not in taken
        }
        for key, person in people.items():
            if key[0] == "qid" and key not in found:
                speaker = by_name.pop((person.name.casefold(), person.kind), None)
                if speaker is not None:
                    found[key] = speaker
        return found

    def sources_for(self, works: Iterable[Work]) -> dict:
        works = {work.key: work for work in works}
        found: dict = {}
        urls = [key[1] for key in works if key[0] == "url"]
        titles = {work.title for key, work in works.items() if key[0] == "title"}
        # Each lookup states the partial index's condition (url <> '' / url = ''): with more
        # than a hundred values PostgreSQL cannot infer it and would scan the table.
        candidates = []
        if urls:
            candidates += Source.objects.filter(url__in=urls).exclude(url="").only("id", "url").order_by("id")
        if titles:
            candidates += (
                Source.objects.filter(url="", title__in=titles)
                .select_related("publisher")
                .only("id", "url", "title", "published_on", "publisher__name")
                .order_by("id")
            )
        if works:
            for source in candidates:
                if source.url:
                    key = ("url", source.url)
                else:
                    publisher = _publisher_key(source.publisher.name) if source.publisher else ""
                    key = ("title", source.title.casefold(), publisher, source.published_on)
                if key in works and key not in found:
                    found[key] = source
        self.summary.count("sources", "unchanged", len(found))
        new_keys = [key for key in works if key not in found]
        new = [
            _new(
                Source,
                url=works[key].url,
                title=works[key].title,
                published_on=works[key].published_on,
                kind=works[key].kind,
                publisher_id=self.publishers[_publisher_key(works[key].publisher)].pk if works[key].publisher else None,
            )
            for key in new_keys
        ]
        for source, key in zip(self._created(Source, new, "sources"), new_keys, strict=True):
            found[key] = source
        return found

    def write(self, reviews: list[Review]) -> None:
        publishers = {work.publisher: "" for review in reviews for work in review.appearances if work.publisher}
        for review in reviews:
            # A fact-checker that also published an appearance keeps the URL its reviews give.
            if review.reviewer and (review.reviewer[1] or review.reviewer[0] not in publishers):
                publishers[review.reviewer[0]] = review.reviewer[1]
        self.publishers_for(publishers)
        speakers = self.speakers_for(review.speaker for review in reviews if review.speaker)
        sources = self.sources_for(work for review in reviews for work in review.appearances)

        existing = {
            (verdict.review_url, verdict.claim.text): verdict
            for verdict in Verdict.objects.filter(review_url__in={r.url for r in reviews})
            .exclude(review_url="")  # the unique index's condition, so PostgreSQL uses it
            .select_related("claim")
            # An editor saving one of these in the admin meanwhile waits, then finds the
            # version bumped (see _updated) and is refused instead of reverting the import.
            .select_for_update(of=("self", "claim"))
            .order_by()
        }
        new_claims, new_verdicts, new_reviews = [], [], []
        changed_claims, changed_verdicts, appearance_pairs = [], [], []
        for review in reviews:
            verdict = existing.get(review.key)
            desk_claim = _desk_claim_id(review.url) if verdict is None else None
            if (
                verdict is None
                and desk_claim is not None
                and Verdict.objects.filter(
                    claim_id=desk_claim, claim__text=review.claim_text, reviewed_by=None
                ).exists()
            ):
                # The desk's own review, exported and imported back: the desk's record stands,
                # whatever has happened to it since (corrected, retracted).
                self.summary.count("reviews", "unchanged")
                continue
            rating, mapped = self.mapper.map(
                review.rating_label, review.rating_value, review.best_rating, review.worst_rating
            )
            if not mapped:
                self.summary.unmapped_labels[review.rating_label or f"ratingValue {review.rating_value}"] += 1
            # Undated reviews: when the feed says it first listed them, else now.
            published = review.date_modified or review.date_published or review.date_created or self.now
            first = review.date_published or published
            verdict_fields = {
                "rating": rating,
                "headline": review.headline,
                "explanation": review.explanation,
                "reviewed_by": self.publishers[_publisher_key(review.reviewer[0])] if review.reviewer else None,
                "review_rating_label": review.rating_label,
                "review_rating_value": review.rating_value,
                "review_best_rating": review.best_rating,
                "review_worst_rating": review.worst_rating,
                "published_at": max(published, first),
                "first_published_at": min(published, first),
                "date_published_known": review.date_published is not None,
            }
            claim_fields = {
                "speaker": speakers[review.speaker.key] if review.speaker else None,
                "made_on": review.claim_date,
                "language": review.language,
            }
            works = [sources[work.key] for work in review.appearances]
            if verdict is None:
                claim = _new(Claim, text=review.claim_text, **_ids(claim_fields))
                new_claims.append(claim)
                new_verdicts.append(
                    (
                        claim,
                        _new(Verdict, status=VerdictStatus.PUBLISHED, review_url=review.url, **_ids(verdict_fields)),
                    )
                )
                new_reviews.append((claim, works))
                continue
            claim = verdict.claim
            if _differs(claim, claim_fields):
                _assign(claim, claim_fields)
                changed_claims.append(claim)
            else:
                self.summary.count("claims", "unchanged")
            if (
                not verdict.review_rating_label
                and rating.pk == verdict.rating_id
                and review.rating_label == rating.label
            ):
                # The desk's export names a bare ratingValue with the desk's own label; that
                # label adds nothing to the review as its author gave it.
                verdict_fields["review_rating_label"] = ""
            keep_time = review.date_published is None and not verdict.date_published_known
            if _differs(verdict, verdict_fields, ignore_time=keep_time):
                _assign(verdict, verdict_fields, keep_time=keep_time)
                changed_verdicts.append(verdict)
            else:
                self.summary.count("reviews", "unchanged")
            appearance_pairs.extend((claim, source) for source in works)

        self._created(Claim, new_claims, "claims")
        self.new_claim_ids = {claim.pk for claim in new_claims}
        for claim, verdict in new_verdicts:
            verdict.claim_id = claim.pk
        self._created(Verdict, [verdict for _, verdict in new_verdicts], "reviews")
        for claim, works in new_reviews:
            appearance_pairs.extend((claim, source) for source in works)
        self._updated(Claim, changed_claims, ["speaker", "made_on", "language", "updated_at"], "claims")
        self._updated(Verdict, changed_verdicts, [*VERDICT_FIELDS, "updated_at"], "reviews")
        self._appearances(appearance_pairs)

    def _appearances(self, pairs) -> None:
        pairs = list(dict.fromkeys((claim.pk, source.pk) for claim, source in pairs))
        if not pairs:
            return
        # Only claims that existed before this import can already have these appearances.
        claim_ids = {claim_id for claim_id, _ in pairs} - self.new_claim_ids
        have = set()
        if claim_ids:
            have = set(Appearance.objects.filter(claim_id__in=claim_ids, quote="").values_list("claim_id", "source_id"))
        new = [_new(Appearance, claim_id=c, source_id=s) for c, s in pairs if (c, s) not in have]
        self.summary.count("appearances", "unchanged", len(pairs) - len(new))
        self._created(Appearance, new, "appearances")
        # New appearances change what the public sees of an existing claim (see claims.signals).
        touched = {appearance.claim_id for appearance in new} - self.new_claim_ids
        if touched:
            public_record_changed(touched, at=self.now)


def _copy_with_history(model, objects: list, *, now: datetime, user, reason: str) -> None:
    """Insert ``objects`` and their history rows ("+", who, why) with COPY (PostgreSQL).

    What bulk_create and simple-history's bulk_create_with_history do, at a fraction of
    the cost: ids are reserved from the table's sequence first, and rows are streamed
    with the values as they are (psycopg adapts dates, decimals and text itself), so a
    large import spends its time in the database rather than preparing values.
    """
    fields = model._meta.concrete_fields
    for attname in [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]:
        for obj in objects:
            obj.__dict__[attname] = now
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
    values = itemgetter(*(f.attname for f in fields))
    rows = [values(obj.__dict__) for obj in objects]
    _copy(model._meta.db_table, fields, rows)

    # The history row is the same values plus who, when and why, in columns named to match.
    history = model.history.model
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    history_fields = [history._meta.get_field(f.attname) for f in fields] + [
        history._meta.get_field(name) for name in extra
    ]
    extra_values = tuple(extra.values())
    _copy(history._meta.db_table, history_fields, [row + extra_values for row in rows])


PG_BINARY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "text": "text",
    "varchar": "varchar",
    "numeric": "numeric",
}


def _binary_type(field) -> str:
    db_type = field.target_field.db_type(connection) if field.is_relation else field.db_type(connection)
    return PG_BINARY_TYPES[db_type.split("(")[0].strip()]


def _copy(table: str, fields: list, rows: list[list]) -> None:
    """COPY in binary: the server reads values as they are instead of parsing text."""
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    types = [_binary_type(field) for field in fields]
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _ids(values: dict) -> dict:
    """Field values with related objects turned into ids (``speaker`` → ``speaker_id``)."""
    return {
        (f"{name}_id" if hasattr(value, "_meta") or name in RELATIONS else name): (
            value.pk if hasattr(value, "_meta") else value
        )
        for name, value in values.items()
    }


RELATIONS = {"speaker", "rating", "reviewed_by"}

VERDICT_FIELDS = [
    "rating",
    "headline",
    "explanation",
    "reviewed_by",
    "review_rating_label",
    "review_rating_value",
    "review_best_rating",
    "review_worst_rating",
    "published_at",
    "first_published_at",
    "date_published_known",
]


def _differs(instance, values: dict, *, ignore_time: bool = False) -> bool:
    for name, value in values.items():
        if ignore_time and name in ("published_at", "first_published_at"):
            continue  # a review without a date keeps the time it was first imported
        field = instance._meta.get_field(name)
        if field.is_relation:
            # Compare ids: reading the related object would cost a query per review.
            if getattr(instance, field.attname) != (value.pk if value is not None else None):
                return True
            continue
        current = getattr(instance, name)
        if isinstance(current, Decimal) or isinstance(value, Decimal):
            if (current is None) != (value is None) or (current is not None and Decimal(current) != Decimal(value)):
                return True
        elif current != value:
            return True
    return False


def _assign(instance, values: dict, *, keep_time: bool = False) -> None:
    for name, value in values.items():
        if keep_time and name in ("published_at", "first_published_at"):
            continue
        setattr(instance, name, value)
    instance.updated_at = timezone.now()


# Uploads waiting for confirmation ------------------------------------------------------

PENDING = "claimreview-imports"
PENDING_MAX_AGE = timedelta(days=1)


def stash(inputs: list[Input]) -> str:
    """Keep uploaded files until the reviewer confirms the dry run; returns their token."""
    discard_stale()
    token = secrets.token_urlsafe(18)
    for number, item in enumerate(inputs):
        # The stored name carries the order; the original name is kept for messages.
        default_storage.save(
            f"{PENDING}/{token}/{number:04d}-{get_valid_filename(Path(item.name).name)}", ContentFile(item.content)
        )
    return token


def unstash(token: str) -> list[Input]:
    """The files kept under ``token``, in upload order; FileNotFoundError if gone."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{24}", token or ""):
        raise FileNotFoundError("unknown upload")
    try:
        _, names = default_storage.listdir(f"{PENDING}/{token}")
    except FileNotFoundError:
        names = []
    if not names:
        raise FileNotFoundError("unknown upload")
    inputs = []
    for name in sorted(names):
        with default_storage.open(f"{PENDING}/{token}/{name}", "rb") as handle:
            inputs.append(Input(name.split("-", 1)[1], handle.read()))
    return inputs


def discard(token: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{24}", token or ""):
        return
    try:
        _, names = default_storage.listdir(f"{PENDING}/{token}")
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{PENDING}/{token}/{name}")
    # FileSystemStorage leaves the empty folder; remove it when the storage is local.
    with suppress(NotImplementedError, OSError):
        Path(default_storage.path(f"{PENDING}/{token}")).rmdir()


def discard_stale() -> None:
    """Remove uploads nobody confirmed within PENDING_MAX_AGE."""
    try:
        tokens, _ = default_storage.listdir(PENDING)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_MAX_AGE
    for token in tokens:
        try:
            _, names = default_storage.listdir(f"{PENDING}/{token}")
            stale = not names or default_storage.get_modified_time(f"{PENDING}/{token}/{names[0]}") < cutoff
        except (FileNotFoundError, NotImplementedError):
            continue
        if stale:
            discard(token)


# The import ----------------------------------------------------------------------------


def import_claimreview(
    inputs: list[Input],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    publisher_name: str = "",
    aliases: dict[str, str] | None = None,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Read, check and write ``inputs``; see the module docstring. Raises ImportRefused."""
    started = time.monotonic()
    summary = ImportSummary(dry_run=dry_run)
    reviews: dict[tuple, Review] = {}
    for where, record in read_inputs(inputs):
        summary.records += 1
        if isinstance(record, RecordError):
            summary.errors.append((where, str(record)))
            continue
        try:
            review = normalise(record, where, publisher_name=publisher_name)
        except RecordError as error:
            summary.errors.append((where, str(error)))
            continue
        if review.key in reviews:
            summary.duplicates_merged += 1
        reviews[review.key] = review  # a later record of the same review wins
        if progress:
            progress(1)
    if summary.errors and not skip_invalid:
        summary.seconds = time.monotonic() - started
        raise ImportRefused(summary)
    summary.count("reviews", "skipped", len(summary.errors))

    mapper = RatingMapper.from_settings(extra=aliases)
    names = ", ".join(item.name for item in inputs[:3]) + (" …" if len(inputs) > 3 else "")
    writer = _Writer(summary, mapper, reason=f"Imported from {names}"[:100], actor=actor)
    batch = list(reviews.values())
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
        for start in range(0, len(batch), BATCH):
            writer.write(batch[start : start + BATCH])
        summary.imported = len(batch)
        if dry_run:
            transaction.set_rollback(True)
    summary.seconds = time.monotonic() - started
    return summary
