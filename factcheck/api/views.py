"""Behaviour shared by every API view: strict parameters and HTTP caching headers."""

from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django_filters import utils
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .renderers import JSONRenderer


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


@lru_cache(maxsize=256)
def only_filters(filterset_class, names: frozenset[str]):
    """``filterset_class`` reduced to the filters a request names.

    A filterset copies every filter and builds a form class each time it is used; with
    sixteen filters that costs more than the query it adds to. The reduced class keeps
    the same filters, methods and validation for the parameters given.
    """
    reduced = type(filterset_class.__name__, (filterset_class,), {})
    reduced.base_filters = {name: filterset_class.base_filters[name] for name in names}
    return reduced


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
        names = set()
        if len(self.renderer_classes) > 1:
            # ?format=json asks for application/json where application/ld+json is the default.
            names.add(api_settings.URL_FORMAT_OVERRIDE)
        if self.action != "list":
            return names
        if getattr(self, "filterset_class", None):
            names |= set(self.filterset_class.base_filters)
        if self.paginator is not None:
            names |= self.paginator.parameter_names
        return names

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # Errors are plain JSON, whatever format the endpoint serves when it succeeds.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def filter_queryset(self, queryset):
        # Filters describe lists; a detail is found by its id alone.
        filterset_class = getattr(self, "filterset_class", None)
        if self.action != "list" or filterset_class is None:
            return queryset
        present = frozenset(self.request.query_params) & frozenset(filterset_class.base_filters)
        if not present:
            return queryset
        filterset = only_filters(filterset_class, present)(
            self.request.query_params, queryset=queryset, request=self.request
        )
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        return filterset.qs

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
    """Read-only list and detail; writes answer 405. Details carry Last-Modified."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return with_last_modified(Response(self.get_serializer(instance).data), instance)
