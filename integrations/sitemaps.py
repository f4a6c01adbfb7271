"""sitemap.xml: every public page (the home page and each fact-check page), nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from claims.visibility import public_claim_pages, public_updated_at


class HomeSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return ["home"]

    def location(self, item):
        return reverse(item)


class FactCheckSitemap(Sitemap):
    """One URL per fact-check page: standing and retracted fact-checks; unpublished claims have none."""

    changefreq = "daily"
    limit = 10_000

    def items(self):
        return public_claim_pages().annotate(public_updated_at=public_updated_at()).order_by("pk").only("pk")

    def location(self, claim):
        return reverse("fact-check", args=[claim.pk])

    def lastmod(self, claim):
        # Moves whenever anything public about the claim changes, and only then.
        return claim.public_updated_at


SITEMAPS = {"pages": HomeSitemap, "fact-checks": FactCheckSitemap}
