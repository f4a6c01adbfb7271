"""Reads: every query the admin, the API and the commands share lives here."""

from django.db.models import Max, Min

from .models import Rating


def rating_scale_bounds() -> tuple[int | None, int | None]:
    """(worst, best) values of the true-to-false axis, for schema.org worstRating/bestRating."""
    bounds = Rating.objects.filter(value__isnull=False).aggregate(worst=Min("value"), best=Max("value"))
    return bounds["worst"], bounds["best"]
