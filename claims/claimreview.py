"""schema.org ClaimReview: what search engines and fact-check aggregators read.

Fields follow what Google's Fact Check Tools use: url, claimReviewed, author,
datePublished, itemReviewed (a Claim with author, datePublished, appearance,
firstAppearance; where the claim was made as its ``name`` and a date known only as
words as its ``temporalCoverage``) and reviewRating (alternateName, ratingValue, bestRating,
worstRating). The desk's name and address come from settings.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import orjson
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from factcheck.api.fields import iso_datetime

from .choices import SpeakerKind, VerdictStatus
from .models import Appearance, Rating, Verdict
from .selectors import rating_scale_bounds

SCHEMA_CONTEXT = "https://schema.org"


def desk() -> dict:
    return {"@type": "Organization", "name": settings.FACTCHECK_DESK_NAME, "url": settings.FACTCHECK_DESK_URL}


def review_url(verdict: Verdict) -> str:
    """Where the review is published: its own address if imported, else the desk's page for the claim."""
    if verdict.review_url:
        return verdict.review_url
    return settings.FACTCHECK_DESK_URL.rstrip("/") + reverse("fact-check", args=[verdict.claim_id])


def review_author(verdict: Verdict) -> dict | list[dict]:
    """The fact-checker: the one an imported review came from (with its byline), else this desk.

    An imported review keeps the fact-checker's address as the review gave it, and the
    people who wrote it follow the organisation as Person authors.
    """
    checker = verdict.reviewed_by
    if checker is None:
        return desk()
    author = {"@type": "Organization", "name": checker.name}
    if verdict.review_author_url:
        author["url"] = verdict.review_author_url
    if not verdict.review_byline:
        return author
    return [author, *({"@type": "Person", "name": name} for name in verdict.review_byline.split(", "))]


def _date_published(verdict: Verdict, first_published: datetime | None) -> str | None:
    """The date, or for a review that gave its time and zone, the time in that zone."""
    if first_published is None:
        return None
    if verdict.review_date_offset is None:
        return first_published.date().isoformat()
    zone = timezone(timedelta(minutes=verdict.review_date_offset))
    return first_published.astimezone(zone).isoformat()


# The rows a ClaimReview is made of, from its verdict: what is loaded with it and what
# dates it (Last-Modified). ``claim_review`` below reads nothing else.
REVIEW_ROWS = ("rating", "reviewed_by", "claim", "claim__speaker")
REVIEW_APPEARANCES = "claim__appearances"
APPEARANCE_ROWS = ("source", "source__publisher")


def verdicts_for_reviews(verdicts: QuerySet[Verdict]) -> QuerySet[Verdict]:
    """The joins and prefetches ClaimReview output needs: a constant number of queries for any count."""
    # A source's archived text can be a whole article; a ClaimReview never shows it.
    appearances = (
        Appearance.objects.select_related(*APPEARANCE_ROWS)
        .defer("source__archived_text")
        .order_by("source__published_on", "id")
    )
    return verdicts.select_related(*REVIEW_ROWS).prefetch_related(Prefetch(REVIEW_APPEARANCES, queryset=appearances))


def _follow(obj, path: str):
    for name in path.split("__"):
        obj = getattr(obj, name) if obj is not None else None
    return obj


def review_rows(verdict: Verdict) -> list:
    """Every row a ClaimReview is built from, for its Last-Modified."""
    appearances = list(_follow(verdict, REVIEW_APPEARANCES).all())
    return [
        verdict,
        *(_follow(verdict, path) for path in REVIEW_ROWS),
        *appearances,
        *(_follow(appearance, path) for appearance in appearances for path in APPEARANCE_ROWS),
    ]


def _person_or_organisation(speaker) -> dict:
    is_person = speaker.kind == SpeakerKind.PERSON
    author = {"@type": "Person" if is_person else "Organization", "name": speaker.name}
    if speaker.role and is_person:
        author["jobTitle"] = speaker.role
    if speaker.affiliation:
        author["affiliation"] = {"@type": "Organization", "name": speaker.affiliation}
    if speaker.wikidata_id:
        author["sameAs"] = f"https://www.wikidata.org/wiki/{speaker.wikidata_id}"
    return author


def _creative_work(appearance: Appearance) -> dict:
    source = appearance.source
    work: dict = {"@type": "CreativeWork"}
    if source.url:
        work["url"] = source.url
    work["headline"] = source.title
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    publisher = source.publisher
    if publisher is not None:
        work["publisher"] = {"@type": "Organization", "name": publisher.name}
        if publisher.url:
            work["publisher"]["url"] = publisher.url
    return work


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _rating(verdict: Verdict) -> Rating:
    rating = verdict.rating
    # Reviews are of published verdicts, which the database requires to have a rating.
    assert rating is not None
    return rating


def _review_rating(verdict: Verdict, bounds: tuple[int | None, int | None]) -> dict:
    if verdict.review_rating_label or verdict.review_rating_value is not None:
        # An imported review: its rating exactly as its author gave it.
        review_rating: dict[str, object] = {
            "@type": "Rating",
            "alternateName": verdict.review_rating_label or _rating(verdict).label,
        }
        for key, value in (
            ("ratingValue", verdict.review_rating_value),
            ("bestRating", verdict.review_best_rating),
            ("worstRating", verdict.review_worst_rating),
        ):
            if value is not None:
                review_rating[key] = _number(value)
        return review_rating
    rating = _rating(verdict)
    review_rating = {"@type": "Rating", "alternateName": rating.label}
    worst, best = bounds
    # Off-axis ratings ("Disputed", "Opinion") have no place on the numeric scale.
    if rating.value is not None and worst is not None and best is not None:
        review_rating.update(ratingValue=rating.value, bestRating=best, worstRating=worst)
    return review_rating


def claim_review(
    verdict: Verdict, *, bounds: tuple[int | None, int | None] | None = None, context: bool = True
) -> dict:
    """One published verdict as a ClaimReview object."""
    if verdict.status != VerdictStatus.PUBLISHED:
        raise ValueError("Only a published verdict is a ClaimReview.")
    claim = verdict.claim
    appearances = list(claim.appearances.all())
    item: dict = {"@type": "Claim"}
    if claim.speaker_id:
        item["author"] = _person_or_organisation(claim.speaker)
    if claim.made_in:
        # Where the claim was made ("Russian state TV"): a Claim's name, as importers read it.
        item["name"] = claim.made_in
    if claim.made_on:
        item["datePublished"] = claim.made_on.isoformat()
    if claim.made_on_text:
        # A date as the source words it ("August 5", "2021") is no ISO date: datePublished
        # cannot hold it; temporalCoverage (a CreativeWork's free-text time) can.
        item["temporalCoverage"] = claim.made_on_text
    if appearances:
        item["appearance"] = [_creative_work(appearance) for appearance in appearances]
        dated = [a for a in appearances if a.source.published_on]
        if dated:
            item["firstAppearance"] = _creative_work(min(dated, key=lambda a: (a.source.published_on, a.pk)))

    review: dict = {"@context": SCHEMA_CONTEXT} if context else {}
    review.update(
        {
            "@type": "ClaimReview",
            "url": review_url(verdict),
            "claimReviewed": claim.text,
            "author": review_author(verdict),
        }
    )
    first_published = verdict.first_published_at or verdict.published_at
    if verdict.date_published_known:
        review["datePublished"] = _date_published(verdict, first_published)
    if verdict.published_at != first_published:  # a correction, or an update from the reviewer
        review["dateModified"] = iso_datetime(verdict.published_at)
    review["reviewRating"] = _review_rating(verdict, bounds or rating_scale_bounds())
    review["itemReviewed"] = item
    if verdict.headline:
        review["headline"] = verdict.headline
    if verdict.explanation:
        review["reviewBody"] = verdict.explanation
    review["inLanguage"] = claim.language
    return review


def data_feed_element(verdict: Verdict, *, bounds: tuple[int | None, int | None]) -> dict:
    return {
        "@type": "DataFeedItem",
        "dateCreated": iso_datetime(verdict.first_published_at or verdict.published_at),
        "item": [claim_review(verdict, bounds=bounds, context=False)],
    }


def data_feed(verdicts: Iterable[Verdict], *, date_modified: datetime | None = None) -> dict:
    """A schema.org DataFeed of ClaimReviews, the format fact-check aggregators ingest."""
    bounds = rating_scale_bounds()
    elements = [data_feed_element(verdict, bounds=bounds) for verdict in verdicts]
    feed: dict = {"@context": SCHEMA_CONTEXT, "@type": "DataFeed", "dataFeedElement": elements}
    if date_modified:
        feed["dateModified"] = iso_datetime(date_modified)
    return feed


def write_data_feed(out, verdicts: Iterable[Verdict], *, date_modified: datetime | None = None) -> int:
    """Write a DataFeed to the binary stream ``out`` one review at a time; returns how many."""
    bounds = rating_scale_bounds()
    header: dict = {"@context": SCHEMA_CONTEXT, "@type": "DataFeed"}
    if date_modified:
        header["dateModified"] = iso_datetime(date_modified)
    out.write(orjson.dumps(header)[:-1] + b',"dataFeedElement":[')
    count = 0
    for verdict in verdicts:
        out.write((b",\n" if count else b"\n") + orjson.dumps(data_feed_element(verdict, bounds=bounds)))
        count += 1
    out.write(b"\n]}\n")
    return count
