"""Sending deliveries from the job queue: at least once, exponential backoff, then failed.

Each delivery is a job (``deliver_webhook``) on the shared queue; any number of
``manage.py db_worker`` processes run them. An attempt leases its delivery (a row lock,
then ``leased_until``) so two workers never send it at the same moment, and queues a
watchdog job for when the lease ends: a worker that dies mid-attempt leaves a lapsed lease
that the watchdog (or ``recover_orphans``, run after every job and by ``manage.py webhooks
recover``) picks up. A receiver that answered
2xx before the worker died may get the event twice: with the same ``webhook-id``.
"""

import json
import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ..models import DeliveryStatus, WebhookDelivery
from . import addresses, signing

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# An attempt's lease outlives its timeout; a lapsed lease means its worker died.
LEASE = timedelta(seconds=TIMEOUT_SECONDS + 20)
# A delivery due this long ago and never leased lost its job (a worker died between taking
# the job and leasing the delivery): rare, so the wait can be long.
ORPHAN_AFTER = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from the base, capped, with jitter."""
    base = settings.FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** (attempts - 1), settings.FACTCHECK_WEBHOOK_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # spreads retries out


def _lease(delivery_id: int) -> WebhookDelivery | None:
    with transaction.atomic():
        # Only the delivery row is locked (of self, no key): the event and subscription rows
        # are shared with other deliveries and with writers adding new ones.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
            .select_related("event", "subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        now = timezone.now()
        if delivery is None or delivery.next_attempt_at > now:
            return None  # done, failed, being sent by another worker, or not due yet
        if delivery.leased_until and delivery.leased_until > now:
            return None
        delivery.attempts += 1
        delivery.leased_until = now + LEASE
        delivery.last_attempt_at = now
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.save(update_fields=["attempts", "leased_until", "last_attempt_at", "first_attempt_at"])
        # A watchdog: if this worker dies mid-attempt, this job finds the lapsed lease and
        # tries again; if the attempt settles first, it finds nothing to do.
        deliver_webhook.using(run_after=delivery.leased_until).enqueue(delivery_id=delivery.pk)
        return delivery


def attempt(delivery_id: int) -> str | None:
    """Try one delivery once if it is due; returns its status afterwards (None if not attempted)."""
    delivery = _lease(delivery_id)
    if delivery is None:
        return None
    event, subscription = delivery.event, delivery.subscription
    body = json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(timezone.now().timestamp())
    headers = signing.headers(subscription.secret, event.webhook_id, timestamp, body)
    status_code = None
    try:
        status_code, text = addresses.post(subscription.url, body, headers, timeout=TIMEOUT_SECONDS)
    except (OSError, addresses.RefusedAddress) as error:
        text = f"{type(error).__name__}: {error}"
    except Exception as error:  # an HTTP-level failure of any kind is a failed attempt, not a lost delivery
        text = f"{type(error).__name__}: {error}"
    return _settle(delivery, status_code, text)


@transaction.atomic
def _settle(delivery: WebhookDelivery, status_code: int | None, text: str) -> str:
    now = timezone.now()
    delivery.last_status_code = status_code
    delivery.last_response = text[:2000]
    delivery.leased_until = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
    else:
        retry_at = now + backoff(delivery.attempts)
        window_closes = delivery.event.created_at + timedelta(seconds=settings.FACTCHECK_WEBHOOK_RETRY_WINDOW_SECONDS)
        if retry_at > window_closes:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = retry_at
            deliver_webhook.using(run_after=retry_at).enqueue(delivery_id=delivery.pk)
    delivery.save(
        update_fields=["status", "delivered_at", "next_attempt_at", "leased_until", "last_status_code", "last_response"]
    )
    return delivery.status


def recover_orphans(limit: int = 500) -> int:
    """Queue again the pending deliveries whose job was lost (a worker died holding them)."""
    now = timezone.now()
    with transaction.atomic():
        orphans = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING)
            .filter(Q(leased_until__lte=now) | Q(leased_until__isnull=True, next_attempt_at__lte=now - ORPHAN_AFTER))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if orphans:
            # Due now, and no longer leased: a new job takes them.
            WebhookDelivery.objects.filter(pk__in=orphans).update(next_attempt_at=now, leased_until=None)
            for delivery_id in orphans:
                deliver_webhook.enqueue(delivery_id=delivery_id)
    if orphans:
        logger.warning("Queued %d webhook deliveries again whose worker had stopped.", len(orphans))
    return len(orphans)


def redeliver(deliveries) -> int:
    """Send again (the same event, the same webhook-id): for the admin's redeliver action."""
    count = 0
    with transaction.atomic():
        now = timezone.now()
        for delivery in deliveries.select_for_update(of=("self",)):
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now
            delivery.leased_until = None
            delivery.save(update_fields=["status", "next_attempt_at", "leased_until"])
            deliver_webhook.enqueue(delivery_id=delivery.pk)
            count += 1
    return count


@task()
def deliver_webhook(*, delivery_id: int) -> str | None:
    """The job: one attempt at one delivery, then a look for deliveries whose worker died."""
    status = attempt(delivery_id)
    recover_orphans()
    return status
