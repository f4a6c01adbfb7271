"""Webhooks: the outbox is written with the change, payloads are public and signed, retries, SSRF."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from claims import services
from claims.models import Rating
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from integrations.services import check_subscription
from integrations.webhooks import delivery as sending
from integrations.webhooks import signing
from tests.factories import make_claim, make_verdict

from .helpers import correct, published_fact_check, retract

pytestmark = pytest.mark.django_db


def anonymous_json(client, url):
    response = client.get(url, {"format": "json"} if url.endswith("claim-review/") else {})
    assert response.status_code == 200
    return response.json()


def test_publishing_writes_the_event_its_deliveries_and_their_jobs_with_the_change(subscription, reviewer, editor):
    verdict = published_fact_check("Shells were bought.", reviewer=reviewer, editor=editor)
    event = WebhookEvent.objects.get()
    assert event.type == "verdict.published"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.subscription, delivery.status) == (event, subscription, DeliveryStatus.PENDING)
    jobs = DBTaskResult.objects.filter(task_path="integrations.webhooks.delivery.deliver_webhook")
    assert [job.args_kwargs["kwargs"] for job in jobs] == [{"delivery_id": delivery.pk}]
    assert event.payload["data"]["verdict"]["id"] == verdict.pk


def test_a_change_rolled_back_leaves_no_event_and_no_job(subscription, reviewer, editor):
    with pytest.raises(RuntimeError), transaction.atomic():
        published_fact_check("Never happened.", reviewer=reviewer, editor=editor)
        assert WebhookEvent.objects.count() == 1
        raise RuntimeError("the transaction fails after the change")
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_payload_is_the_public_api_representation_and_the_claim_review(client, subscription, reviewer, editor):
    verdict = published_fact_check("Public fields only.", reviewer=reviewer, editor=editor)
    data = WebhookEvent.objects.get().payload["data"]
    # The API a client reads answers with the desk's address (FACTCHECK_DESK_URL) in the payload.
    assert data["claim"]["id"] == verdict.claim_id
    assert data["claim"]["text"] == "Public fields only."
    assert data["verdict"]["internal"] is None
    api_verdict = anonymous_json(client, f"/api/v1/verdicts/{verdict.pk}/")
    assert data["verdict"] == json.loads(
        json.dumps(api_verdict).replace("http://testserver/", "http://127.0.0.1:8000/")
    )
    review = anonymous_json(client, f"/api/v1/verdicts/{verdict.pk}/claim-review/")
    assert data["claim_review"]["claimReviewed"] == review["claimReviewed"] == "Public fields only."
    assert data["claim_review"]["reviewRating"] == review["reviewRating"]


def test_correction_and_retraction_send_their_events(subscription, reviewer, editor):
    verdict = published_fact_check("Volunteers.", reviewer=reviewer, editor=editor)
    corrected = correct(verdict, editor=editor, rating=Rating.objects.get(slug="disputed"))
    retract(corrected, editor=editor, note="Misattributed.")
    events = list(WebhookEvent.objects.order_by("created_at"))
    assert [event.type for event in events] == ["verdict.published", "verdict.corrected", "verdict.retracted"]
    corrected_data = events[1].payload["data"]
    assert corrected_data["verdict"]["id"] == corrected.pk
    assert corrected_data["claim_review"]["reviewRating"]["alternateName"] == "Disputed"
    retracted_data = events[2].payload["data"]
    assert retracted_data["verdict"]["status"] == "retracted"
    assert retracted_data["verdict"]["public_note"] == "Misattributed."
    # A retracted claim is no longer public, and a retraction is no ClaimReview.
    assert retracted_data["claim"] is None and retracted_data["claim_review"] is None


def test_claim_updated_only_for_public_claims(subscription, reviewer, editor):
    verdict = published_fact_check("Before the edit.", reviewer=reviewer, editor=editor)
    WebhookEvent.objects.all().delete()
    claim = verdict.claim
    claim.text = "After the edit."
    services.claim_save(claim=claim, actor=editor)
    draft_claim = make_claim("A draft's claim.")
    make_verdict(draft_claim)
    draft_claim.text = "Edited draft."
    services.claim_save(claim=draft_claim, actor=editor)
    services.claim_assign(claim=claim, actor=editor, reviewer=reviewer)

    event = WebhookEvent.objects.get()
    assert event.type == "claim.updated"
    assert event.payload["data"]["claim"]["text"] == "After the edit."
    assert "assigned_to" not in json.dumps(event.payload)


def test_only_subscribed_active_receivers_get_deliveries(subscription, receiver, reviewer, editor):
    WebhookSubscription.objects.create(name="Retractions only", url=receiver.url, events=["verdict.retracted"])
    WebhookSubscription.objects.create(name="Off", url=receiver.url, events=["verdict.published"], is_active=False)
    published_fact_check("Who hears it.", reviewer=reviewer, editor=editor)
    assert [d.subscription for d in WebhookDelivery.objects.all()] == [subscription]


def test_delivery_is_signed_per_standard_webhooks(subscription, receiver, reviewer, editor):
    published_fact_check("Signed.", reviewer=reviewer, editor=editor)
    delivery = WebhookDelivery.objects.get()
    assert sending.attempt(delivery.pk) == DeliveryStatus.DELIVERED

    sent = receiver.received[0]
    headers = sent["headers"]
    assert headers["webhook-id"] == delivery.event.webhook_id
    assert headers["Content-Type"] == "application/json"
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    # Checked here the way the specification describes, independently of signing.py.
    key = base64.b64decode(subscription.secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + sent["body"]
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert signing.verify(
        subscription.secret,
        headers["webhook-id"],
        headers["webhook-timestamp"],
        sent["body"],
        headers["webhook-signature"],
    )
    assert not signing.verify(
        subscription.secret,
        headers["webhook-id"],
        headers["webhook-timestamp"],
        sent["body"] + b" ",
        headers["webhook-signature"],
    )
    assert json.loads(sent["body"])["type"] == "verdict.published"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)


def test_failed_attempts_back_off_and_keep_the_webhook_id(subscription, receiver, reviewer, editor, settings):
    settings.FACTCHECK_WEBHOOK_RETRY_BASE_SECONDS = 10
    published_fact_check("Retried.", reviewer=reviewer, editor=editor)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [500, 503]
    before = timezone.now()
    assert sending.attempt(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_status_code == 500
    assert before + timedelta(seconds=7) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=13)
    assert DBTaskResult.objects.filter(run_after=delivery.next_attempt_at).count() == 1
    # Not due yet: a job run early does nothing.
    assert sending.attempt(delivery.pk) is None

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert sending.attempt(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert timezone.now() + timedelta(seconds=15) < delivery.next_attempt_at  # doubled
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert sending.attempt(delivery.pk) == DeliveryStatus.DELIVERED
    ids = {sent["headers"]["webhook-id"] for sent in receiver.received}
    assert len(receiver.received) == 3 and ids == {delivery.event.webhook_id}


def test_after_the_retry_window_a_delivery_fails_with_its_last_response(
    subscription, receiver, reviewer, editor, settings
):
    settings.FACTCHECK_WEBHOOK_RETRY_WINDOW_SECONDS = 0
    published_fact_check("Gives up.", reviewer=reviewer, editor=editor)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [410]
    assert sending.attempt(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_response) == (410, "ok")

    assert sending.redeliver(WebhookDelivery.objects.filter(pk=delivery.pk)) == 1
    assert sending.attempt(delivery.pk) == DeliveryStatus.DELIVERED
    assert {sent["headers"]["webhook-id"] for sent in receiver.received} == {delivery.event.webhook_id}


def test_a_lapsed_lease_is_queued_again(subscription, reviewer, editor):
    published_fact_check("Worker died.", reviewer=reviewer, editor=editor)
    delivery = WebhookDelivery.objects.get()
    # A worker took it and died mid-attempt: the lease is left to lapse.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, leased_until=timezone.now() - timedelta(seconds=1)
    )
    jobs_before = DBTaskResult.objects.count()
    assert sending.recover_orphans() == 1
    assert DBTaskResult.objects.count() == jobs_before + 1
    # A lease still running is left alone.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(leased_until=timezone.now() + timedelta(seconds=30))
    assert sending.recover_orphans() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_loopback_and_link_local_receivers_are_refused(url, settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        check_subscription(url=url, events=["verdict.published"])
    assert "refused" in str(refused.value)


@pytest.mark.parametrize("url", ["ftp://example.org/", "http://user:pw@example.org/", "/relative"])
def test_malformed_receiver_urls_are_refused(url):
    with pytest.raises(ValidationError):
        check_subscription(url=url, events=["verdict.published"])


def test_delivery_to_a_refused_address_is_a_failed_attempt_not_a_request(
    subscription, receiver, reviewer, editor, settings
):
    published_fact_check("Refused at send time.", reviewer=reviewer, editor=editor)
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False
    delivery = WebhookDelivery.objects.get()
    assert sending.attempt(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_response.startswith("RefusedAddress")
    assert receiver.received == []


def test_a_worker_dying_mid_attempt_leaves_a_watchdog_job(subscription, receiver, reviewer, editor):
    published_fact_check("Worker killed.", reviewer=reviewer, editor=editor)
    delivery = WebhookDelivery.objects.get()
    leased = sending._lease(delivery.pk)  # the worker took it, then died before settling
    assert DBTaskResult.objects.filter(run_after=leased.leased_until).count() == 1
    # While the lease runs, nobody else sends it.
    assert sending.attempt(delivery.pk) is None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    # The watchdog job's run: the lapsed lease is taken over and the event sent.
    assert sending.attempt(delivery.pk) == DeliveryStatus.DELIVERED
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert [sent["headers"]["webhook-id"] for sent in receiver.received] == [delivery.event.webhook_id]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_is_sent_while_a_writer_adds_others_for_the_same_subscriber(
    subscription, receiver, reviewer, editor
):
    """A writer adding a delivery holds a key-share lock on the subscription row until it commits.

    Leasing a delivery must not wait for it, nor skip the delivery as if another worker had it.
    (SQLite has no row locks: there the attempt simply runs.)
    """
    published_fact_check("First.", reviewer=reviewer, editor=editor)
    first = WebhookDelivery.objects.get()
    writer = connections.create_connection("default")
    try:
        if writer.vendor == "postgresql":
            writer.set_autocommit(False)
            with writer.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM integrations_webhooksubscription WHERE id = %s FOR KEY SHARE", [subscription.pk]
                )
        assert sending.attempt(first.pk) == DeliveryStatus.DELIVERED
    finally:
        if writer.vendor == "postgresql":
            writer.rollback()
        writer.close()


def test_a_claim_saved_with_its_topics_sends_one_update_with_the_finished_state(subscription, reviewer, editor):
    from claims.models import Topic

    verdict = published_fact_check("Before.", reviewer=reviewer, editor=editor)
    WebhookEvent.objects.all().delete()
    topic = Topic.objects.create(name="Artillery", slug="artillery")
    claim = verdict.claim
    claim.text = "After."
    services.claim_save(claim=claim, actor=editor, topics=[topic])
    event = WebhookEvent.objects.get()
    assert event.type == "claim.updated"
    assert event.payload["data"]["claim"]["text"] == "After."
    assert [t["slug"] for t in event.payload["data"]["claim"]["topics"]] == ["artillery"]
    # A topic added on its own (outside a claim save) is an update too.
    claim.topics.add(Topic.objects.create(name="Rockets", slug="rockets"))
    assert WebhookEvent.objects.filter(type="claim.updated").count() == 2
