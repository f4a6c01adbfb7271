"""Keep a claim's ``updated_at`` honest when parts of it that live in other tables change.

API clients sync with ``updated_since`` and revalidate with Last-Modified: both read the
claim's timestamp, so adding, editing or removing an appearance, or changing the claim's
topics, must move it, whoever makes the change. (Fixture loads keep their own times.)
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .events import claims_did_change
from .models import Appearance, Claim
from .services import public_record_changed


def _changed(claim_ids) -> None:
    public_record_changed(claim_ids)
    claims_did_change(claim_ids)


@receiver(post_save, sender=Appearance, dispatch_uid="claims_appearance_saved")
def appearance_saved(sender, instance: Appearance, raw: bool = False, **kwargs) -> None:
    if not raw:
        _changed([instance.claim_id])


@receiver(post_delete, sender=Appearance, dispatch_uid="claims_appearance_deleted")
def appearance_deleted(sender, instance: Appearance, **kwargs) -> None:
    _changed([instance.claim_id])


@receiver(m2m_changed, sender=Claim.topics.through, dispatch_uid="claims_topics_changed")
def topics_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action == "pre_clear" and reverse:
        # Clearing a topic's claims: after the clear, nothing says which claims they were.
        instance._cleared_claim_ids = list(instance.claims.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _changed([instance.pk])
    elif action == "post_clear":
        _changed(getattr(instance, "_cleared_claim_ids", []))
    else:
        _changed(pk_set or [])
