"""Public pages: the desk's latest fact-checks and one page per fact-check with its ClaimReview."""

import orjson
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from .choices import VerdictStatus
from .claimreview import claim_review, verdicts_for_reviews
from .models import Evidence, Verdict


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
    evidence = Evidence.objects.select_related("source__publisher").order_by("position", "id")
    verdict = (
        verdicts_for_reviews(Verdict.objects.filter(claim_id=claim_id, status=VerdictStatus.PUBLISHED))
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .select_related("supersedes")
        .first()
    )
    if verdict is None:
        raise Http404("No published fact-check for this claim.")
    earlier = Verdict.objects.filter(
        claim_id=claim_id, status__in=[VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED]
    ).order_by("-published_at")
    context = {
        "verdict": verdict,
        "claim": verdict.claim,
        "earlier": earlier,
        "claim_review": _json_ld(claim_review(verdict)),
        "desk_name": settings.FACTCHECK_DESK_NAME,
    }
    return _public(render(request, "claims/fact_check.html", context))
