"""API keys for partner tools, and webhook subscriptions with their delivery outbox."""

import base64
import secrets
import uuid
from typing import ClassVar, cast

from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey
from rest_framework_api_key.models import APIKeyManager as LibraryAPIKeyManager


class APIKeyScope(models.TextChoices):
    PUBLIC = "public", "Public read"
    DESK = "desk", "Public and unpublished read (desk tools; the owner's desk rights)"


class APIKeyManager(LibraryAPIKeyManager):
    def get_usable_keys(self) -> models.QuerySet["APIKey"]:
        # Authentication reads the owner of the key it finds.
        return super().get_usable_keys().select_related("owner")

    def get_from_key(self, key: str) -> "APIKey":
        # The library's manager is typed for its abstract model; this one only holds ours.
        return cast("APIKey", super().get_from_key(key))


class APIKey(AbstractAPIKey):
    """A partner's key to the read API: hashed at rest, shown once when issued, revocable.

    ``public`` keys see what anonymous callers see; ``desk`` keys read with their owner's
    rights (unpublished states for desk members). Each key has its own request limit.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys")
    scope = models.CharField(max_length=16, choices=APIKeyScope, default=APIKeyScope.PUBLIC)
    rate_limit = models.PositiveIntegerField(default=600, help_text="Requests per minute this key may make.")

    objects: ClassVar[APIKeyManager] = APIKeyManager()

    # Not derived from the library's Meta: every option it sets is set here.
    class Meta:
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=APIKeyScope.values), name="%(app_label)s_%(class)s_scope_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rate_limit__gte=1), name="%(app_label)s_%(class)s_rate_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class APIKeyUsage(models.Model):
    """How many requests a key made on one day (UTC)."""

    key = models.ForeignKey(APIKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "API key usage"
        verbose_name_plural = "API key usage"
        ordering = ["-day", "key"]
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="%(app_label)s_%(class)s_one_row_per_day")]

    def __str__(self) -> str:
        return f"{self.key}: {self.requests} on {self.day}"


class WebhookEventType(models.TextChoices):
    VERDICT_PUBLISHED = "verdict.published", "Verdict published"
    VERDICT_CORRECTED = "verdict.corrected", "Verdict corrected"
    VERDICT_RETRACTED = "verdict.retracted", "Verdict retracted"
    CLAIM_UPDATED = "claim.updated", "Claim updated (public fields)"


def new_webhook_secret() -> str:
    # Standard Webhooks' form: "whsec_" and the base64 of the signing key.
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(models.Model):
    """A receiver of the desk's events: where to POST, which events, and the signing secret."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, help_text="Where events are POSTed (https in production).")
    secret = models.CharField(
        max_length=200, default=new_webhook_secret, help_text="Signs every delivery; the receiver verifies with it."
    )
    events = models.JSONField(default=list, help_text="The event types sent to this receiver.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "webhook subscription"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="%(app_label)s_%(class)s_name_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookEvent(models.Model):
    """Something that happened, with the payload every subscriber receives (the same on every retry)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=WebhookEventType)
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=WebhookEventType.values), name="%(app_label)s_%(class)s_type_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    @property
    def webhook_id(self) -> str:
        """The Standard Webhooks message id: the same for every attempt and every receiver."""
        return f"msg_{self.id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """The outbox: one event for one subscriber, written in the transaction that made the change.

    Attempted until the receiver answers 2xx or the retry window closes (then ``failed``).
    """

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # While an attempt runs, no other worker takes the delivery; a worker that dies loses the lease.
    leased_until = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True, help_text="The start of the receiver's last answer, or the error.")

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="integrations_delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.UniqueConstraint(
                fields=["event", "subscription"], name="%(app_label)s_%(class)s_once_per_subscriber"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.name}: {self.get_status_display()}"
