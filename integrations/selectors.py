"""Reads for the integrations: which fact-checks feeds, sitemaps and embeds may show."""

from django.db.models import Exists, OuterRef, QuerySet

from claims.choices import VerdictStatus
from claims.models import Verdict
from claims.visibility import claim_wording

FEED_LENGTH = 50


def feed_verdicts() -> QuerySet[Verdict]:
    """One entry per fact-check: its standing verdict, or its retraction.

    A correction replaces the entry of the verdict it supersedes (same claim, so the same
    entry id, with a newer ``updated``). A retraction stays in the feed as the claim's
    entry until a new verdict is published for the claim. Newest change first: a verdict's
    ``updated_at`` is its publication or its retraction (published verdicts are never
    edited in place).
    """
    republished = Verdict.objects.filter(claim=OuterRef("claim_id"), status=VerdictStatus.PUBLISHED)
    return (
        Verdict.objects.filter(status__in=[VerdictStatus.PUBLISHED, VerdictStatus.RETRACTED])
        .annotate(republished=Exists(republished))
        .exclude(status=VerdictStatus.RETRACTED, republished=True)
        # A withdrawn claim reads as it stood when it was retracted, never as edited since.
        .annotate(public_claim_text=claim_wording("claim"))
        # The entry shows the claim, its speaker and the rating.
        .select_related("claim__speaker", "rating")
        .order_by("-updated_at", "-id")
    )


def embeddable_verdict(claim_id: int) -> Verdict | None:
    """The published verdict of a claim, for its embed card; None when there is none."""
    return (
        Verdict.objects.filter(claim_id=claim_id, status=VerdictStatus.PUBLISHED)
        .select_related("claim__speaker", "rating")
        .first()
    )
