"""SSRF checks: where a webhook may be delivered.

A receiver's host is resolved once per attempt and every address it resolves to must be
public: private, loopback, link-local, multicast, reserved and unspecified addresses are
refused unless FACTCHECK_WEBHOOK_ALLOW_PRIVATE is on (tests, a receiver on the same
network). The connection then goes to the address that was checked, so a DNS answer that
changes between check and connect cannot redirect it.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


class RefusedAddress(Exception):
    """The receiver's address is not one webhooks may reach."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def check_url(url: str) -> str:
    """The URL's host name; ValidationError if it is not http(s) with a host (nothing is resolved yet)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("A webhook URL must be http:// or https:// with a host name.")
    if parts.username or parts.password:
        raise ValidationError("A webhook URL must not carry a user name or password.")
    return parts.hostname


def resolve(url: str) -> tuple[str, str, int]:
    """(host, checked address, port) for ``url``; RefusedAddress if it may not be reached."""
    host = check_url(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedAddress(f"{parts.hostname} does not resolve: {error}") from error
    # Stream sockets of the IP families: the address is the text of an IP (v6 with a zone, maybe).
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE:
        refused = [str(address) for address in addresses if not _is_public(address)]
        if refused:
            raise RefusedAddress(
                f"{parts.hostname} resolves to {', '.join(refused)}: private, loopback and link-local addresses "
                "are refused (FACTCHECK_WEBHOOK_ALLOW_PRIVATE allows them)."
            )
    return host, str(addresses[0]), port


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> tuple[int, str]:
    """POST ``body`` to ``url`` at its checked address; (status, start of the answer). Redirects are not followed."""
    host, address, port = resolve(url)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, address, port, timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request("POST", path, body=body, headers={**headers, "User-Agent": "factcheck-webhooks/1"})
        response = connection.getresponse()
        text = response.read(2000).decode("utf-8", "replace")
        return response.status, text
    finally:
        connection.close()
