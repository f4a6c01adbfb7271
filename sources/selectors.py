"""Reads for sources and publishers."""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from claims.models import Appearance, Evidence, Verdict
from claims.selectors import PUBLIC_VERDICT_STATUSES, published_verdict_exists

from .models import Publisher, Source


def public_sources() -> QuerySet[Source]:
    """Sources the public may see: where a published claim appeared, or cited by a published verdict."""
    appears = Appearance.objects.filter(source=OuterRef("pk")).filter(published_verdict_exists("claim_id"))
    cited = Evidence.objects.filter(source=OuterRef("pk"), verdict__status__in=PUBLIC_VERDICT_STATUSES)
    return Source.objects.filter(Exists(appears) | Exists(cited))


def with_archive_flag(sources: QuerySet[Source]) -> QuerySet[Source]:
    """Say whether a source has archived text without loading the text."""
    has_archive = ExpressionWrapper(~Q(archived_text=""), output_field=BooleanField())
    return sources.defer("archived_text").annotate(has_archive=has_archive)


def public_publishers() -> QuerySet[Publisher]:
    """Publishers of public sources, and fact-checkers whose reviews were imported and published."""
    reviewed = Verdict.objects.filter(reviewed_by=OuterRef("pk"), status__in=PUBLIC_VERDICT_STATUSES)
    return Publisher.objects.filter(Exists(public_sources().filter(publisher=OuterRef("pk"))) | Exists(reviewed))
