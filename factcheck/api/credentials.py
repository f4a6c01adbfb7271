"""Whether a request carries credentials at all: one rule for everything that treats it as anonymous."""

from django.conf import settings


def sent(request) -> bool:
    """Whether ``request`` carries anything the API's authenticators read.

    Tokens and API keys come in the Authorization header, desk members' sessions in the
    session cookie (settings ``DEFAULT_AUTHENTICATION_CLASSES``). A request with neither is
    anonymous whatever else it sends: no authenticator would find anyone.
    """
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES
