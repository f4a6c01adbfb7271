"""Writing the outbox: an event and its deliveries, in the transaction that made the change.

The payload is built at once from the public API itself (the claim and verdict details an
anonymous caller would read, and the ClaimReview), so every attempt and every receiver
gets the same body, and nothing the public may not see ever leaves.
"""

import json
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework.viewsets import ViewSetMixin

from claims.choices import VerdictStatus
from claims.models import Verdict
from claims.visibility import public_claims

from ..models import WebhookDelivery, WebhookEvent, WebhookEventType, WebhookSubscription

VERDICT_EVENTS = {
    "published": WebhookEventType.VERDICT_PUBLISHED,
    "corrected": WebhookEventType.VERDICT_CORRECTED,
    "retracted": WebhookEventType.VERDICT_RETRACTED,
}


class _ViewSetView(Protocol):
    """A viewset's view function: what ``as_view()`` sets on it (not in the stubs)."""

    cls: type[ViewSetMixin]
    actions: dict[str, Any]
    initkwargs: dict[str, Any]


def public_api_get(path: str):
    """What an anonymous GET of ``path`` on the public API answers (parsed JSON), or None unless 200.

    The view is called in this process and this transaction, without the request limit
    (the desk's own writes are not API traffic).
    """
    desk = urlsplit(settings.FACTCHECK_DESK_URL)
    request = RequestFactory().get(
        path,
        {"format": "json"} if path.endswith("claim-review/") else {},
        HTTP_HOST=desk.netloc,
        secure=desk.scheme == "https",
    )
    match = resolve(path)
    api_view = cast(_ViewSetView, match.func)  # the public API's paths all route to viewsets
    view = api_view.cls.as_view(api_view.actions, **{**api_view.initkwargs, "throttle_classes": []})
    response = view(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        return None
    response.render()
    return json.loads(response.content)


def _claim(claim_id: int):
    return public_api_get(reverse("api-v1:claim-detail", args=[claim_id]))


def _subscribers(event_type: str) -> list[WebhookSubscription]:
    return [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True)
        if event_type in subscription.events
    ]


def _record(event_type: str, data: dict, subscriptions: list[WebhookSubscription]) -> WebhookEvent:
    from .delivery import deliver_webhook

    now = timezone.now()
    body = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    event = WebhookEvent.objects.create(type=event_type, payload=body, created_at=now)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, subscription=subscription, next_attempt_at=now) for subscription in subscriptions
    )
    for delivery in deliveries:
        # The job row is written in this transaction too (the database queue): committed
        # with the change, or not at all.
        deliver_webhook.enqueue(delivery_id=delivery.pk)
    return event


@transaction.atomic
def verdict_event(*, verdict: Verdict, change: str) -> WebhookEvent | None:
    """Record a verdict published, corrected or retracted (``change``) for its subscribers."""
    subscriptions = _subscribers(VERDICT_EVENTS[change])
    if not subscriptions:
        return None  # nobody listens: no payload to build
    data = {
        "verdict": public_api_get(reverse("api-v1:verdict-detail", args=[verdict.pk])),
        # As the public API shows it (a retracted fact-check's claim as withdrawn; null if not shown).
        "claim": _claim(verdict.claim_id),
        "claim_review": (
            public_api_get(reverse("api-v1:verdict-claim-review", args=[verdict.pk]))
            if verdict.status == VerdictStatus.PUBLISHED
            else None
        ),
    }
    return _record(VERDICT_EVENTS[change], data, subscriptions)


@transaction.atomic
def claims_updated(claim_ids) -> list[WebhookEvent]:
    """Record ``claim.updated`` for each public claim among ``claim_ids`` (the others are nobody's business)."""
    subscriptions = _subscribers(WebhookEventType.CLAIM_UPDATED)
    if not subscriptions:
        return []
    return [
        _record(WebhookEventType.CLAIM_UPDATED, {"claim": _claim(claim_id)}, subscriptions)
        for claim_id in public_claims().filter(pk__in=list(claim_ids)).values_list("pk", flat=True)
    ]
