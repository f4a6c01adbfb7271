"""The desk's writes, turned into webhook events in the same transaction (claims.events)."""

from django.dispatch import receiver

from claims.events import claims_changed, verdict_changed

from .webhooks.events import claims_updated, verdict_event


@receiver(verdict_changed, dispatch_uid="integrations_verdict_changed")
def on_verdict_changed(sender, verdict, change: str, **kwargs) -> None:
    verdict_event(verdict=verdict, change=change)


@receiver(claims_changed, dispatch_uid="integrations_claims_changed")
def on_claims_changed(sender, claim_ids, **kwargs) -> None:
    claims_updated(claim_ids)
