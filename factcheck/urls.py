from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from claims.views import fact_check, home

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("factcheck.api.urls")),
    path("fact-checks/<int:claim_id>/", fact_check, name="fact-check"),
    # Feeds, sitemap, robots.txt, embeds and oEmbed.
    path("", include("integrations.urls")),
    path("", home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("claims/favicon.svg"), permanent=True), name="favicon"),
]

# Under /api/ a path that names no endpoint is a JSON 404, like every other API error.
handler404 = "factcheck.api.views.page_not_found"
# A database that cannot be reached is a 503 with Retry-After; other failures JSON under /api/.
handler500 = "factcheck.errors.server_error"
