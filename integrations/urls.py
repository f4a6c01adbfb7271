"""Feeds, sitemap, robots.txt, embeds and oEmbed (included at the site's root)."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from .feeds import FEEDS
from .sitemaps import SITEMAPS
from .views import fact_check_embed, oembed, robots_txt

FEED_PATHS = {
    "all": "feeds/fact-checks.{format}",
    "speaker": "feeds/speakers/<int:speaker_id>.{format}",
    "topic": "feeds/topics/<slug:slug>.{format}",
    "rating": "feeds/ratings/<slug:slug>.{format}",
}

urlpatterns = [
    path("robots.txt", robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("fact-checks/<int:claim_id>/embed/", fact_check_embed, name="fact-check-embed"),
    path("oembed", oembed, name="oembed"),
    *(
        path(FEED_PATHS[kind].format(format=format), feed(), name=f"feed-{kind}-{format}")
        for kind, formats in FEEDS.items()
        for format, feed in formats.items()
    ),
]
