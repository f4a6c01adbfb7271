"""sitemap.xml: every public page (the home page and each published fact-check), nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from claims.visibility import public_claims


class HomeSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return ["home"]

    def location(self, item):
        return reverse(item)


class FactCheckSitemap(Sitemap):
    """One URL per claim with a published verdict; retracted and unpublished claims have no page."""

    changefreq = "daily"
    limit = 10_000

    def items(self):
        return public_claims().order_by("pk").only("pk", "updated_at")

    def location(self, claim):
        return reverse("fact-check", args=[claim.pk])

    def lastmod(self, claim):
        # A claim's updated_at moves whenever anything public about it changes.
        return claim.updated_at


SITEMAPS = {"pages": HomeSitemap, "fact-checks": FactCheckSitemap}
