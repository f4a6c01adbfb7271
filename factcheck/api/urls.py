"""/api/v1/: the versioned read API; /api/schema/ and /api/docs/: its OpenAPI description."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api.matching import GoogleClaimSearchViewSet, SimilarClaimViewSet
from claims.api.views import (
    ClaimReviewFeedViewSet,
    ClaimViewSet,
    RatingViewSet,
    SpeakerViewSet,
    TopicViewSet,
    VerdictViewSet,
)
from sources.api.views import PublisherViewSet, SourceViewSet

from .schema import SchemaView

router = DefaultRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("verdicts", VerdictViewSet, basename="verdict")
router.register("speakers", SpeakerViewSet, basename="speaker")
router.register("sources", SourceViewSet, basename="source")
router.register("publishers", PublisherViewSet, basename="publisher")
router.register("topics", TopicViewSet, basename="topic")
router.register("ratings", RatingViewSet, basename="rating")
router.register("claim-reviews", ClaimReviewFeedViewSet, basename="claim-review")

# Before the router's: "claims/similar/" would otherwise read as a claim's id.
matching_urls = [
    path("claims/similar/", SimilarClaimViewSet.as_view({"get": "search"}), name="claim-similar"),
    path("claims:search", GoogleClaimSearchViewSet.as_view({"get": "search"}), name="claims-search"),
]

urlpatterns = [
    path("v1/", include((matching_urls + router.urls, "api-v1"))),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script, so a strict CSP holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Redoc shows its maker's logo from its CDN; the one image this page may load from elsewhere.
    path(
        "redoc/",
        csp_update({"img-src": ["https://cdn.redoc.ly"]})(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
