"""Atom and RSS feeds of published fact-checks, with Django's syndication framework.

Each fact-check is one entry whose id is the claim's public page: a correction updates
that entry (new headline or rating, "Corrected" in the title, the correction note), a
retraction updates it once more ("Retracted", with the retraction note). Feeds for all
fact-checks, and per speaker, topic and rating.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from claims.choices import VerdictStatus
from claims.models import Rating, Verdict
from claims.visibility import public_speakers, public_topics

from .selectors import FEED_LENGTH, feed_verdicts

# An empty feed's date: Django's default is "now", which would change the feed (and its
# ETag and Last-Modified) on every request although nothing in it changed.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def _claim_text(item: Verdict) -> str:
    """The claim's public wording, annotated by ``feed_verdicts()`` (claims.visibility.claim_wording)."""
    return item.public_claim_text  # type: ignore[attr-defined]  # a queryset annotation


def _rating_label(item: Verdict) -> str:
    # Feeds hold published and retracted verdicts: those always have a rating (a database constraint).
    assert item.rating is not None
    return item.rating.label


class StableDate(SyndicationFeed):
    def latest_post_date(self):
        return super().latest_post_date() if self.items else EMPTY_FEED_DATE


class RSSFeed(StableDate, Rss201rev2Feed):
    pass


class AtomFeed(StableDate, Atom1Feed):
    pass


class FactCheckFeed(Feed):
    """Every published fact-check, newest change first (RSS 2.0; AtomMixin makes it Atom)."""

    feed_type = RSSFeed
    kind = "all"

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj=None):
        return f"{settings.FACTCHECK_DESK_NAME}: fact-checks{self.subtitle_of(obj)}"

    def subtitle_of(self, obj) -> str:
        return ""

    def link(self, obj=None):
        return reverse("home")

    def description(self, obj=None):
        return f"Fact-checks published by {settings.FACTCHECK_DESK_NAME}, with corrections and retractions."

    subtitle = description

    format = "rss"

    def feed_url(self, obj=None):
        return reverse(f"feed-{self.kind}-{self.format}", kwargs=self.url_kwargs(obj))

    def url_kwargs(self, obj) -> dict:
        return {}

    def filter(self, verdicts, obj):
        return verdicts

    def items(self, obj=None):
        return list(self.filter(feed_verdicts(), obj)[:FEED_LENGTH])

    def item_title(self, item: Verdict) -> str:
        prefix = ""
        if item.status == VerdictStatus.RETRACTED:
            prefix = "Retracted: "
        elif item.supersedes_id:
            prefix = "Corrected: "
        return f"{prefix}{_rating_label(item)}: {item.headline or _claim_text(item)}"

    def item_description(self, item: Verdict) -> str:
        parts = [f"Claim: {_claim_text(item)}", f"Rating: {_rating_label(item)}"]
        if item.public_note:
            label = "Retraction" if item.status == VerdictStatus.RETRACTED else "Correction"
            parts.append(f"{label}: {item.public_note}")
        if item.status != VerdictStatus.RETRACTED:
            parts.append(item.explanation)
        return "\n\n".join(part for part in parts if part)

    def item_link(self, item: Verdict) -> str:
        # Also the entry's id (Django makes it absolute): one entry per fact-check, which
        # corrections and retractions update.
        return reverse("fact-check", args=[item.claim_id])

    def item_pubdate(self, item: Verdict):
        return item.first_published_at or item.published_at

    def item_updateddate(self, item: Verdict):
        return item.retracted_at or item.published_at

    def item_author_name(self, item: Verdict) -> str:
        return settings.FACTCHECK_DESK_NAME

    def item_categories(self, item: Verdict) -> list[str]:
        return [_rating_label(item)]


class SpeakerMixin:
    kind = "speaker"

    def get_object(self, request, speaker_id: int):
        return get_object_or_404(public_speakers(), pk=speaker_id)

    def subtitle_of(self, obj) -> str:
        return f" by {obj.name}"

    def url_kwargs(self, obj) -> dict:
        return {"speaker_id": obj.pk}

    def filter(self, verdicts, obj):
        return verdicts.filter(claim__speaker=obj)


class TopicMixin:
    kind = "topic"

    def get_object(self, request, slug: str):
        return get_object_or_404(public_topics(), slug=slug)

    def subtitle_of(self, obj) -> str:
        return f" on {obj.name}"

    def url_kwargs(self, obj) -> dict:
        return {"slug": obj.slug}

    def filter(self, verdicts, obj):
        return verdicts.filter(claim__topics=obj)


class RatingMixin:
    kind = "rating"

    def get_object(self, request, slug: str):
        return get_object_or_404(Rating, slug=slug)

    def subtitle_of(self, obj) -> str:
        return f" rated {obj.label}"

    def url_kwargs(self, obj) -> dict:
        return {"slug": obj.slug}

    def filter(self, verdicts, obj):
        return verdicts.filter(rating=obj)


class AtomMixin:
    feed_type = AtomFeed
    format = "atom"


def _feeds(mixin=None) -> dict[str, type[Feed]]:
    bases = (mixin,) if mixin else ()
    name = mixin.__name__.removesuffix("Mixin") if mixin else ""
    return {
        "rss": type(f"{name}RSSFeed", (*bases, FactCheckFeed), {}),
        "atom": type(f"{name}AtomFeed", (*bases, AtomMixin, FactCheckFeed), {}),
    }


# {kind: {format: feed class}}: every feed the site serves.
FEEDS = {
    "all": _feeds(),
    "speaker": _feeds(SpeakerMixin),
    "topic": _feeds(TopicMixin),
    "rating": _feeds(RatingMixin),
}
