"""Behaviour shared by every API view: strict parameters and HTTP caching headers."""

from datetime import datetime
from functools import lru_cache
from urllib.parse import unquote_plus

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.utils.http import http_date
from django.views import defaults
from django_filters import utils
from django_filters.filters import CharFilter
from django_filters.filterset import FilterSet
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from claims.visibility import is_desk_member
from factcheck.logs import refused

from . import credentials, revalidation
from .pagination import KeysetPagination
from .renderers import JSONRenderer
from .schema import PublicAPISchema
from .shapes import represent

# The longest query string the API reads, in characters once decoded: above the longest
# request the documented parameter limits allow (tests/api/test_limits.py checks it against
# the schema), so it never refuses a valid request, and it refuses anything larger before
# the query string is parsed.
MAX_QUERY_LENGTH = 6000


def page_not_found(request, exception):
    """The site's 404 handler: JSON under /api/, where every error is JSON; Django's page elsewhere.

    DRF answers the 404s of the API's own views; this covers paths that name no endpoint
    at all (``/api/v1/claims/1/extra/``, an id with a slash in it).
    """
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found: no such endpoint (/api/schema/ lists them)."}, status=404)
    return defaults.page_not_found(request, exception)


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
def only_filters(filterset_class: type[FilterSet], names: frozenset[str]) -> type[FilterSet]:
    """``filterset_class`` reduced to the filters a request names.

    A filterset copies every filter and builds a form class each time it is used; with
    sixteen filters that costs more than the query it adds to. The reduced class keeps
    the same filters, methods and validation for the parameters given.
    """
    reduced: type[FilterSet] = type(filterset_class.__name__, (filterset_class,), {})
    reduced.base_filters = {name: filterset_class.base_filters[name] for name in names}
    return reduced


def check_query_length(request) -> None:
    """400 for a query string longer than MAX_QUERY_LENGTH characters (decoded)."""
    raw = request.META.get("QUERY_STRING", "")
    # Decoding never lengthens the text, so a short raw query string needs no decoding to pass.
    if len(raw) <= MAX_QUERY_LENGTH:
        return
    length = len(unquote_plus(raw, errors="replace"))
    if length > MAX_QUERY_LENGTH:
        refused(getattr(request, "_request", request), "query string too long", length=length)
        raise ValidationError(
            f"The query string is {length:,} characters long; the API reads at most {MAX_QUERY_LENGTH:,}."
        )


class NotModified(Exception):
    """The caller's copy is current: answer 304 without building the response."""


class PublicAPIMixin(viewsets.GenericViewSet):
    """Refuses parameters it does not know and query strings too long; cacheable when public.

    An endpoint whose public responses are made of the public record alone sets
    ``revalidated_by_version``: its ETags then come from the public record's version and
    the request (factcheck.api.revalidation), and a matching conditional GET is answered
    304 before the response is built.
    """

    schema = PublicAPISchema()
    # django-filter's attribute, which DRF's stubs do not declare; None where nothing filters.
    filterset_class: type[FilterSet] | None
    revalidated_by_version = False
    # The ETag of this request's public response, once the version it is made from is known.
    public_etag: str | None = None
    # A list, for checks the filters may leave to the page's own statement (a filterset's
    # ``deferred_checks``); None: filters check their values at once.
    deferred_checks: list | None = None

    @property
    def paginator(self) -> KeysetPagination | None:
        """The public API pages by keyset (KeysetPagination) or not at all."""
        paginator = super().paginator
        assert paginator is None or isinstance(paginator, KeysetPagination)
        return paginator

    def initial(self, request, *args, **kwargs):
        # Before anything reads the parameters: content negotiation reads ``format``.
        check_query_length(request)
        # A method the endpoint does not answer is a 405, whatever its parameters.
        if getattr(self, request.method.lower(), None) is not None:
            self.check_parameters(request)
        super().initial(request, *args, **kwargs)
        # After negotiation (the media type is part of the ETag), authentication and throttling.
        if self.versioned(request) and (
            request.META.get("HTTP_IF_NONE_MATCH") or not self.reads_version_with_response(request)
        ):
            self.public_etag = revalidation.etag(revalidation.read_version(), request)
            if revalidation.matches(request, self.public_etag):
                raise NotModified

    def perform_authentication(self, request):
        # Most public requests carry no credentials: asking each authenticator to find none
        # (and the session to load none) cost more than any other check of a list request.
        if not credentials.sent(request):
            request.user = AnonymousUser()
            request.auth = None
            return
        super().perform_authentication(request)

    def versioned(self, request) -> bool:
        """Whether this response's ETag comes from the public record's version.

        Not for desk members: they also see drafts, which do not move it.
        """
        return (
            self.revalidated_by_version
            and request.method in ("GET", "HEAD")
            and not is_desk_member(getattr(request, "user", None))
        )

    def reads_version_with_response(self, request) -> bool:
        """Whether building the response reads the version too (and sets ``public_etag``)."""
        return False

    def check_parameters(self, request) -> None:
        unknown = set(request.query_params) - self.allowed_parameters()
        if unknown:
            allowed = ", ".join(sorted(self.allowed_parameters())) or "none"
            raise ValidationError(
                {name: [f"Unknown parameter. This endpoint accepts: {allowed}."] for name in sorted(unknown)}
            )
        self.check_format_parameter(request)

    def check_format_parameter(self, request) -> None:
        """An unknown ``format`` is a bad parameter (400), not a missing page (DRF's 404)."""
        name = api_settings.URL_FORMAT_OVERRIDE
        if name not in request.query_params:
            return
        formats = [renderer.format for renderer in self.renderer_classes]
        if any(value not in formats for value in request.query_params.getlist(name)):
            raise ValidationError({name: [f"Choose one of: {', '.join(formats)}."]})

    def allowed_parameters(self) -> set[str]:
        names = set()
        if len(self.renderer_classes) > 1:
            # ?format=json asks for application/json where application/ld+json is the default.
            names.add(api_settings.URL_FORMAT_OVERRIDE)
        if self.action != "list":
            return names
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class:
            names |= set(filterset_class.base_filters)
        if self.paginator is not None:
            names |= self.paginator.parameter_names
        return names

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            assert self.public_etag is not None
            return revalidation.not_modified(self.public_etag, authenticated=self.request.user.is_authenticated)
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
        # django-filter skips a filter given an empty value; only text may be empty (and then
        # matches everything), an empty date, number or choice is a mistake worth a 400.
        empty = sorted(
            name
            for name in present
            if not isinstance(filterset_class.base_filters[name], CharFilter)
            and "" in self.request.query_params.getlist(name)
        )
        if empty:
            raise ValidationError({name: ["This parameter needs a value."] for name in empty})
        filterset = only_filters(filterset_class, present)(
            self.request.query_params, queryset=queryset, request=self.request
        )
        self.configure_filterset(filterset)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        return filterset.qs

    def configure_filterset(self, filterset) -> None:
        """What this request tells its filters beyond the query string."""
        if self.deferred_checks is not None:
            filterset.deferred_checks = self.deferred_checks

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.public_etag is not None and response.status_code == 200 and self.versioned(request):
            # Set here, Django's ConditionalGetMiddleware leaves it (and compares it) as it is.
            response["ETag"] = self.public_etag
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            revalidation.cache_headers(response, authenticated=request.user.is_authenticated)
        return response


class PublicReadOnlyViewSet(PublicAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail; writes answer 405. Details carry Last-Modified."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return with_last_modified(Response(self.represent(instance)), instance)

    def represent(self, instance, **context) -> dict:
        """A detail as the endpoint's serializer writes it, from the serializer this thread keeps."""
        return represent(self.get_serializer_class(), instance, {**self.get_serializer_context(), **context})
