"""Small template helpers for the desk: times to the minute, rating chips, what happened to a verdict."""

from datetime import datetime

from django import template
from django.utils import timezone

from ..admin.display import colour_chip
from ..choices import VerdictStatus

register = template.Library()


@register.filter
def desk_time(value: datetime | None) -> str:
    """A time in the desk's time zone, to the minute ("26 Nov 2026 14:05"); "—" when there is none."""
    if not value:
        return "—"
    return timezone.localtime(value).strftime("%-d %b %Y %H:%M")


@register.simple_tag
def rating_chip(rating):
    return colour_chip(rating.label if rating else None, rating.colour if rating else None)


@register.simple_tag
def decision(verdict) -> str:
    """Published, corrected (a published correction) or retracted."""
    if verdict.status == VerdictStatus.RETRACTED:
        return "retracted"
    return "corrected" if verdict.supersedes_id else "published"
