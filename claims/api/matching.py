"""Has this been checked before? Similar claims, and search in Google Fact Check Tools' shape.

``/api/v1/claims/similar/`` ranks the claims most similar to a statement, each with a
score in [0, 1]; ``/api/v1/claims:search`` answers Google's ``claims:search``
parameters in its response shape, so a tool written for Google's API can point at the
desk's own database. Both rank with ``claims.matching.selectors.similar_claims``.
"""

import base64
import binascii
import re
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from factcheck.api.exceptions import ParameterForbidden
from factcheck.api.schema import NO_NUL, ValidationErrorSerializer
from factcheck.api.views import PublicAPIMixin

from ..choices import VerdictStatus
from ..claimreview import review_url
from ..matching.selectors import (
    MAX_LIMIT,
    MAX_TEXT_LENGTH,
    listed_verdict,
    listed_verdicts,
    similar_claims,
    visible_claims,
)
from ..visibility import is_desk_member
from . import rows

SEARCH_PAGE_SIZE = 10
SEARCH_MAX_PAGE_SIZE = 100
# Ranked results are a list, not a table: pages reach this far down it.
SEARCH_MAX_RESULTS = 200


def _text_parameter(**kwargs) -> serializers.RegexField:
    # Sent as written (whitespace is part of a statement); never NUL, which no text field holds.
    return serializers.RegexField(NO_NUL, trim_whitespace=False, **kwargs)


class SimilarQuerySerializer(serializers.Serializer):
    text = _text_parameter(max_length=MAX_TEXT_LENGTH, help_text="The statement to look for.")
    language = _text_parameter(
        required=False,
        max_length=35,
        help_text="BCP 47 tag: only claims in this language, and the statement parsed as this language.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10)
    unpublished = serializers.BooleanField(
        default=False, help_text="Desk members only: include claims whose verdict is not published yet."
    )


class SimilarRatingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    # The metaclass moves declared fields off the class, so Field.label is untouched; the
    # stubs do not model that.
    label = serializers.CharField()  # type: ignore[assignment]


class SimilarVerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VerdictStatus.choices)
    headline = serializers.CharField()
    rating = SimilarRatingSerializer(allow_null=True)
    url = serializers.URLField(help_text="The verdict in this API.")
    claim_review_url = serializers.URLField(
        allow_null=True, help_text="Its schema.org ClaimReview (published verdicts only)."
    )


class SimilarClaimSerializer(serializers.Serializer):
    score = serializers.FloatField(min_value=0, max_value=1, help_text="Fused similarity: 1 is the same statement.")
    semantic = serializers.FloatField(min_value=0, max_value=1, help_text="Cosine similarity of the embeddings.")
    lexical = serializers.FloatField(min_value=0, max_value=1, help_text="Weighted share of words in common.")
    id = serializers.IntegerField()
    url = serializers.URLField()
    text = serializers.CharField()
    language = serializers.CharField()
    speaker = serializers.CharField(allow_null=True)
    verdict = SimilarVerdictSerializer(allow_null=True, help_text="The published verdict (desk: the current one).")


class SimilarResponseSerializer(serializers.Serializer):
    results = SimilarClaimSerializer(many=True)


FORBIDDEN = OpenApiResponse(ValidationErrorSerializer, description="Only desk members may ask for unpublished claims.")


def _similar_item(match, links: dict[str, str]) -> dict:
    """One result; ``links`` are the API's list addresses for the request's host (``rows.links``)."""
    claim = match.claim
    verdict = listed_verdict(claim)
    item = {
        "score": round(match.score, 4),
        "semantic": round(match.semantic, 4),
        "lexical": round(match.lexical, 4),
        "id": claim.pk,
        # Concatenated, as list items' links are: reversing three routes per result cost more
        # than the rest of the item.
        "url": f"{links['claim']}{claim.pk}/",
        "text": claim.text,
        "language": claim.language,
        "speaker": claim.speaker.name if claim.speaker_id else None,
        "verdict": None,
    }
    if verdict is not None:
        published = verdict.status == VerdictStatus.PUBLISHED
        item["verdict"] = {
            "id": verdict.pk,
            "status": verdict.status,
            "headline": verdict.headline,
            "rating": {"slug": verdict.rating.slug, "label": verdict.rating.label}
            if verdict.rating is not None
            else None,
            "url": f"{links['verdict']}{verdict.pk}/",
            "claim_review_url": f"{links['verdict']}{verdict.pk}/claim-review/" if published else None,
        }
    return item


class QueryParametersMixin(PublicAPIMixin):
    """An endpoint whose parameters are one serializer's fields."""

    query_serializer_class: type[serializers.Serializer]

    def allowed_parameters(self) -> set[str]:
        return set(self.query_serializer_class().fields)

    def query(self, request) -> dict:
        # A parameter sent empty is a mistake (every one documents a minimum length or a type),
        # not a parameter left out.
        empty = sorted(name for name, values in request.query_params.lists() if "" in values)
        if empty:
            raise ValidationError({name: ["This parameter needs a value."] for name in empty})
        # Each parameter is one value: which of several to read would be a guess.
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: ["Give this parameter once."] for name in repeated})
        serializer = self.query_serializer_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SimilarClaimViewSet(QueryParametersMixin, viewsets.GenericViewSet):
    query_serializer_class = SimilarQuerySerializer
    pagination_class = None

    @extend_schema(
        summary="Has this been checked before? The claims most similar to a statement",
        description=(
            "Ranks claims by a score in [0, 1] fusing full-text matching (in each claim's language) with "
            "sentence-embedding similarity. Anonymous callers get claims with a published verdict; desk "
            "members may add unpublished=true for claims in progress."
        ),
        parameters=[SimilarQuerySerializer],
        responses={200: SimilarResponseSerializer, 403: FORBIDDEN},
    )
    def search(self, request, *args, **kwargs):
        params = self.query(request)
        desk_member = is_desk_member(request.user)
        if params["unpublished"] and not desk_member:
            raise ParameterForbidden({"unpublished": ["Only desk members can ask for unpublished claims."]})
        matches = similar_claims(
            params["text"],
            language=params.get("language"),
            limit=params["limit"],
            desk_member=params["unpublished"],
        )
        links = rows.links(rows.origin(request))
        return Response({"results": [_similar_item(match, links) for match in matches]})


class GoogleSearchQuerySerializer(serializers.Serializer):
    query = _text_parameter(max_length=MAX_TEXT_LENGTH, help_text="The statement to look for.")
    languageCode = _text_parameter(required=False, max_length=35, help_text="BCP 47 tag: claims in this language.")
    reviewPublisherSiteFilter = _text_parameter(
        required=False, max_length=253, help_text="Only reviews published by this site (a host name, e.g. example.org)."
    )
    maxAgeDays = serializers.IntegerField(
        required=False, min_value=1, max_value=36_500, help_text="Only reviews published in the last so many days."
    )
    pageSize = serializers.IntegerField(required=False, min_value=1, max_value=SEARCH_MAX_PAGE_SIZE)
    pageToken = _text_parameter(required=False, max_length=40, help_text="nextPageToken of the previous page.")
    offset = serializers.IntegerField(required=False, min_value=0, max_value=SEARCH_MAX_RESULTS)

    def validate_pageToken(self, value: str) -> int:
        try:
            offset = int(base64.urlsafe_b64decode(value.encode() + b"==").decode())
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise serializers.ValidationError("Not a page token this API gave.") from None
        if not 0 <= offset <= SEARCH_MAX_RESULTS:
            raise serializers.ValidationError("Not a page token this API gave.")
        return offset


class GooglePublisherSerializer(serializers.Serializer):
    name = serializers.CharField()
    site = serializers.CharField(allow_null=True)


class GoogleClaimReviewSerializer(serializers.Serializer):
    publisher = GooglePublisherSerializer()
    url = serializers.URLField()
    title = serializers.CharField()
    reviewDate = serializers.DateTimeField()
    textualRating = serializers.CharField()
    languageCode = _text_parameter()


class GoogleClaimSerializer(serializers.Serializer):
    text = serializers.CharField()
    claimant = serializers.CharField(required=False)
    claimDate = serializers.DateTimeField(required=False)
    claimReview = GoogleClaimReviewSerializer(many=True)


class GoogleSearchResponseSerializer(serializers.Serializer):
    claims = GoogleClaimSerializer(many=True)
    nextPageToken = serializers.CharField(required=False)


def _site(url: str) -> str | None:
    return urlsplit(url).hostname if url else None


def _review_site(verdict) -> str | None:
    if verdict.reviewed_by_id is not None:
        return _site(verdict.reviewed_by.url) or _site(verdict.review_url)
    return _site(settings.FACTCHECK_DESK_URL)


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _google_claim(claim, verdicts: list) -> dict:
    """One claim in Google's shape, with each of its published reviews (the one it is shown with first)."""
    item: dict = {"text": claim.text}
    if claim.speaker_id:
        item["claimant"] = claim.speaker.name
    if claim.made_on:
        item["claimDate"] = f"{claim.made_on.isoformat()}T00:00:00Z"
    item["claimReview"] = [
        {
            "publisher": {
                "name": verdict.reviewed_by.name if verdict.reviewed_by_id else settings.FACTCHECK_DESK_NAME,
                "site": _review_site(verdict),
            },
            "url": review_url(verdict),
            "title": verdict.headline or claim.text,
            "reviewDate": _iso(verdict.published_at),
            "textualRating": verdict.review_rating_label or verdict.rating.label,
            "languageCode": claim.language,
        }
        for verdict in verdicts
        if verdict.status == VerdictStatus.PUBLISHED
    ]
    return item


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


class GoogleClaimSearchViewSet(QueryParametersMixin, viewsets.GenericViewSet):
    query_serializer_class = GoogleSearchQuerySerializer
    pagination_class = None

    @extend_schema(
        operation_id="claims_search",
        summary="Fact-checked claims in Google Fact Check Tools' claims:search shape",
        description=(
            "Accepts Google's parameters (query, languageCode, reviewPublisherSiteFilter, maxAgeDays, pageSize, "
            "pageToken, offset) and answers in its shape, so tools written for Google's API can use this desk's "
            "database. Published reviews only: the desk's own and those imported from other fact-checkers, with "
            "their own publisher, ranked by similarity to the query."
        ),
        parameters=[GoogleSearchQuerySerializer],
        responses={200: GoogleSearchResponseSerializer},
    )
    def search(self, request, *args, **kwargs):
        params = self.query(request)
        page_size = params.get("pageSize") or SEARCH_PAGE_SIZE
        offset = params.get("pageToken", params.get("offset", 0))
        claims = None
        verdict_filter: dict[str, object] = {}
        if params.get("maxAgeDays"):
            verdict_filter["published_at__gte"] = timezone.now() - timedelta(days=params["maxAgeDays"])
        site = params.get("reviewPublisherSiteFilter", "").strip().lower().removeprefix("www.")
        if site:
            if site == (_site(settings.FACTCHECK_DESK_URL) or "").removeprefix("www."):
                verdict_filter["reviewed_by__isnull"] = True
            else:
                verdict_filter["reviewed_by__url__iregex"] = rf"^https?://(www\.)?{re.escape(site)}(:[0-9]+)?(/|$)"
        if verdict_filter:
            claims = visible_claims(desk_member=False).filter(
                verdicts__status=VerdictStatus.PUBLISHED,
                **{f"verdicts__{key}": value for key, value in verdict_filter.items()},
            )
        # Filters narrow the ranked list: rank more than a page so that a filtered page is still full.
        pool = SEARCH_MAX_RESULTS + 1 if verdict_filter else offset + page_size + 1
        matches = similar_claims(params["query"], language=params.get("languageCode"), limit=pool, claims=claims)
        # similar_claims returns only matches whose claim it loaded.
        ranked = [match.claim for match in matches if match.claim is not None]
        page = ranked[offset : offset + page_size]
        body: dict = {"claims": [_google_claim(claim, listed_verdicts(claim)) for claim in page]}
        if len(ranked) > offset + page_size and offset + page_size < SEARCH_MAX_RESULTS:
            body["nextPageToken"] = _token(offset + page_size)
        return Response(body)
