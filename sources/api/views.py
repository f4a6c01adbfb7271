"""Read API for sources and publishers: only those behind published fact-checks."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from claims.visibility import is_desk_member, visible_publishers, visible_sources
from factcheck.api.pagination import KeysetPagination, by_id, by_text, by_time
from factcheck.api.shapes import rows_shown
from factcheck.api.views import PublicReadOnlyViewSet, with_last_modified

from ..filtersets import PublisherFilterSet, SourceFilterSet
from ..selectors import with_archive_flag
from .serializers import PublisherSerializer, SourceSerializer
from .shapes import SOURCE


class SourcePagination(KeysetPagination):
    orderings = {
        "-id": by_id(),
        "id": by_id(descending=False),
        "-updated_at": by_time("updated_at"),
        "updated_at": by_time("updated_at", descending=False),
    }
    default_ordering = "-id"


class PublisherPagination(KeysetPagination):
    orderings = {"name": by_text("name"), "-name": by_text("name", descending=True)}
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="Sources where published claims appear or that published verdicts cite"),
    retrieve=extend_schema(summary="A source"),
)
class SourceViewSet(PublicReadOnlyViewSet):
    revalidated_by_version = True
    filterset_class = SourceFilterSet
    pagination_class = SourcePagination
    serializer_class = SourceSerializer

    def get_queryset(self):
        sources = visible_sources(desk_member=is_desk_member(self.request.user))
        # The publisher is nested in every item.
        return with_archive_flag(sources).select_related("publisher")

    def retrieve(self, request, *args, **kwargs):
        source = self.get_object()
        return with_last_modified(Response(self.represent(source)), *rows_shown(SOURCE, source))


@extend_schema_view(
    list=extend_schema(summary="Publishers of the sources behind published fact-checks"),
    retrieve=extend_schema(summary="A publisher"),
)
class PublisherViewSet(PublicReadOnlyViewSet):
    revalidated_by_version = True
    filterset_class = PublisherFilterSet
    pagination_class = PublisherPagination
    serializer_class = PublisherSerializer

    def get_queryset(self):
        return visible_publishers(desk_member=is_desk_member(self.request.user))
