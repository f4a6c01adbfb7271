"""The shapes that pass between the normaliser and the writer.

A :class:`Review` is one ClaimReview as plain, checked values: the claim
(text, speaker as a :class:`Person`, date or its wording, where it was made,
appearances as :class:`Work`), the fact-checker credited and the review's byline,
the rating exactly as given, the dates (with the offset they were given in), and the
notes the import reports about it (values it could not keep, keys it did not know).
:class:`Options` are what the person importing says about the data.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


def publisher_key(name: str) -> str:
    """Publishers are one per name whatever the case: the database's constraint is lower(name)."""
    return name.lower()


@dataclass(frozen=True, slots=True)
class Options:
    """What the person importing says about the data."""

    publisher_name: str = ""  # the fact-checker, for data that does not name one
    day_first: bool | None = None  # numeric dates: True day/month, False month/day, None only if certain
    language: str = ""  # the reviews' language, for data that does not say


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    kind: str
    role: str
    affiliation: str
    wikidata_id: str

    @property
    def key(self):
        return ("qid", self.wikidata_id) if self.wikidata_id else ("name", self.name.casefold(), self.kind)


@dataclass(slots=True)
class Review:
    where: str
    url: str
    claim_text: str
    language: str
    headline: str
    explanation: str
    date_published: datetime | None
    date_offset: int | None  # minutes east of UTC that datePublished was given in, with its time
    date_modified: datetime | None
    date_created: datetime | None  # the feed item's, for reviews that give no datePublished
    reviewer: tuple[str, str] | None  # (name, url as this review gives it); None for this desk
    byline: str  # the review's Person authors
    rating_label: str
    rating_value: Decimal | None
    best_rating: Decimal | None
    worst_rating: Decimal | None
    speaker: Person | None
    claim_date: date | None
    claim_date_text: str  # the claim's date as worded, when it is not a full date
    made_in: str
    appearances: list[Work]
    notes: list[str] = field(default_factory=list)  # what was not kept, for the report
    unknown_keys: list[str] = field(default_factory=list)  # keys the import does not read
    position: int = 0  # among the reviews of the same page (review URL), in the order given
    # Reviews given as reviews of one claim (a Google Fact Check Tools claim) share this.
    claim_group: str = ""

    @property
    def key(self):
        """Two records with this key are the same review (the later wins)."""
        return (self.url, self.claim_text)

    @property
    def group(self):
        """Reviews with the same group are written as one claim with several reviews."""
        return ("claim", self.claim_group) if self.claim_group else ("review", *self.key)


def as_values(review: Review) -> tuple:
    """``review`` as built-in values only (text, numbers, None, tuples and lists): what the
    import's spool (.run) pickles. Unpickling a dataclass, a datetime, a date or a Decimal
    looks its class up by name, which cost a review several times what its values do."""
    speaker = review.speaker
    return (
        review.where,
        review.url,
        review.claim_text,
        review.language,
        review.headline,
        review.explanation,
        review.date_published.isoformat() if review.date_published is not None else None,
        review.date_offset,
        review.date_modified.isoformat() if review.date_modified is not None else None,
        review.date_created.isoformat() if review.date_created is not None else None,
        review.reviewer,
        review.byline,
        review.rating_label,
        str(review.rating_value) if review.rating_value is not None else None,
        str(review.best_rating) if review.best_rating is not None else None,
        str(review.worst_rating) if review.worst_rating is not None else None,
        (speaker.name, speaker.kind, speaker.role, speaker.affiliation, speaker.wikidata_id) if speaker else None,
        review.claim_date.toordinal() if review.claim_date is not None else None,
        review.claim_date_text,
        review.made_in,
        [
            (
                work.url,
                work.title,
                work.published_on.toordinal() if work.published_on else None,
                work.publisher,
                work.kind,
            )
            for work in review.appearances
        ],
        review.notes,
        review.unknown_keys,
        review.position,
        review.claim_group,
    )


def from_values(values: tuple) -> Review:
    """The review :func:`as_values` gave these values for (an equal one: times keep their offsets)."""
    (where, url, claim_text, language, headline, explanation, published, offset, modified, created) = values[:10]
    (reviewer, byline, label, value, best, worst, speaker, claim_date, claim_date_text, made_in) = values[10:20]
    works, notes, unknown_keys, position, claim_group = values[20:]
    return Review(
        where,
        url,
        claim_text,
        language,
        headline,
        explanation,
        datetime.fromisoformat(published) if published is not None else None,
        offset,
        datetime.fromisoformat(modified) if modified is not None else None,
        datetime.fromisoformat(created) if created is not None else None,
        reviewer,
        byline,
        label,
        Decimal(value) if value is not None else None,
        Decimal(best) if best is not None else None,
        Decimal(worst) if worst is not None else None,
        Person(*speaker) if speaker is not None else None,
        date.fromordinal(claim_date) if claim_date is not None else None,
        claim_date_text,
        made_in,
        [Work(u, t, date.fromordinal(d) if d is not None else None, p, k) for u, t, d, p, k in works],
        notes,
        unknown_keys,
        position,
        claim_group,
    )
