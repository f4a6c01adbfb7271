"""The shapes that pass between the normaliser and the writer.

A :class:`Review` is one ClaimReview as plain, checked values: the claim
(text, speaker as a :class:`Person`, date or its wording, where it was made,
appearances as :class:`Work`), the fact-checker credited and the review's byline,
the rating exactly as given, the dates (with the offset they were given in), and the
notes the import reports about it (values it could not keep, keys it did not know).
:class:`Options` are what the person importing says about the data.
"""

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter


def publisher_key(name: str) -> str:
    """Publishers are one per name whatever the case: the database's constraint is lower(name)."""
    return name.lower()


def _pickled_as_values(cls):
    """Pickle instances as their values in field order: the import's spool (.run) writes and reads
    every review, and a slotted dataclass's own pickling looks its fields up for each object."""
    values = attrgetter(*(each.name for each in fields(cls)))

    def __reduce__(self):
        return (cls, values(self))

    cls.__reduce__ = __reduce__
    return cls


@dataclass(frozen=True, slots=True)
class Options:
    """What the person importing says about the data."""

    publisher_name: str = ""  # the fact-checker, for data that does not name one
    day_first: bool | None = None  # numeric dates: True day/month, False month/day, None only if certain
    language: str = ""  # the reviews' language, for data that does not say


@_pickled_as_values
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


@_pickled_as_values
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


@_pickled_as_values
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
