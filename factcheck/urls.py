from django.contrib import admin
from django.urls import include, path

from claims.views import fact_check, home

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("factcheck.api.urls")),
    path("fact-checks/<int:claim_id>/", fact_check, name="fact-check"),
    path("", home, name="home"),
]

# Under /api/ a path that names no endpoint is a JSON 404, like every other API error.
handler404 = "factcheck.api.views.page_not_found"
# A database that cannot be reached is a 503 with Retry-After; other failures JSON under /api/.
handler500 = "factcheck.errors.server_error"
