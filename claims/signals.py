"""Keep a claim's ``updated_at`` and the public record's version honest, whoever writes.

API clients sync with ``updated_since`` and revalidate with Last-Modified: both read the
claim's timestamp, so adding, editing or removing an appearance, or changing the claim's
topics, must move it, whoever makes the change. (Fixture loads keep their own times.)

The public API's ETags follow the public record's version (claims.public_version): every
row the public can see that is saved or deleted moves it, in the same transaction; rows
the public cannot see (a draft verdict, an unpublished claim, a speaker of one) do not.
"""

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from sources.models import Publisher, Source

from . import public_version, visibility
from .events import claims_did_change
from .models import Appearance, Claim, Evidence, Rating, Speaker, Topic, Verdict
from .services import public_record_changed

PUBLIC_STATUSES = {status.value for status in visibility.PUBLIC_VERDICT_STATUSES}


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


# The public record's version -----------------------------------------------------------------


def _shown(instance: Model) -> bool:
    """Whether the public sees this row (as it is now in the database, for rows it already had)."""
    if isinstance(instance, Verdict):
        return instance.status in PUBLIC_STATUSES
    if isinstance(instance, Evidence):
        return visibility.visible_verdicts(desk_member=False).filter(pk=instance.verdict_id).exists()
    if isinstance(instance, Claim):
        return visibility.public_claims().filter(pk=instance.pk).exists()
    if isinstance(instance, Rating):
        return True  # the whole scale is public
    public = {
        Speaker: visibility.public_speakers,
        Topic: visibility.public_topics,
        Source: visibility.public_sources,
        Publisher: visibility.public_publishers,
    }[type(instance)]
    return public().filter(pk=instance.pk).exists()


PUBLIC_MODELS = (Verdict, Evidence, Claim, Rating, Speaker, Topic, Source, Publisher)


# Fields the public never sees: saving only these is no public change (assigning a claim
# to a reviewer must not tell the public the desk has started on it again).
DESK_ONLY_FIELDS = {"assigned_to", "version"}


def public_row_saved(
    sender, instance: Model, created: bool = False, raw: bool = False, update_fields=None, **kwargs
) -> None:
    if update_fields is not None and set(update_fields) <= DESK_ONLY_FIELDS:
        return
    if raw:
        # A fixture load says nothing of what is public yet: it counts as a public change.
        public_version.changed()
        return
    if created and not isinstance(instance, Verdict | Evidence | Rating):
        # A new claim, speaker, topic, source or publisher becomes public only through a
        # published verdict, an appearance or a topic of a public claim: their saves count.
        return
    if _shown(instance):
        public_version.changed()


def public_row_deleting(sender, instance: Model, **kwargs) -> None:
    # Before the delete, while it can still be told whether the public saw the row.
    if _shown(instance):
        public_version.changed()


for model in PUBLIC_MODELS:
    post_save.connect(public_row_saved, sender=model, dispatch_uid=f"public_version_saved_{model.__name__}")
    pre_delete.connect(public_row_deleting, sender=model, dispatch_uid=f"public_version_deleting_{model.__name__}")
