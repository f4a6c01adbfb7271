"""Public integration pages: robots.txt, the embeddable fact-check card and oEmbed."""

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .selectors import embeddable_verdict

EMBED_WIDTH, EMBED_HEIGHT = 560, 320
EMBEDDABLE_VIEWS = {"fact-check", "fact-check-embed"}


def _public(response):
    seconds = settings.FACTCHECK_API_CACHE_SECONDS
    patch_cache_control(response, public=True, max_age=seconds, stale_while_revalidate=seconds * 5)
    return response


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/", "Allow: /", f"Sitemap: {sitemap}", ""]
    return _public(HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8"))


# The one page any site may frame: frame-ancestors and X-Frame-Options are relaxed here only.
@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]  # django-csp types views as request-only
def fact_check_embed(request, claim_id: int):
    verdict = embeddable_verdict(claim_id)
    if verdict is None:
        raise Http404("No published fact-check for this claim.")
    context = {
        "verdict": verdict,
        "claim": verdict.claim,
        "page_url": request.build_absolute_uri(reverse("fact-check", args=[claim_id])),
        "desk_name": settings.FACTCHECK_DESK_NAME,
    }
    return _public(render(request, "integrations/embed.html", context))


def _dimension(request, name: str, default: int) -> int:
    value = request.GET.get(name)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise ValueError(f"{name} must be a whole number of pixels from 1 to 10000.")
    return min(default, int(value))


def _claim_id_from(request, url: str) -> int | None:
    """The claim a fact-check URL of this site names, or None for any other URL."""
    parts = urlsplit(url)
    hosts = {request.get_host().lower(), urlsplit(settings.FACTCHECK_DESK_URL).netloc.lower()}
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.kwargs.get("claim_id") if match.url_name in EMBEDDABLE_VIEWS else None


@require_safe
def oembed(request):
    """oEmbed (https://oembed.com/) for fact-check pages: a CMS embeds a fact-check from its URL."""
    url = request.GET.get("url", "")
    if not url:
        return JsonResponse({"detail": "url is required: the address of a fact-check page."}, status=400)
    if request.GET.get("format", "json") != "json":
        # The specification's answer for a format the provider does not serve.
        return JsonResponse({"detail": "Only format=json is served."}, status=501)
    try:
        width = _dimension(request, "maxwidth", EMBED_WIDTH)
        height = _dimension(request, "maxheight", EMBED_HEIGHT)
    except ValueError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    claim_id = _claim_id_from(request, url)
    verdict = embeddable_verdict(claim_id) if claim_id else None
    if verdict is None:
        return JsonResponse({"detail": "No published fact-check at this URL."}, status=404)
    src = request.build_absolute_uri(reverse("fact-check-embed", args=[claim_id]))
    title = verdict.headline or verdict.claim.text
    html = format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" style="border:0;max-width:100%" loading="lazy"></iframe>',
        src,
        width,
        height,
        f"Fact-check: {title}",
    )
    data = {
        "version": "1.0",
        "type": "rich",
        "provider_name": settings.FACTCHECK_DESK_NAME,
        "provider_url": settings.FACTCHECK_DESK_URL,
        "title": title,
        "author_name": settings.FACTCHECK_DESK_NAME,
        "html": str(html),
        "width": width,
        "height": height,
        "cache_age": settings.FACTCHECK_API_CACHE_SECONDS,
    }
    return _public(JsonResponse(data))
