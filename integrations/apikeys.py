"""API keys on the read API: authentication, each key's own rate limit, and usage per day.

A key is sent as ``Authorization: Api-Key <key>``. An unknown, revoked or expired key is
a 401; a key over its limit a 429 (other keys and anonymous callers are not affected).
Requests without a key keep the anonymous limit.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_api_key.permissions import KeyParser

from factcheck.api.throttling import AnonRateThrottle

from .models import APIKey, APIKeyScope, APIKeyUsage


class KeyHolder:
    """Who a public-scope key reads as: authenticated, but with no desk rights at all."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, key: APIKey):
        self.key = key
        self.username = f"api-key:{key.prefix}"

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perms, obj=None) -> bool:
        return False

    def __str__(self) -> str:
        return self.username


def record_usage(key: APIKey) -> None:
    """Count one request for ``key`` today (UTC): one UPDATE, or an INSERT for the day's first."""
    today = timezone.now().date()
    if APIKeyUsage.objects.filter(key=key, day=today).update(requests=F("requests") + 1):
        return
    try:
        with transaction.atomic():
            APIKeyUsage.objects.create(key=key, day=today, requests=1)
    except IntegrityError:  # another request made the day's row first
        APIKeyUsage.objects.filter(key=key, day=today).update(requests=F("requests") + 1)


class APIKeyAuthentication(BaseAuthentication):
    keyword = KeyParser.keyword

    def authenticate(self, request):
        raw = KeyParser().get_from_authorization(request._request)
        if raw is None:
            return None
        try:
            key = APIKey.objects.get_from_key(raw)
        except APIKey.DoesNotExist:
            raise AuthenticationFailed("Unknown or revoked API key.") from None
        if key.has_expired:
            raise AuthenticationFailed("This API key has expired.")
        if not key.owner.is_active:
            raise AuthenticationFailed("This API key's owner is no longer active.")
        record_usage(key)
        user = key.owner if key.scope == APIKeyScope.DESK else KeyHolder(key)
        return user, key

    def authenticate_header(self, request) -> str:
        return self.keyword


class APIKeyRateThrottle(AnonRateThrottle):
    """Each key's own limit (requests per minute), counted like the anonymous one."""

    scope = "api_key"

    def __init__(self):
        # The rate is the key's, read per request.
        self.rate = None

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, APIKey):
            return True
        self.rate = f"{key.rate_limit}/minute"
        self.num_requests, self.duration = key.rate_limit, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"throttle_api_key_{request.auth.prefix}"


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = APIKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API key issued by the desk, sent as "Api-Key <key>". Each key has its own rate limit.',
        }
