"""Read API for claims, verdicts, speakers, topics, ratings and ClaimReview."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from factcheck.api.pagination import CursorPagination
from factcheck.api.renderers import JSONLDRenderer, JSONRenderer
from factcheck.api.views import PublicAPIMixin, PublicReadOnlyViewSet, is_desk_member, with_last_modified

from ..choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from ..claimreview import claim_review, data_feed, verdicts_for_reviews
from ..filtersets import ClaimFilterSet, ClaimReviewFeedFilterSet, SpeakerFilterSet, TopicFilterSet, VerdictFilterSet
from ..models import Appearance, Evidence, Rating, Speaker, Topic, Verdict
from ..selectors import (
    PUBLIC_VERDICT_STATUSES,
    api_claims,
    api_verdicts,
    public_speakers,
    public_topics,
    track_records,
)
from .rows import Links, claim_item, claim_rows, verdict_item, verdict_rows
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


def _review_parts(verdict: Verdict) -> list:
    """Every row a ClaimReview is built from, for its Last-Modified."""
    claim = verdict.claim
    sources = [appearance.source for appearance in claim.appearances.all()]
    return [verdict, verdict.rating, claim, claim.speaker, *sources, *(source.publisher for source in sources)]


class ClaimPagination(CursorPagination):
    orderings = {
        "-published_at": "-published_at",
        "published_at": "published_at",
        "-updated_at": "-claim__updated_at",
        "updated_at": "claim__updated_at",
    }
    default_ordering = "-published_at"


class VerdictPagination(CursorPagination):
    orderings = {
        "-updated_at": "-updated_at",
        "updated_at": "updated_at",
        "-published_at": "-published_at",
        "published_at": "published_at",
    }
    default_ordering = "-updated_at"


class ClaimReviewPagination(CursorPagination):
    page_size = 100
    max_page_size = 500
    orderings = {"-published_at": "-published_at", "published_at": "published_at"}
    default_ordering = "-published_at"

    def get_paginated_response(self, data):
        response = Response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema):
        return schema


def _check_status_request(view, statuses: set[str], allowed: set[str]) -> None:
    refused = statuses - allowed
    if refused and not is_desk_member(view.request.user):
        raise ValidationError({"status": [f"Only desk members can list {', '.join(sorted(refused))} verdicts."]})


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
class ClaimViewSet(PublicReadOnlyViewSet):
    filterset_class = ClaimFilterSet
    pagination_class = ClaimPagination
    serializer_class = ClaimDetailSerializer

    def get_queryset(self):
        desk_member = is_desk_member(self.request.user)
        if self.action == "list":
            # One row per claim, reached through the verdict it is listed with: the published
            # one (the only one the public may see), or for the desk the one in progress.
            statuses = CURRENT_VERDICT_STATUSES if desk_member else (VerdictStatus.PUBLISHED,)
            return Verdict.objects.filter(status__in=statuses)
        # Speaker is shown; topics and appearances (with sources and publishers) are nested lists.
        return (
            api_claims(desk_member=desk_member)
            .select_related("speaker")
            .prefetch_related(
                "topics",
                Prefetch(
                    "appearances",
                    queryset=Appearance.objects.select_related("source__publisher").order_by("id"),
                ),
            )
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        status = self.request.query_params.get("status")
        _check_status_request(self, {status} if status else set(), {VerdictStatus.PUBLISHED.value})
        if status is None:
            queryset = queryset.filter(status=VerdictStatus.PUBLISHED)
        elif status != VerdictStatus.PUBLISHED and self.request.query_params.get("ordering", "-published_at") in (
            PUBLICATION_ORDERINGS
        ):
            raise ValidationError({"ordering": ["Unpublished claims have no publication time: order by updated_at."]})
        return queryset

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(claim_rows(self.filter_queryset(self.get_queryset())))
        links = Links(request)
        return self.get_paginated_response([claim_item(row, links) for row in rows])

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        desk_member = is_desk_member(request.user)
        verdicts = Verdict.objects.filter(claim=claim).select_related(
            "rating", "supersedes__rating", "superseded_by__rating", "reviewer", "editor"
        )
        current = verdicts.filter(status__in=CURRENT_VERDICT_STATUSES if desk_member else [VerdictStatus.PUBLISHED])
        claim.listed_verdict = current.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.select_related("source__publisher"))
        ).first()
        claim.earlier_verdicts = list(
            verdicts.filter(status__in=[VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED]).order_by("-published_at")
        )
        context = {**self.get_serializer_context(), "desk_member": desk_member}
        response = Response(ClaimDetailSerializer(claim, context=context).data)
        return with_last_modified(response, *self._detail_parts(claim))

    @staticmethod
    def _detail_parts(claim) -> list:
        sources = [appearance.source for appearance in claim.appearances.all()]
        verdicts = [claim.listed_verdict, *claim.earlier_verdicts]
        evidence_sources = [item.source for item in claim.listed_verdict.evidence.all()] if claim.listed_verdict else []
        return [
            claim,
            claim.speaker,
            *claim.topics.all(),
            *verdicts,
            *(verdict.rating for verdict in verdicts if verdict),
            *sources,
            *evidence_sources,
            *(source.publisher for source in [*sources, *evidence_sources]),
        ]

    @extend_schema(summary="The claim's published verdict as schema.org ClaimReview", responses=CLAIM_REVIEW_RESPONSE)
    @action(detail=True, url_path="claim-review", renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claim_review(self, request, pk=None):
        verdict = verdicts_for_reviews(
            Verdict.objects.filter(status=VerdictStatus.PUBLISHED, claim_id=self.get_object().pk)
        ).first()
        if verdict is None:
            raise Http404("This claim has no published verdict.")
        return with_last_modified(Response(claim_review(verdict)), *_review_parts(verdict))


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
class VerdictViewSet(PublicReadOnlyViewSet):
    filterset_class = VerdictFilterSet
    pagination_class = VerdictPagination
    serializer_class = VerdictDetailSerializer

    def get_queryset(self):
        verdicts = api_verdicts(desk_member=is_desk_member(self.request.user))
        if self.action == "list":
            return verdicts
        # The rating, the versions before and after, and each piece of evidence with its source.
        return verdicts.select_related(
            "claim", "rating", "supersedes__rating", "superseded_by__rating", "reviewer", "editor"
        ).prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("source__publisher")))

    def filter_queryset(self, queryset):
        if self.action == "list":
            statuses = set(self.request.query_params.getlist("status"))
            _check_status_request(self, statuses, {status.value for status in PUBLIC_VERDICT_STATUSES})
            ordering = self.request.query_params.get("ordering", "")
            if ordering in PUBLICATION_ORDERINGS and statuses - {s.value for s in PUBLIC_VERDICT_STATUSES}:
                raise ValidationError({"ordering": ["Unpublished verdicts have no publication time."]})
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if request.query_params.get("ordering", "") in PUBLICATION_ORDERINGS:
            queryset = queryset.filter(published_at__isnull=False)
        rows = self.paginate_queryset(verdict_rows(queryset))
        links = Links(request)
        return self.get_paginated_response([verdict_item(row, links) for row in rows])

    def retrieve(self, request, *args, **kwargs):
        verdict = self.get_object()
        context = {**self.get_serializer_context(), "desk_member": is_desk_member(request.user)}
        response = Response(VerdictDetailSerializer(verdict, context=context).data)
        evidence_sources = [item.source for item in verdict.evidence.all()]
        corrected_by = getattr(verdict, "superseded_by", None)
        return with_last_modified(
            response,
            verdict,
            verdict.claim,
            verdict.rating,
            verdict.supersedes,
            corrected_by,
            *evidence_sources,
            *(source.publisher for source in evidence_sources),
        )

    @extend_schema(summary="A published verdict as schema.org ClaimReview", responses=CLAIM_REVIEW_RESPONSE)
    @action(detail=True, url_path="claim-review", renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claim_review(self, request, pk=None):
        verdict = verdicts_for_reviews(Verdict.objects.filter(pk=self.get_object().pk)).get()
        if verdict.status != VerdictStatus.PUBLISHED:
            raise Http404("Only a published verdict is a ClaimReview.")
        return with_last_modified(Response(claim_review(verdict)), *_review_parts(verdict))


class NamePagination(CursorPagination):
    orderings = {"name": "name", "-name": "-name", "-updated_at": "-updated_at", "updated_at": "updated_at"}
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="Speakers of published fact-checks, with their track records"),
    retrieve=extend_schema(summary="A speaker and their track record"),
)
class SpeakerViewSet(PublicReadOnlyViewSet):
    filterset_class = SpeakerFilterSet
    pagination_class = NamePagination
    serializer_class = SpeakerSerializer

    def get_queryset(self):
        return Speaker.objects.all() if is_desk_member(self.request.user) else public_speakers()

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
        return Response(self.get_serializer(speaker).data)


class TopicPagination(CursorPagination):
    orderings = {"name": "name", "-name": "-name"}
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="Topics of published fact-checks"),
    retrieve=extend_schema(summary="A topic"),
)
class TopicViewSet(PublicReadOnlyViewSet):
    filterset_class = TopicFilterSet
    pagination_class = TopicPagination
    serializer_class = TopicSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Topic.objects.all() if is_desk_member(self.request.user) else public_topics()


@extend_schema_view(
    list=extend_schema(summary="The desk's rating scale, in display order"),
    retrieve=extend_schema(summary="A rating"),
)
class RatingViewSet(PublicReadOnlyViewSet):
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
    pagination_class = ClaimReviewPagination
    renderer_classes = [JSONLDRenderer, JSONRenderer]
    filterset_class = ClaimReviewFeedFilterSet

    def get_queryset(self):
        return verdicts_for_reviews(Verdict.objects.filter(status=VerdictStatus.PUBLISHED))

    def list(self, request, *args, **kwargs):
        verdicts = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        latest = max((verdict.updated_at for verdict in verdicts), default=None)
        return self.get_paginated_response(data_feed(verdicts, date_modified=latest))
