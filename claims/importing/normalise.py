"""Normalising: one raw ClaimReview into plain, checked values (:class:`Review`).

Tolerates what real data does (appearances as URLs or CreativeWorks, authors as Person
or Organization, HTML entities and stray markup) and refuses, with a
:class:`~claims.importing.summary.RecordError`, what it cannot honour. The result names
the claim, its speaker (:class:`Person`) and appearances (:class:`Work`), the
fact-checker and the review's own rating, ready for the writer.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from claims.choices import SpeakerKind
from sources.choices import SourceKind

from .readers import FEED_DATE_CREATED, types
from .summary import RecordError
from .values import LIMITS, clean_text, parse_day, parse_moment, parse_number, parse_url

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


def publisher_key(name: str) -> str:
    """Publishers are one per name whatever the case: the database's constraint is lower(name)."""
    return name.lower()


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
            else ("title", self.title.casefold(), publisher_key(self.publisher), self.published_on)
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
    kind = SpeakerKind.ORGANISATION if types(value) & ORGANISATION_TYPES else SpeakerKind.PERSON
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
        url = parse_url(item.get("url") or item.get("@id"), f"{what}.url")
        title = clean_text(
            item.get("headline") or item.get("name"), f"{what}.headline", limit=LIMITS["appearance headline"]
        )
        publisher = item.get("publisher") or item.get("author") or ""
        if isinstance(publisher, list):
            publisher = publisher[0] if publisher else ""
        publisher_name = clean_text(publisher, f"{what}.publisher.name", limit=LIMITS["publisher name"])
        if not url and not title:
            continue
        kind = next((WORK_KINDS[k] for k in types(item) if k in WORK_KINDS), SourceKind.OTHER).value
        works.append(
            Work(
                url=url,
                title=title or url[: LIMITS["appearance headline"]],
                published_on=parse_day(item.get("datePublished"), f"{what}.datePublished"),
                publisher=publisher_name,
                kind=kind,
            )
        )
    return works


def _feed_created(raw: dict) -> datetime | None:
    if not raw.get(FEED_DATE_CREATED):
        return None
    try:
        return parse_moment(raw[FEED_DATE_CREATED], "dataFeedElement.dateCreated")
    except RecordError:
        return None


def _published(raw: dict, created: datetime | None) -> datetime | None:
    """datePublished, to the second when the feed item's dateCreated falls on the same day."""
    published = parse_moment(raw.get("datePublished"), "datePublished")
    if published is not None and created is not None and created.date() == published.date():
        return created
    return published


def _is_desk(name: str, url: str) -> bool:
    desk_url = settings.FACTCHECK_DESK_URL.rstrip("/").casefold()
    return (
        bool(url and url.rstrip("/").casefold() == desk_url)
        or name.casefold() == settings.FACTCHECK_DESK_NAME.casefold()
    )


def _thing(value, text_key: str, refusal: str) -> dict:
    """A schema.org object given as an object, a list (its first) or text (``{text_key: text}``)."""
    if not value:
        return {}
    if isinstance(value, list):
        value = value[0]
    if isinstance(value, str):
        value = {text_key: value}
    if not isinstance(value, dict):
        raise RecordError(refusal)
    return value


def normalise(raw: dict, where: str, *, publisher_name: str = "") -> Review:
    """One raw ClaimReview as plain, checked values; RecordError says what is wrong."""
    url = parse_url(raw.get("url"), "url")
    if not url:
        raise RecordError("url is missing: a review is identified by its URL and the claim it reviews")
    claim_text = clean_text(raw.get("claimReviewed"), "claimReviewed", limit=LIMITS["claimReviewed"])
    if not claim_text:
        raise RecordError("claimReviewed is missing: the claim the review checks is required")
    rating = _thing(raw.get("reviewRating"), "alternateName", "reviewRating is not a Rating")
    label = clean_text(
        rating.get("alternateName") or rating.get("name"), "reviewRating.alternateName", limit=LIMITS["alternateName"]
    )
    value = parse_number(rating.get("ratingValue"), "reviewRating.ratingValue")
    best = parse_number(rating.get("bestRating"), "reviewRating.bestRating")
    worst = parse_number(rating.get("worstRating"), "reviewRating.worstRating")
    if not label and value is None:
        raise RecordError("reviewRating has neither alternateName nor ratingValue")
    author = _thing(raw.get("author"), "name", "author is neither a name nor an Organization or Person")
    reviewer_name = clean_text(author.get("name"), "author.name", limit=LIMITS["author name"]) or publisher_name
    reviewer_url = parse_url(author.get("url"), "author.url", limit=LIMITS["publisher url"])
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
        date_modified=parse_moment(raw.get("dateModified"), "dateModified"),
        date_created=created,
        reviewer=None if _is_desk(reviewer_name, reviewer_url) else (reviewer_name, reviewer_url),
        rating_label=label,
        rating_value=value,
        best_rating=best,
        worst_rating=worst,
        speaker=_person(item.get("author"), where),
        claim_date=parse_day(item.get("datePublished"), "itemReviewed.datePublished"),
        appearances=appearances,
    )
