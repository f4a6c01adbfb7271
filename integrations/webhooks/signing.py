"""Standard Webhooks signatures (https://www.standardwebhooks.com/): HMAC-SHA256, base64.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the key is the
base64 part of the subscription's ``whsec_`` secret.
"""

import base64
import hashlib
import hmac


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64 signature>``."""
    content = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
        "Content-Type": "application/json",
    }


def verify(secret: str, webhook_id: str, timestamp: str, body: bytes, signature_header: str) -> bool:
    """Whether any of the header's space-separated ``v1,`` signatures matches (as a receiver checks)."""
    expected = sign(secret, webhook_id, int(timestamp), body).removeprefix("v1,")
    return any(
        hmac.compare_digest(candidate.removeprefix("v1,"), expected)
        for candidate in signature_header.split()
        if candidate.startswith("v1,")
    )
