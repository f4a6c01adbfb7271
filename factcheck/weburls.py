"""Web addresses as the API publishes them: absolute http(s) URIs (RFC 3986).

The API documents every link as ``format: uri``. Django's URLValidator accepts characters
RFC 3986 does not (``<``, ``>``, spaces in a path, non-ASCII letters), so an address
written through the admin, an import or a fixture could be served in a form the schema
says is impossible. Addresses are therefore normalised where they are written (IRIs
percent-encoded, as browsers do) and then checked against the URI grammar.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.encoding import iri_to_uri

# RFC 3986 section 2: unreserved, reserved and percent-encoded octets, nothing else.
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_AUTHORITY = re.compile(r"^https?://([^/?#]*)")

_web = URLValidator(schemes=["http", "https"])


def normalise_web_url(value: str) -> str:
    """Percent-encode what a URI cannot hold as typed (non-ASCII, spaces, ``<>"{}|\\^`` ...)."""
    return iri_to_uri(value.strip()) if value else value


def validate_web_url(value: str) -> None:
    """An absolute http(s) URL that satisfies RFC 3986."""
    if not value:
        return
    _web(value)
    problem = uri_problem(value)
    if problem:
        raise ValidationError(f"Enter a valid URL: this one has {problem}.", code="invalid")


def uri_problem(value: str) -> str | None:
    """What keeps ``value``, an http(s) URL, from being an RFC 3986 URI (None: nothing)."""
    problem = None
    if not _URI_CHARACTERS.fullmatch(value):
        problem = "characters a URL cannot hold (percent-encode them)"
    elif value.count("#") > 1:
        problem = "more than one #"
    else:
        authority = _AUTHORITY.match(value)
        rest = value[authority.end() :] if authority else value
        if "[" in rest or "]" in rest:
            problem = "square brackets outside an IPv6 host"
    return problem


class WebURLField(models.URLField):
    """A URLField holding only absolute http(s) RFC 3986 URIs, normalised when cleaned."""

    default_validators = [validate_web_url]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_web_url(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
