"""Read API for claims, verdicts, speakers, topics, ratings and ClaimReview."""

from collections.abc import Callable
from functools import cached_property

from django.db import connection, router
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.http import Http404
from django_filters.filterset import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from factcheck.api import revalidation
from factcheck.api.exceptions import ParameterForbidden
from factcheck.api.pagination import KeysetPagination, Ordering, by_text, by_time
from factcheck.api.renderers import JSONLDRenderer, JSONRenderer
from factcheck.api.shapes import rows_shown
from factcheck.api.views import PublicAPIMixin, PublicReadOnlyViewSet, with_last_modified
from factcheck.prepared import keyed_reads
from integrations.csv_export import CSVRenderer, stream_list

from .. import visibility
from ..choices import VerdictStatus
from ..claimreview import claim_review, data_feed, review_rows, verdicts_for_reviews
from ..filtersets import ClaimFilterSet, ClaimReviewFeedFilterSet, SpeakerFilterSet, TopicFilterSet, VerdictFilterSet
from ..models import Appearance, Claim, Evidence, Rating, Verdict
from ..public_version import version_sql
from ..selectors import link_versions, track_records
from ..visibility import is_desk_member
from . import shapes
from .rows import (
    FILTERED_SQL,
    FilteredSQL,
    compiled,
    database_builds_json,
    item,
    json_rows,
    known_slugs,
    listed,
    origin,
    plain_rows,
    unfiltered_sql,
)
from .serializers import (
    ClaimDetailSerializer,
    ClaimSummarySerializer,
    RatingSerializer,
    SpeakerSerializer,
    TopicSerializer,
    VerdictDetailSerializer,
    VerdictListSerializer,
)

CLAIM_REVIEW_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="schema.org ClaimReview as JSON-LD (application/ld+json)."
)
PUBLICATION_ORDERINGS = {"-published_at", "published_at"}


class ClaimPagination(KeysetPagination):
    # Rows are the verdicts the claims are listed with.
    orderings = {
        "-published_at": by_time("published_at"),
        "published_at": by_time("published_at", descending=False),
        "-updated_at": by_time("claim__updated_at", key="claim_id"),
        "updated_at": by_time("claim__updated_at", key="claim_id", descending=False),
    }
    default_ordering = "-published_at"


class VerdictPagination(KeysetPagination):
    orderings = {
        "-updated_at": by_time("updated_at"),
        "updated_at": by_time("updated_at", descending=False),
        "-published_at": by_time("published_at"),
        "published_at": by_time("published_at", descending=False),
    }
    default_ordering = "-updated_at"


class ClaimReviewPagination(KeysetPagination):
    sends_link_header = True
    page_size = 100
    max_page_size = 500
    orderings = {"-published_at": by_time("published_at"), "published_at": by_time("published_at", descending=False)}
    default_ordering = "-published_at"

    def get_paginated_response(self, data):
        response = Response(data)
        links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", self.next), ("prev", self.previous)) if url]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema):
        return schema


def _evidence():
    # Each piece of evidence is shown with its source and the source's publisher.
    # The source's archived text can be a whole article and is never shown here.
    return Evidence.objects.select_related("source__publisher").defer("source__archived_text")


# Detail querysets, by view class, action and whether the caller is of the desk (FastListMixin.kept_queryset).
KEPT_QUERYSETS: dict[tuple, QuerySet] = {}


class FastListMixin(PublicReadOnlyViewSet):
    """Lists of claims and verdicts, built without serializers.

    On PostgreSQL the database builds each item's JSON and the page is one statement
    (KeysetPagination.paginate_sql); the SQL of unfiltered lists is compiled once per
    shape. Elsewhere plain rows become dicts in Python. Either way the output equals the
    serializers' (tests/api/test_rows.py).
    """

    list_kind: str
    filterset_class: type[FilterSet]
    # ?format=csv streams every row the filters select (integrations.csv_export).
    renderer_classes = [JSONRenderer, CSVRenderer]
    revalidated_by_version = True

    @cached_property
    def desk_member(self) -> bool:
        return is_desk_member(self.request.user)

    @property
    def keyset(self) -> KeysetPagination:
        """The list's paginator: these lists always page by keyset."""
        paginator = self.paginator
        assert paginator is not None
        return paginator

    def listed_statuses(self) -> tuple[str, ...]:
        raise NotImplementedError

    def reads_version_with_response(self, request) -> bool:
        # The list statement reads the public record's version with the page (list below);
        # a detail reads it with its object (with_version).
        if self.action == "retrieve":
            return True
        return (
            self.action == "list"
            and database_builds_json()
            and request.accepted_renderer.format != CSVRenderer.format
        )

    def with_version(self, queryset):
        """``queryset`` whose rows carry the public record's version, read by the same query."""
        return queryset.annotate(public_record_version=RawSQL(version_sql(connection.vendor), ()))

    def kept_queryset(self, build: Callable[[], QuerySet]) -> QuerySet:
        """``build()``, made once per process for this view, action and kind of caller; a copy each time.

        A detail's queryset depends on nothing else (not the object asked for: the view
        filters a copy by key), and building one, with its visibility rules, joins, prefetches
        and annotations, cost a claim detail about 0.4 ms. The queryset kept is never
        evaluated itself: each request gets a copy (``all()``), with its own results.
        """
        key = (type(self), self.action, self.desk_member)
        queryset = KEPT_QUERYSETS.get(key)
        if queryset is None:
            queryset = KEPT_QUERYSETS.setdefault(key, build())
        return queryset.all()

    # Whether the list being built holds published verdicts alone (its statement only).
    published_only = False

    def configure_filterset(self, filterset) -> None:
        super().configure_filterset(filterset)
        filterset.published_only = self.published_only

    def etag_from(self, obj) -> None:
        """The ETag of a detail, from the version read with its object (before anything else)."""
        if self.versioned(self.request) and self.public_etag is None:
            self.public_etag = revalidation.etag(obj.public_record_version, self.request)

    def has_filters(self) -> bool:
        return bool(set(self.request.query_params) & (set(self.filterset_class.base_filters) - {"status"}))

    def list(self, request, *args, **kwargs):
        statuses = self.listed_statuses()
        if request.accepted_renderer.format == CSVRenderer.format:
            return stream_list(self, self.filter_queryset(listed(self.list_kind, statuses)))
        host = origin(request)
        if database_builds_json():
            order = self.keyset.orderings[self.keyset.ordering_name(request)]
            # The statement also reads the public record's version (for the ETag) and whether
            # the slugs the filters name exist: one query per page, whatever the filters.
            if self.has_filters():
                sql, params, slug_checks = self.filtered_sql(statuses, order, host)
            else:
                sql, params = unfiltered_sql(self.list_kind, statuses, order, host)
                slug_checks = ()
            # The database the router picks for this read (a replica for public GETs).
            using = router.db_for_read(Verdict)
            also = [(version_sql("postgresql"), ()), *(check_sql for _, check_sql in slug_checks)]
            page = self.keyset.paginate_sql(sql, params, request, using=using, also=also)
            version, *found = self.keyset.also
            for (check, _), known in zip(slug_checks, found, strict=True):
                check.verify(known)
            if self.versioned(request):
                self.public_etag = revalidation.etag(version, request)
            return self.get_paginated_response(page)
        verdicts = self.filter_queryset(listed(self.list_kind, statuses))
        rows = self.keyset.paginate_queryset(plain_rows(self.list_kind, verdicts), request, view=self)
        return self.get_paginated_response([item(self.list_kind, row, host) for row in rows])

    def filtered_sql(self, statuses: tuple[str, ...], order: Ordering, host: str) -> FilteredSQL:
        """The candidate rows' SQL for this request's filters, compiled once per list of filter values.

        Compiling the filters costs about as much as the database spends on a page. What
        the SQL is depends on the list, the statuses, the ordering, the host, whether the
        caller is of the desk and the filter values alone (slugs are checked by the
        statement itself, nothing is read while compiling): the same request finds it ready.
        """
        names = set(self.filterset_class.base_filters)
        values = tuple(sorted((name, tuple(v)) for name, v in self.request.query_params.lists() if name in names))
        key = (self.list_kind, statuses, order, host, self.desk_member, values)

        def build() -> FilteredSQL:
            self.deferred_checks = []
            self.published_only = statuses == (VerdictStatus.PUBLISHED.value,)
            verdicts = self.filter_queryset(listed(self.list_kind, statuses))
            sql, params = compiled(json_rows(self.list_kind, verdicts, host, order))
            return sql, params, tuple((check, known_slugs(check)) for check in self.deferred_checks)

        return FILTERED_SQL.get(key, build)

    def check_status_request(self, requested: set[str], public: tuple) -> None:
        refused = visibility.refused_statuses(requested, self.desk_member, public)
        if refused:
            # A well-formed request the caller is not allowed to make: 403, not 400.
            raise ParameterForbidden({"status": [f"Only desk members can list {', '.join(sorted(refused))} verdicts."]})


@extend_schema_view(
    list=extend_schema(
        summary="Claims with a published verdict",
        description=(
            "Newest fact-checks first. Each claim carries its speaker and its published verdict with the rating."
        ),
        responses=ClaimSummarySerializer(many=True),
    ),
    retrieve=extend_schema(summary="A claim with its appearances, verdict, evidence and earlier versions"),
)
class ClaimViewSet(FastListMixin, PublicReadOnlyViewSet):
    filterset_class = ClaimFilterSet
    pagination_class = ClaimPagination
    serializer_class = ClaimDetailSerializer

    list_kind = "claims"

    def get_queryset(self):
        if self.action == "list":
            # One row per claim, reached through the verdict it is listed with: the published
            # one it is shown with (the only kind the public may see), or for the desk the one
            # in progress.
            return listed(self.list_kind, self.listed_statuses())
        # Speaker is shown; topics and appearances (with sources and publishers) are nested lists.
        return self.kept_queryset(
            lambda: self.with_version(
                visibility.visible_claims(desk_member=self.desk_member)
                .select_related("speaker")
                .prefetch_related(
                    "topics",
                    Prefetch(
                        "appearances",
                        queryset=Appearance.objects.select_related("source__publisher")
                        .defer("source__archived_text")
                        .order_by("id"),
                    ),
                )
            )
        )

    def listed_statuses(self) -> tuple[str, ...]:
        status = self.request.query_params.get("status")
        if status is None:
            return (VerdictStatus.PUBLISHED.value,)
        if status not in VerdictStatus.values:
            # Not a status at all: a bad parameter whoever asks, not a forbidden one.
            raise ValidationError({"status": [f"Unknown status: {status}."]})
        self.check_status_request({status}, visibility.PUBLIC_CLAIM_STATUSES)
        choices = visibility.claim_list_statuses(desk_member=True)
        if status not in choices:
            raise ValidationError({"status": [f"Choose one of: {', '.join(choices)}."]})
        if status != VerdictStatus.PUBLISHED and self.keyset.ordering_name(self.request) in PUBLICATION_ORDERINGS:
            raise ValidationError({"ordering": ["Unpublished claims have no publication time: order by updated_at."]})
        return (status,)

    @keyed_reads(Claim)
    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        self.etag_from(claim)
        desk_member = self.desk_member
        visible, shown = visibility.claim_detail_statuses(desk_member)
        # All the claim's visible verdicts in one narrow query; the links between versions
        # are made in Python (wide joins cost PostgreSQL more to plan than to run).
        verdicts = link_versions(
            list(
                Verdict.objects.filter(claim=claim, status__in=visible)
                .select_related("rating", "reviewed_by", *(["reviewer", "editor"] if desk_member else []))
                .order_by("-published_at", "-id")
            )
        )
        for verdict in verdicts:
            Verdict.claim.field.set_cached_value(verdict, claim)
        claim.listed_verdict = visibility.shown_verdict(verdicts, shown)
        if claim.listed_verdict is not None:
            prefetch_related_objects([claim.listed_verdict], Prefetch("evidence", queryset=_evidence()))
        claim.reviews = sorted(
            (verdict for verdict in verdicts if verdict.status == VerdictStatus.PUBLISHED), key=visibility.rank
        )
        claim.earlier_verdicts = [
            verdict for verdict in verdicts if verdict.status in (VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED)
        ]
        claim.retraction = visibility.retraction_shown(verdicts)
        withdrawn = claim.retraction is not None and not desk_member
        if withdrawn:
            visibility.show_as_withdrawn(claim, retracted_at=claim.retraction.retracted_at)
        response = Response(self.represent(claim, desk_member=desk_member))
        if withdrawn:
            # Work on a withdrawn claim moves rows the public no longer sees: no Last-Modified
            # rather than a leaky one (the ETag still answers conditional requests).
            return response
        return with_last_modified(response, *rows_shown(shapes.CLAIM_DETAIL, claim))

    @extend_schema(
        summary="The claim's published verdict as schema.org ClaimReview",
        description="JSON-LD; ?format=json for application/json. 404 when the claim has no published verdict.",
        responses=CLAIM_REVIEW_RESPONSE,
    )
    @action(detail=True, url_path="claim-review", renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claim_review(self, request, pk=None, format=None):
        # The review the claim is shown with (the desk's own, else the latest imported one).
        verdict = (
            verdicts_for_reviews(Verdict.objects.filter(status=VerdictStatus.PUBLISHED, claim_id=self.get_object().pk))
            .order_by(*visibility.shown_order())
            .first()
        )
        if verdict is None:
            raise Http404("This claim has no published verdict.")
        return with_last_modified(Response(claim_review(verdict)), *review_rows(verdict))


@extend_schema_view(
    list=extend_schema(
        summary="Published verdicts, corrections and retractions",
        description=(
            "Every verdict the public may see: published ones, the versions corrections replaced (superseded) "
            "and retractions with their notes. Sync with updated_since to learn of corrections and retractions."
        ),
        responses=VerdictListSerializer(many=True),
    ),
    retrieve=extend_schema(summary="A verdict with its explanation, evidence and correction history"),
)
class VerdictViewSet(FastListMixin, PublicReadOnlyViewSet):
    filterset_class = VerdictFilterSet
    pagination_class = VerdictPagination
    serializer_class = VerdictDetailSerializer

    list_kind = "verdicts"

    def get_queryset(self):
        desk_member = self.desk_member
        if self.action == "list":
            return Verdict.objects.filter(status__in=self.listed_statuses())
        # The claim and rating are shown; each piece of evidence with its source and publisher.
        related = ["claim", "rating", "reviewed_by", *(["reviewer", "editor"] if desk_member else [])]
        return self.kept_queryset(
            lambda: self.with_version(
                visibility.visible_verdicts(desk_member=desk_member)
                .select_related(*related)
                .prefetch_related(Prefetch("evidence", queryset=_evidence()))
                .annotate(
                    claim_is_public=visibility.published_verdict_exists("claim_id"),
                    claim_wording=visibility.claim_wording("claim"),
                )
            )
        )

    def listed_statuses(self) -> tuple[str, ...]:
        public = visibility.verdict_statuses(desk_member=False)
        repeated = self.request.query_params.getlist("status")
        requested = set(repeated)
        unknown = requested - set(VerdictStatus.values)
        if unknown:
            raise ValidationError({"status": [f"Unknown status: {', '.join(sorted(unknown))}."]})
        if len(repeated) != len(requested):
            raise ValidationError({"status": ["Name each status once."]})
        self.check_status_request(requested, public)
        if not requested:
            requested = set(visibility.verdict_statuses(self.desk_member))
        if requested - set(public) and self.keyset.ordering_name(self.request) in PUBLICATION_ORDERINGS:
            raise ValidationError({"ordering": ["Unpublished verdicts have no publication time: order by updated_at."]})
        return tuple(sorted(requested))

    @keyed_reads(Verdict)
    def retrieve(self, request, *args, **kwargs):
        verdict = self.get_object()
        self.etag_from(verdict)
        # The versions this one corrects and is corrected by, in one query.
        versions = Verdict.objects.filter(Q(pk=verdict.supersedes_id) | Q(supersedes=verdict)).select_related("rating")
        link_versions([verdict, *versions])
        if not (visibility.claim_shown_publicly(verdict) or self.desk_member):
            verdict.claim.text = verdict.claim_wording
        response = Response(self.represent(verdict, desk_member=self.desk_member))
        if not (visibility.claim_shown_publicly(verdict) or self.desk_member):
            # A retracted fact-check's claim is no longer public, yet its text is shown here.
            # The claim's updated_at also moves with work the public may not see (a new quote,
            # a new draft), and nothing else dates a change to its text: no Last-Modified
            # rather than a leaky or a stale one. The ETag still answers conditional requests.
            return response
        return with_last_modified(response, *rows_shown(shapes.VERDICT_DETAIL, verdict))

    @extend_schema(
        summary="A published verdict as schema.org ClaimReview",
        description="JSON-LD by default; ?format=json for application/json. 404 unless the verdict is published.",
        responses=CLAIM_REVIEW_RESPONSE,
    )
    @action(detail=True, url_path="claim-review", renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claim_review(self, request, pk=None, format=None):
        verdict = verdicts_for_reviews(Verdict.objects.filter(pk=self.get_object().pk)).get()
        if verdict.status != VerdictStatus.PUBLISHED:
            raise Http404("Only a published verdict is a ClaimReview.")
        return with_last_modified(Response(claim_review(verdict)), *review_rows(verdict))


class NamePagination(KeysetPagination):
    orderings = {
        "name": by_text("name"),
        "-name": by_text("name", descending=True),
        "-updated_at": by_time("updated_at"),
        "updated_at": by_time("updated_at", descending=False),
    }
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="Speakers of published fact-checks, with their track records"),
    retrieve=extend_schema(summary="A speaker and their track record"),
)
class SpeakerViewSet(PublicReadOnlyViewSet):
    revalidated_by_version = True
    filterset_class = SpeakerFilterSet
    pagination_class = NamePagination
    serializer_class = SpeakerSerializer

    def get_queryset(self):
        return visibility.visible_speakers(desk_member=is_desk_member(self.request.user))

    def _with_track_records(self, speakers):
        records = track_records(speaker.pk for speaker in speakers)
        for speaker in speakers:
            speaker.track_record = records.get(speaker.pk, {})
        return speakers

    def list(self, request, *args, **kwargs):
        page = self._with_track_records(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # No Last-Modified: the track record changes with verdicts the speaker row does not know of.
        speaker = self._with_track_records([self.get_object()])[0]
        return Response(self.represent(speaker))


class TopicPagination(KeysetPagination):
    orderings = {"name": by_text("name"), "-name": by_text("name", descending=True)}
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="Topics of published fact-checks"),
    retrieve=extend_schema(summary="A topic"),
)
class TopicViewSet(PublicReadOnlyViewSet):
    revalidated_by_version = True
    filterset_class = TopicFilterSet
    pagination_class = TopicPagination
    serializer_class = TopicSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return visibility.visible_topics(desk_member=is_desk_member(self.request.user))


@extend_schema_view(
    list=extend_schema(summary="The desk's rating scale, in display order"),
    retrieve=extend_schema(summary="A rating"),
)
class RatingViewSet(PublicReadOnlyViewSet):
    revalidated_by_version = True
    serializer_class = RatingSerializer
    pagination_class = None
    lookup_field = "slug"
    queryset = Rating.objects.all()


@extend_schema_view(
    list=extend_schema(
        summary="Every published verdict as a schema.org DataFeed of ClaimReview",
        description=(
            "The feed fact-check aggregators ingest. Large feeds are paginated: follow the Link header "
            '(rel="next"). updated_since returns only reviews published or corrected since then.'
        ),
        responses=CLAIM_REVIEW_RESPONSE,
    )
)
class ClaimReviewFeedViewSet(PublicAPIMixin, viewsets.GenericViewSet):
    revalidated_by_version = True
    pagination_class = ClaimReviewPagination
    renderer_classes = [JSONLDRenderer, JSONRenderer]
    filterset_class = ClaimReviewFeedFilterSet

    def get_queryset(self):
        return verdicts_for_reviews(Verdict.objects.filter(status=VerdictStatus.PUBLISHED))

    def list(self, request, *args, **kwargs):
        verdicts = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # ClaimReviewPagination always pages, so there is always a page.
        assert verdicts is not None
        latest = max((verdict.updated_at for verdict in verdicts), default=None)
        return self.get_paginated_response(data_feed(verdicts, date_modified=latest))
