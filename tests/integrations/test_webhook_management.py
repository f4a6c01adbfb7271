"""Subscriptions from the command line and in the admin (editors), and a real queue worker."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from integrations.webhooks.delivery import attempt

from .helpers import published_fact_check


@pytest.mark.django_db
def test_command_adds_lists_and_removes(receiver):
    out = io.StringIO()
    call_command("webhooks", "add", "--name", "CMS", "--url", receiver.url, "--events", "verdict.published", stdout=out)
    subscription = WebhookSubscription.objects.get()
    assert f"Subscription {subscription.pk} added. Signing secret: {subscription.secret}" in out.getvalue()
    assert subscription.secret.startswith("whsec_") and subscription.events == ["verdict.published"]

    out = io.StringIO()
    call_command("webhooks", "list", stdout=out)
    assert out.getvalue() == f"{subscription.pk}\tCMS\t{receiver.url}\tactive\tverdict.published\n"

    call_command("webhooks", "remove", str(subscription.pk), stdout=io.StringIO())
    assert not WebhookSubscription.objects.exists()
    with pytest.raises(CommandError, match="No webhook subscription"):
        call_command("webhooks", "remove", str(subscription.pk))


@pytest.mark.django_db
def test_command_refuses_a_private_address_and_unknown_events(settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(CommandError, match="refused"):
        call_command("webhooks", "add", "--name", "x", "--url", "http://10.1.2.3/")
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = True
    with pytest.raises(CommandError, match=r"Unknown event types: verdict\.deleted"):
        call_command("webhooks", "add", "--name", "x", "--url", "http://10.1.2.3/", "--events", "verdict.deleted")
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_editors_manage_subscriptions_in_the_admin_and_reviewers_cannot(client, editor, reviewer, receiver):
    client.force_login(editor)
    response = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"name": "Partner", "url": receiver.url, "events": ["verdict.published", "claim.updated"], "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    subscription = WebhookSubscription.objects.get()
    assert subscription.created_by == editor
    assert subscription.events == ["verdict.published", "claim.updated"]
    assert client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/change/").status_code == 200
    client.force_login(reviewer)
    assert client.get("/admin/integrations/webhooksubscription/").status_code == 403


@pytest.mark.django_db
def test_admin_refuses_a_private_receiver(client, editor, settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(editor)
    response = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"name": "Metadata", "url": "http://169.254.169.254/", "events": ["verdict.published"], "is_active": "on"},
    )
    assert response.status_code == 200
    assert "are refused (FACTCHECK_WEBHOOK_ALLOW_PRIVATE allows them)" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_admin_shows_failed_deliveries_and_redelivers(client, editor, reviewer, subscription, receiver, settings):
    settings.FACTCHECK_WEBHOOK_RETRY_WINDOW_SECONDS = 0
    published_fact_check("Shown in the admin.", reviewer=reviewer, editor=editor)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [500]
    attempt(delivery.pk)
    client.force_login(editor)
    listing = client.get("/admin/integrations/webhookdelivery/?status__exact=failed").content.decode()
    assert f'href="/admin/integrations/webhookdelivery/{delivery.pk}/change/' in listing
    page = client.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert delivery.event.webhook_id in page and "500" in page
    response = client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "redeliver_selected", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "1 deliveries queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_queue_worker_delivers(subscription, receiver, reviewer, editor):
    published_fact_check("Through the queue.", reviewer=reviewer, editor=editor)
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [sent["headers"]["webhook-id"] for sent in receiver.received] == [delivery.event.webhook_id]
