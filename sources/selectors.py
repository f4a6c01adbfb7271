"""Reads for sources and publishers (which of them the public may see: claims.visibility)."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from .models import Source


def with_archive_flag(sources: QuerySet[Source]) -> QuerySet[Source]:
    """Say whether a source has archived text without loading the text."""
    has_archive = ExpressionWrapper(~Q(archived_text=""), output_field=BooleanField())
    return sources.defer("archived_text").annotate(has_archive=has_archive)
