"""Behaviour shared by every API view: strict parameters and HTTP caching headers."""

from datetime import datetime

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError


def is_desk_member(user) -> bool:
    """Staff of the desk, who may ask the API for unpublished material."""
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm("claims.view_verdict"))


def latest_change(*objects) -> datetime | None:
    """The newest ``updated_at`` among the objects a response is made of (None are skipped)."""
    moments = [getattr(obj, "updated_at", None) for obj in objects if obj is not None]
    return max((moment for moment in moments if moment), default=None)


def with_last_modified(response, *objects):
    """Set Last-Modified from every object in a detail response.

    Only details carry it: a list changes when an item leaves it (a retraction), which the
    items that remain cannot date. Lists rely on their ETag.
    """
    latest = latest_change(*objects)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


class PublicAPIMixin:
    """Refuses parameters it does not know; cacheable when public."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = set(request.query_params) - self.allowed_parameters()
        if unknown:
            allowed = ", ".join(sorted(self.allowed_parameters())) or "none"
            raise ValidationError(
                {name: [f"Unknown parameter. This endpoint accepts: {allowed}."] for name in sorted(unknown)}
            )

    def allowed_parameters(self) -> set[str]:
        if self.action != "list":
            return set()
        names = set(self.filterset_class.base_filters) if getattr(self, "filterset_class", None) else set()
        if self.paginator is not None:
            names |= self.paginator.parameter_names
        return names

    def filter_queryset(self, queryset):
        # Filters describe lists; a detail is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                seconds = settings.FACTCHECK_API_CACHE_SECONDS
                patch_cache_control(response, public=True, max_age=seconds, stale_while_revalidate=seconds * 5)
            patch_vary_headers(response, ["Accept", "Authorization", "Cookie", "Origin"])
        return response


class PublicReadOnlyViewSet(PublicAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail; writes answer 405."""
