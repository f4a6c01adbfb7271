"""The client's address, decided once for the login lockout, the API throttle and the logs.

Behind ``FACTCHECK_NUM_PROXIES`` trusted proxies, each of which appends the address it
received the request from to ``X-Forwarded-For``, the client is the right-most entry not
written by one of ours: the N-th from the right. Everything to its left came from the
client and may be forged, so it is never used. Without proxies, the socket's address.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address of the client that reached our first trusted proxy (or us directly)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.FACTCHECK_NUM_PROXIES
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer hops than proxies: the request skipped one of them; the left-most is then the
    # furthest any of ours saw.
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Our proxies write addresses; anything else was not written by them.
        return remote
