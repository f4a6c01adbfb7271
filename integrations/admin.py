"""Admin: API keys (issued, shown once, revoked), webhook subscriptions and their deliveries."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as UnusedAPIKey

from claims.visibility import is_desk_member

from .models import APIKey, APIKeyScope, APIKeyUsage, WebhookDelivery, WebhookEventType, WebhookSubscription
from .services import check_subscription
from .webhooks.delivery import redeliver

# The library's own key model is not used: ours adds owner, scope and rate limit.
if admin.site.is_registered(UnusedAPIKey):
    admin.site.unregister(UnusedAPIKey)


class APIKeyForm(forms.ModelForm):
    class Meta:
        model = APIKey
        fields = ["name", "owner", "scope", "rate_limit", "expiry_date", "revoked"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        owner = data.get("owner")
        if data.get("scope") == APIKeyScope.DESK and owner is not None and not is_desk_member(owner):
            raise ValidationError({"scope": "Only a desk member's key may read unpublished material."})
        return data


class UsageInline(admin.TabularInline):
    model = APIKeyUsage
    readonly_fields = ("day", "requests")
    fields = readonly_fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-day"]
    verbose_name_plural = "Requests per day (UTC)"


@admin.register(APIKey)
class APIKeyAdmin(APIKeyModelAdmin):
    form = APIKeyForm
    # The library's admin sets these as tuples, typed by their exact length: any other value is "incompatible".
    list_display = ["name", "owner", "scope", "rate_limit", "prefix", "created", "requests_today", "revoked"]  # type: ignore[assignment]
    list_filter = ["scope", "revoked", "created"]  # type: ignore[assignment]
    search_fields = ["name", "prefix", "owner__username"]  # type: ignore[assignment]
    autocomplete_fields = ["owner"]
    inlines = [UsageInline]
    actions = ["revoke"]

    @admin.display(description="requests today")
    def requests_today(self, key):
        usage = key.usage.filter(day=timezone.now().date()).first()
        return usage.requests if usage else 0

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(request, f"{count} API keys revoked: they are refused from now on.", messages.SUCCESS)


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https", help_text="Where events are POSTed.")
    events = forms.MultipleChoiceField(choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "is_active"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("url") and data.get("events"):
            check_subscription(url=data["url"], events=list(data["events"]))
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "is_active", "event_list", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "created_by", "created_at", "updated_at"]

    @admin.display(description="events")
    def event_list(self, subscription):
        return ", ".join(subscription.events)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event_type",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event__type", "subscription"]
    list_select_related = ["event", "subscription"]
    readonly_fields = [
        "event",
        "webhook_id",
        "subscription",
        "status",
        "attempts",
        "first_attempt_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_response",
        "payload",
    ]
    exclude = ["leased_until"]
    actions = ["redeliver_selected"]

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description="webhook-id")
    def webhook_id(self, delivery):
        return delivery.event.webhook_id

    @admin.display(description="payload")
    def payload(self, delivery):
        return json.dumps(delivery.event.payload, indent=2, ensure_ascii=False)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Redeliver selected deliveries (same webhook-id)", permissions=["change"])
    def redeliver_selected(self, request, queryset):
        count = redeliver(queryset)
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)
