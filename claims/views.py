"""Public pages: the desk's latest fact-checks and one page per fact-check with its ClaimReview."""

import orjson
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from . import visibility
from .choices import VerdictStatus
from .claimreview import claim_review, verdicts_for_reviews
from .models import Claim, Evidence, Verdict


def _public(response):
    seconds = settings.FACTCHECK_API_CACHE_SECONDS
    patch_cache_control(response, public=True, max_age=seconds, stale_while_revalidate=seconds * 5)
    return response


def _json_ld(data: dict) -> str:
    # Inside <script>, "</" must not appear: escape "<" so no text can close the element.
    return mark_safe(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode().replace("<", "\\u003c"))


@require_safe
def home(request):
    verdicts = (
        Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
        .select_related("claim__speaker", "rating")
        .order_by("-published_at", "-id")[:20]
    )
    return _public(
        render(request, "claims/home.html", {"verdicts": verdicts, "desk_name": settings.FACTCHECK_DESK_NAME})
    )


@require_safe
def fact_check(request, claim_id: int):
    """One fact-check's page, at the address people link to, whatever became of it.

    A standing fact-check shows its verdict, evidence and ClaimReview markup, and a
    correction its note; every earlier version is listed with its rating and dates. A
    retracted one keeps the page with the retraction notice, its date and public note,
    the claim as it stood when retracted and no ClaimReview (claims.visibility).
    """
    versions = list(
        Verdict.objects.filter(claim_id=claim_id, status__in=visibility.PUBLIC_VERDICT_STATUSES)
        .select_related("rating")
        .order_by("-published_at", "-id")
    )
    retraction = visibility.retraction_shown(versions)
    earlier = [version for version in versions if version.status != VerdictStatus.PUBLISHED]
    context: dict[str, object] = {
        "earlier": earlier,
        "retraction": retraction,
        "desk_name": settings.FACTCHECK_DESK_NAME,
    }
    if retraction is not None:
        claim = visibility.show_as_withdrawn(Claim.objects.get(pk=claim_id), retracted_at=retraction.retracted_at)
        return _public(render(request, "claims/fact_check.html", {**context, "claim": claim}))
    evidence = (
        Evidence.objects.select_related("source__publisher").defer("source__archived_text").order_by("position", "id")
    )
    verdict = (
        verdicts_for_reviews(Verdict.objects.filter(claim_id=claim_id, status=VerdictStatus.PUBLISHED))
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by(*visibility.shown_order())  # the desk's own, else the latest imported review
        .first()
    )
    if verdict is None:
        raise Http404("No published fact-check for this claim.")
    context.update(verdict=verdict, claim=verdict.claim, claim_review=_json_ld(claim_review(verdict)))
    return _public(render(request, "claims/fact_check.html", context))
