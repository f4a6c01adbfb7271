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
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import router
from django.utils.cache import parse_etags

from claims import public_version
from claims.models import PublicRecordVersion

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
    return public_version.current(database())


def request_key(request) -> str:
    """Everything of the request that decides a public response, in one string.

    Parameters are sorted (their order changes nothing) but repeated values keep their
    order; the negotiated media type and the origin (links are absolute) are included.
    """
    query = "&".join(f"{name}={value}" for name, values in sorted(request.query_params.lists()) for value in values)
    origin = f"{request.scheme}://{request.get_host()}"
    return "\n".join((origin, request.path, query, getattr(request, "accepted_media_type", "") or ""))


def etag(version: int, request) -> str:
    digest = hashlib.blake2b(f"{release()}\n{version}\n{request_key(request)}".encode(), digest_size=16)
    return f'"v{digest.hexdigest()}"'


def matches(request, tag: str) -> bool:
    """Whether the request's If-None-Match names ``tag`` (weak comparison, as for GET)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or tag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}
