"""ETags from the public record's version: a matching conditional GET costs one tiny read.

A public response is decided by the data the public may see, the request (its path, its
query parameters, the representation negotiated, the host its links name) and the code
that builds it. The data's part is the public record's version (claims.public_version),
which moves in the same transaction as every change the public can see; the code's part
is the release (``FACTCHECK_RELEASE``, or else a digest of the modules that shape the
output, so a deploy that changes an output changes its ETags). So the ETag is a digest
of (release, version, request), known before the page is built: a conditional GET whose
``If-None-Match`` names it is answered 304 after reading the version alone.

Only callers who see the public record get these ETags (desk members see drafts, which
do not move the version: their responses keep Django's digest of the content). The
version is read before the page, or by the page's own statement (lists on PostgreSQL),
never after it: a page is never labelled with a version newer than its data.
"""

import hashlib
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import router
from django.http import HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from claims import public_version
from claims.models import PublicRecordVersion

from . import credentials

# The code whose changes change public output: the shapes, views, selectors and rules.
RELEASE_SOURCES = (
    "factcheck/api",
    "claims/api",
    "sources/api",
    "claims/visibility.py",
    "claims/selectors.py",
    "claims/filtersets.py",
    "claims/claimreview.py",
    "sources/filtersets.py",
    "integrations/csv_export.py",
)


@cache
def release() -> str:
    """This code's release: the setting, else a digest of the files that shape public output."""
    if settings.FACTCHECK_RELEASE:
        return settings.FACTCHECK_RELEASE
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    for name in RELEASE_SOURCES:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()


def database():
    """The database public reads (and so the version) come from: a replica's version matches its data."""
    return router.db_for_read(PublicRecordVersion)


def read_version() -> int:
    return public_version.latest(database())


def request_key(request) -> str:
    """Everything of the request that decides a public response, in one string.

    Read from the request as it arrives (a Django or a DRF request), so the middleware
    and the views make the same key: parameters sorted (their order changes nothing; the
    order of a repeated one's values is kept), the Accept header as sent (it picks the
    representation), and the origin (links are absolute).
    """
    query = "&".join(f"{name}={value}" for name, values in sorted(request.GET.lists()) for value in values)
    origin = f"{request.scheme}://{request.get_host()}"
    return "\n".join((origin, request.path, query, request.META.get("HTTP_ACCEPT", "")))


def etag(version: int, request) -> str:
    """The ETag of the public response to ``request`` made from ``version``.

    Kept on the request for its version: the middleware and the view that builds the
    response both need it, and the request does not change between them.
    """
    http_request = getattr(request, "_request", request)
    kept = getattr(http_request, "_public_etag", None)
    if kept is not None and kept[0] == version:
        return kept[1]
    digest = hashlib.blake2b(f"{release()}\n{version}\n{request_key(request)}".encode(), digest_size=16)
    tag = f'"v{digest.hexdigest()}"'
    http_request._public_etag = (version, tag)
    return tag


def matches(request, tag: str) -> bool:
    """Whether the request's If-None-Match names ``tag`` (weak comparison, as for GET).

    Only a tag the API gave for this very request counts: ``*`` matches any response,
    which is decided only once the request has been checked and answered (Django's
    ConditionalGetMiddleware then answers it), so it is not answered early.
    """
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    return tag.removeprefix("W/") in {t.removeprefix("W/") for t in parse_etags(header)}


def cache_headers(response, *, authenticated: bool):
    """Cache-Control and Vary of a successful or not-modified public API response."""
    if authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        seconds = settings.FACTCHECK_API_CACHE_SECONDS
        patch_cache_control(response, public=True, max_age=seconds, stale_while_revalidate=seconds * 5)
    patch_vary_headers(response, ["Accept", "Authorization", "Cookie", "Origin"])
    return response


def not_modified(tag: str, *, authenticated: bool) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = tag
    return cache_headers(response, authenticated=authenticated)


@lru_cache(maxsize=4096)
def _versioned_path(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return bool(getattr(getattr(match.func, "cls", None), "revalidated_by_version", False))


def RevalidationMiddleware(get_response):
    """Answers an anonymous GET of a versioned API endpoint before anything else runs, when it can.

    A caller who sends no credentials (no Authorization header, no session cookie) sees
    the public record whatever those say, so its response's ETag is known from the
    version alone: a matching conditional GET is answered 304 after reading the version
    and nothing else. Where this process hears the version without a query
    (claims.public_version), a response already built for that ETag is served again
    (factcheck.api.response_cache), and one built now is kept for the next caller; where
    it does not, a read of the version per request would cost more than it saves, and
    the view builds every response. The view also answers a conditional GET itself,
    after content negotiation, authentication, parameter checks and throttling.
    Requests are counted by the anonymous throttle once (the view's throttle reuses the
    count); one over the limit goes on to be refused as usual.
    """
    from factcheck.api.response_cache import responses
    from factcheck.api.throttling import AnonRateThrottle

    def middleware(request):
        if not (
            request.method in ("GET", "HEAD")
            and not credentials.sent(request)
            and request.path_info.startswith("/api/")
            and _versioned_path(request.path_info)
        ):
            return get_response(request)
        version = public_version.heard(database())
        conditional = "HTTP_IF_NONE_MATCH" in request.META
        if version is None and not conditional:
            return get_response(request)
        request.user = AnonymousUser()
        if not AnonRateThrottle.counted(request):
            return get_response(request)
        heard = version is not None
        if version is None:
            version = read_version()
        tag = etag(version, request)
        if conditional and matches(request, tag):
            return not_modified(tag, authenticated=False)
        if not heard:
            return get_response(request)
        kept = responses.get(version, tag)
        if kept is not None:
            return kept
        response = get_response(request)
        responses.put(version, tag, response)
        return response

    return middleware
