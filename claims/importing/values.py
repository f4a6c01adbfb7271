"""Values as the database holds them, from what real data sends.

Text with entities, markup and odd spaces cleaned (:func:`clean_text`); web addresses
checked (:func:`parse_url`); numbers kept to the four decimal places stored. Each raises
:class:`~claims.importing.summary.RecordError` naming the field when a value cannot be
honoured; ``LIMITS`` are the longest values the desk stores.
"""

import html
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urljoin

from factcheck.weburls import normalise_web_url, uri_problem

from .summary import RecordError

LIMITS = {
    "claimReviewed": 5000,
    "headline": 300,
    "reviewBody": 100_000,
    "author name": 200,
    "speaker name": 300,
    "jobTitle": 300,
    "affiliation": 300,
    "alternateName": 1000,
    "inLanguage": 35,
    "url": 2000,
    "publisher url": 500,
    "appearance headline": 500,
    "publisher name": 200,
    "made in": 300,
}
WEB_ADDRESS = re.compile(
    r"https?://(?:[^\s/?#@]*@)?(?P<host>\[[0-9a-f:.]+\]|[^\s/?#:@\[\]]+)(?::(?P<port>[0-9]{1,5}))?(?:[/?#]\S*)?",
    re.IGNORECASE,
)
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Markup, not comparisons: "< 4%" and "more than >" are text.
BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote)\s*>", re.IGNORECASE)
TAGS = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)


def clean_text(value, what: str = "", *, limit: int | None = None, paragraphs: bool = False) -> str:
    """Text as people meant it: entities decoded, markup and NULs removed, spaces collapsed.

    With ``paragraphs``, paragraph breaks (line breaks, </p>, <br>) are kept as blank lines.
    """
    if value is None:
        return ""
    if (
        value.__class__ is str
        and not paragraphs
        # Printable: no space other than " " (nor NUL), so splitting on spaces would only
        # collapse and strip plain spaces; most values have nothing to clean.
        and value.isprintable()
        and "&" not in value
        and "<" not in value
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    ):
        if limit is not None and len(value) > limit:
            raise RecordError(f"{what} is {len(value)} characters long; the most this desk stores is {limit}")
        return value
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, list):
        value = next((item for item in value if item), "")
    text = str(value)
    if "&" in text:  # entities, sometimes escaped twice
        text = html.unescape(html.unescape(text))
    if "<" in text:
        if paragraphs:
            text = BREAKS.sub("\n", text)
        text = TAGS.sub(" ", text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if paragraphs:
        lines = (" ".join(line.split()) for line in text.splitlines())
        text = "\n\n".join(line for line in lines if line)
    else:
        text = " ".join(text.split())  # every kind of space, no-break spaces included
    if limit is not None and len(text) > limit:
        raise RecordError(f"{what} is {len(text)} characters long; the most this desk stores is {limit}")
    return text


def parse_url(value, what: str, *, limit: int = LIMITS["url"], base: str = "") -> str:
    """A web address; a relative one (``/author/jane``) resolved against ``base``.

    A relative address with no ``base`` is refused, and so is one that could be either a
    path or a host without its scheme (``www.example.org/x``): which it is would be a guess.
    """
    url = clean_text(value, what)
    if not url:
        return ""
    if not SCHEME.match(url):
        first_segment = url.split("/", 1)[0]
        if "." in first_segment and not url.startswith((".", "/")):
            raise RecordError(
                f"{what} is not a web address: {url!r} has no scheme (https://) and could be a host or a path"
            )
        if not base:
            raise RecordError(f"{what} is not a web address: {url!r} is relative and the page's address is unknown")
        url = urljoin(base, url)
    if len(url) > limit:
        raise RecordError(f"{what} is {len(url)} characters long; the most this desk stores is {limit}")
    # A web address: http(s), a host, no spaces. (Django's URLValidator says the same at
    # ten times the cost, which a large import feels.)
    match = WEB_ADDRESS.fullmatch(url)
    host = match["host"].lower() if match else ""
    valid = (
        match is not None
        and ("." in host or host.startswith("[") or host == "localhost")
        and not host.startswith(".")
        and (match["port"] is None or 0 < int(match["port"]) <= 65535)
    )
    if not valid:
        raise RecordError(f"{what} is not a web address: {url!r}")
    # Served by the API as an RFC 3986 URI: percent-encode what a URI cannot hold as typed
    # (an address that is one already is left as it is, and most are).
    if uri_problem(url) is not None:
        url = normalise_web_url(url)
        if problem := uri_problem(url):
            raise RecordError(f"{what} is not a web address ({problem}): {url!r}")
    if len(url) > limit:
        raise RecordError(f"{what} is {len(url)} characters long once encoded; the most this desk stores is {limit}")
    return url


def parse_number(value, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise RecordError(f"{what} is not a number: {value!r}") from error
    if not number.is_finite() or abs(number) >= 10**8:
        raise RecordError(f"{what} is out of range: {value!r}")
    # Kept to the four decimal places the database stores, so a re-import compares equal.
    return number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
