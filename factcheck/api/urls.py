"""/api/v1/: the versioned read API; /api/schema/ and /api/docs/: its OpenAPI description."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from claims.api.views import (
    ClaimReviewFeedViewSet,
    ClaimViewSet,
    RatingViewSet,
    SpeakerViewSet,
    TopicViewSet,
    VerdictViewSet,
)
from sources.api.views import PublisherViewSet, SourceViewSet

router = DefaultRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("verdicts", VerdictViewSet, basename="verdict")
router.register("speakers", SpeakerViewSet, basename="speaker")
router.register("sources", SourceViewSet, basename="source")
router.register("publishers", PublisherViewSet, basename="publisher")
router.register("topics", TopicViewSet, basename="topic")
router.register("ratings", RatingViewSet, basename="rating")
router.register("claim-reviews", ClaimReviewFeedViewSet, basename="claim-review")

urlpatterns = [
    path("v1/", include((router.urls, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
