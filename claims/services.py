"""Writes: the desk's rules for claims and verdicts.

Everything that changes a claim or a verdict goes through these functions: the admin,
the import command and the tests call them, so the rules hold whoever writes. Each
function checks the actor's permission and the preconditions, takes a row lock, and
records who did what in the history (with a change reason).

Optimistic locking: callers that show a row to a person and save it later pass the
``version`` they read as ``expected_version``; if someone else saved in between, the
save is refused with :class:`ConflictError` instead of overwriting their work.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from .models import Claim, Evidence, Verdict

User = AbstractBaseUser


class WorkflowError(Exception):
    """A change the verdict's state or content does not allow; the message says why."""


class ConflictError(Exception):
    """The row was saved by someone else after the caller read it."""


def _require(actor: User, codename: str, doing: str) -> None:
    if not actor.has_perm(codename):
        raise PermissionDenied(f"You do not have permission to {doing}.")


def lock_current_version(model: type[models.Model], pk: int, expected_version: int | None) -> Any:
    """Lock the row for this transaction and check nobody saved it since ``expected_version``."""
    current = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and current.version != expected_version:
        last = current.history.select_related("history_user").first()
        who = f" by {last.history_user}" if last and last.history_user else ""
        when = f" at {timezone.localtime(last.history_date):%H:%M:%S}" if last else ""
        raise ConflictError(
            f"This {model._meta.verbose_name} was changed{who}{when} after you opened it "
            f"(version {current.version}, you had {expected_version}). Your changes were not saved: "
            "reload the page to see the current version, then make your changes again."
        )
    return current


def _record(instance: Claim | Verdict, *, actor: User, reason: str, only: list[str] | None = None) -> None:
    """Save ``instance`` as a new version, recording the actor and the reason in its history.

    ``only``: save just these fields (and the version), leaving ``updated_at`` alone.
    """
    if instance.pk is not None:
        instance.version += 1
    instance._history_user = actor
    instance._change_reason = reason
    instance.save(update_fields=None if only is None else [*only, "version"])


# Whose queue a claim is in is desk business. A claim's updated_at is its public record's
# time (API clients sync with it, and it is the claim's Last-Modified), so assigning one
# must not move it: that would tell the public the desk has started on a published or
# retracted claim again.
ASSIGNMENT = ["assigned_to"]


# Claims -------------------------------------------------------------------------------


@transaction.atomic
def claim_save(*, claim: Claim, actor: User, expected_version: int | None = None) -> Claim:
    """Create ``claim`` or save the edits made to it, refusing to overwrite a newer version."""
    if claim.pk is None:
        _require(actor, "claims.add_claim", "add claims")
        _record(claim, actor=actor, reason="Created")
        return claim
    _require(actor, "claims.change_claim", "edit claims")
    current = lock_current_version(Claim, claim.pk, expected_version)
    claim.version = current.version
    changed = {
        field.attname
        for field in Claim._meta.concrete_fields
        if getattr(claim, field.attname) != getattr(current, field.attname)
    }
    # A save that changes nothing but the assignment (or nothing) is no change to the public record.
    only = ASSIGNMENT if changed <= {"assigned_to_id", "created_at", "updated_at"} else None
    _record(claim, actor=actor, reason="Edited", only=only)
    return claim


@transaction.atomic
def claim_assign(*, claim: Claim, actor: User, reviewer: User | None) -> Claim:
    """Put ``claim`` in ``reviewer``'s queue (or take it out of every queue with ``None``)."""
    _require(actor, "claims.change_claim", "assign claims")
    claim = lock_current_version(Claim, claim.pk, None)
    claim.assigned_to = reviewer
    _record(claim, actor=actor, reason=f"Assigned to {reviewer}" if reviewer else "Unassigned", only=ASSIGNMENT)
    return claim


# Verdicts -----------------------------------------------------------------------------


def can_edit_verdict(verdict: Verdict, actor: User) -> bool:
    """Whether ``actor`` may change the content of ``verdict`` as it stands.

    Drafts are edited by their author, or by anyone allowed to edit others' verdicts
    (editors). Verdicts in review are edited by editors only. Published, superseded and
    retracted verdicts are never edited: they are corrected or retracted.
    """
    if not actor.has_perm("claims.change_verdict"):
        return False
    if verdict.status == VerdictStatus.DRAFT:
        return verdict.reviewer_id == actor.pk or actor.has_perm("claims.change_others_verdict")
    if verdict.status == VerdictStatus.IN_REVIEW:
        return actor.has_perm("claims.change_others_verdict")
    return False


def check_no_current_verdict(claim: Claim) -> None:
    """Refuse a second verdict while the claim has one in progress or standing."""
    current = Verdict.objects.filter(claim=claim, status__in=CURRENT_VERDICT_STATUSES).first()
    if current is not None:
        raise WorkflowError(
            f"This claim already has a verdict that is {current.get_status_display().lower()}; "
            "work on that one (or correct or retract it) instead of starting another."
        )


@transaction.atomic
def verdict_save(*, verdict: Verdict, actor: User, expected_version: int | None = None) -> Verdict:
    """Create a draft verdict or save edits to an editable one.

    A new verdict is a draft written by ``actor``. Status is not changed here: use the
    transition functions below.
    """
    if verdict.pk is None:
        _require(actor, "claims.add_verdict", "write verdicts")
        claim = Claim.objects.select_for_update().get(pk=verdict.claim_id)
        check_no_current_verdict(claim)
        verdict.status = VerdictStatus.DRAFT
        verdict.reviewer = actor
        if claim.assigned_to_id is None:
            # Whoever starts the verdict takes the claim into their queue.
            claim.assigned_to = actor
            _record(claim, actor=actor, reason=f"Assigned to {actor} (started a verdict)", only=ASSIGNMENT)
        try:
            with transaction.atomic():
                _record(verdict, actor=actor, reason="Draft started")
        except IntegrityError as error:  # another draft won a race for this claim
            raise WorkflowError("Another verdict for this claim was started at the same moment.") from error
        return verdict

    current = lock_current_version(Verdict, verdict.pk, expected_version)
    if not can_edit_verdict(current, actor):
        raise PermissionDenied(_edit_refusal(current))
    # Only content is editable here; everything else keeps the locked row's values.
    for field in ("claim_id", "status", "reviewer_id", "editor_id", "supersedes_id", "public_note"):
        setattr(verdict, field, getattr(current, field))
    for field in ("submitted_at", "published_at", "retracted_at", "return_comment"):
        setattr(verdict, field, getattr(current, field))
    verdict.version = current.version
    _record(verdict, actor=actor, reason="Edited")
    return verdict


def _edit_refusal(verdict: Verdict) -> str:
    if verdict.status in (VerdictStatus.PUBLISHED, VerdictStatus.SUPERSEDED, VerdictStatus.RETRACTED):
        return (
            f"This verdict is {verdict.get_status_display().lower()} and cannot be edited; "
            "an editor can publish a correction or retract it."
        )
    if verdict.status == VerdictStatus.IN_REVIEW:
        return "This verdict is in review; only an editor can change it now (or return it to you)."
    return "Only the author of this draft, or an editor, can change it."


def _transition(
    verdict: Verdict,
    *,
    actor: User,
    permission: str,
    doing: str,
    from_status: VerdictStatus,
    expected_version: int | None,
) -> Verdict:
    _require(actor, permission, doing)
    current = lock_current_version(Verdict, verdict.pk, expected_version)
    if current.status != from_status:
        raise WorkflowError(
            f"Cannot {doing}: it is {current.get_status_display().lower()}, not {from_status.label.lower()}."
        )
    return current


def verdict_missing(verdict: Verdict) -> list[str]:
    """What ``verdict`` still lacks to stand as published (nothing: an empty list).

    The desk's own verdicts need a rating, a headline and an explanation before they go
    to the editors. A review imported from another fact-checker (it has a
    ``review_url``) is published as its author wrote it: it needs its rating.
    """
    needs = [("a rating", verdict.rating_id)]
    if not verdict.review_url:
        needs += [("a headline", verdict.headline.strip()), ("an explanation", verdict.explanation.strip())]
    return [name for name, present in needs if not present]


@transaction.atomic
def verdict_submit(*, verdict: Verdict, actor: User, expected_version: int | None = None) -> Verdict:
    """Send a draft to the editors. It needs a rating, a headline and an explanation."""
    current = _transition(
        verdict,
        actor=actor,
        permission="claims.submit_verdict",
        doing="submit this verdict",
        from_status=VerdictStatus.DRAFT,
        expected_version=expected_version,
    )
    if current.reviewer_id != actor.pk and not actor.has_perm("claims.change_others_verdict"):
        raise PermissionDenied("Only the author of this draft, or an editor, can submit it.")
    missing = verdict_missing(current)
    if missing:
        raise WorkflowError(f"Cannot submit this verdict without {_join(missing)}.")
    current.status = VerdictStatus.IN_REVIEW
    current.submitted_at = timezone.now()
    _record(current, actor=actor, reason="Submitted for review")
    return current


@transaction.atomic
def verdict_return(*, verdict: Verdict, actor: User, comment: str, expected_version: int | None = None) -> Verdict:
    """Send a verdict in review back to its reviewer as a draft, with the editor's comment."""
    current = _transition(
        verdict,
        actor=actor,
        permission="claims.return_verdict",
        doing="return this verdict",
        from_status=VerdictStatus.IN_REVIEW,
        expected_version=expected_version,
    )
    if not comment.strip():
        raise WorkflowError("Say why the verdict goes back: the comment is required.")
    current.status = VerdictStatus.DRAFT
    current.return_comment = comment.strip()
    _record(current, actor=actor, reason=f"Returned to reviewer: {comment.strip()}")
    return current


def _check_second_person(verdict: Verdict, actor: User) -> None:
    if settings.FACTCHECK_REQUIRE_SECOND_PERSON and verdict.reviewer_id == actor.pk:
        raise WorkflowError("An editor other than the verdict's author must publish it.")


@transaction.atomic
def verdict_publish(*, verdict: Verdict, actor: User, expected_version: int | None = None) -> Verdict:
    """Publish a verdict in review. The claim must have no other published verdict."""
    current = _transition(
        verdict,
        actor=actor,
        permission="claims.publish_verdict",
        doing="publish this verdict",
        from_status=VerdictStatus.IN_REVIEW,
        expected_version=expected_version,
    )
    _check_second_person(current, actor)
    current.status = VerdictStatus.PUBLISHED
    current.editor = actor
    current.published_at = current.first_published_at = timezone.now()
    try:
        with transaction.atomic():
            _record(current, actor=actor, reason="Published")
    except IntegrityError as error:
        raise WorkflowError("This claim already has a published verdict; correct that one instead.") from error
    public_record_changed([current.claim_id])
    return current


@transaction.atomic
def verdict_retract(*, verdict: Verdict, actor: User, public_note: str, expected_version: int | None = None) -> Verdict:
    """Withdraw a published verdict. The public note says why; the verdict stays on record."""
    current = _transition(
        verdict,
        actor=actor,
        permission="claims.retract_verdict",
        doing="retract this verdict",
        from_status=VerdictStatus.PUBLISHED,
        expected_version=expected_version,
    )
    if not public_note.strip():
        raise WorkflowError("A retraction needs a public note saying why.")
    current.status = VerdictStatus.RETRACTED
    current.public_note = public_note.strip()
    current.retracted_at = timezone.now()
    _record(current, actor=actor, reason="Retracted")
    public_record_changed([current.claim_id])
    return current


CORRECTABLE_FIELDS = ("rating", "headline", "explanation", "internal_notes")


@transaction.atomic
def verdict_correct(
    *,
    verdict: Verdict,
    actor: User,
    public_note: str,
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Verdict:
    """Publish a corrected version of a published verdict.

    The old verdict is kept, marked superseded; the new one carries ``changes`` (any of
    rating, headline, explanation, internal notes), the same evidence, and the public
    correction note.
    """
    current = _transition(
        verdict,
        actor=actor,
        permission="claims.correct_verdict",
        doing="correct this verdict",
        from_status=VerdictStatus.PUBLISHED,
        expected_version=expected_version,
    )
    if not public_note.strip():
        raise WorkflowError("A correction needs a public note saying what changed.")
    changes = dict(changes or {})
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise WorkflowError(f"A correction cannot change {_join(sorted(unknown))}.")
    if changes.get("rating", current.rating) is None:
        raise WorkflowError("A corrected verdict needs a rating.")

    current.status = VerdictStatus.SUPERSEDED
    _record(current, actor=actor, reason="Superseded by a correction")

    now = timezone.now()
    corrected = Verdict(
        claim_id=current.claim_id,
        status=VerdictStatus.PUBLISHED,
        reviewer=current.reviewer,
        editor=actor,
        supersedes=current,
        public_note=public_note.strip(),
        submitted_at=now,
        published_at=now,
        first_published_at=current.first_published_at or current.published_at,
        **{field: changes.get(field, getattr(current, field)) for field in CORRECTABLE_FIELDS},
    )
    _record(corrected, actor=actor, reason="Published as a correction")
    evidence = [
        Evidence(
            verdict=corrected,
            source_id=item.source_id,
            stance=item.stance,
            quote=item.quote,
            note=item.note,
            position=item.position,
        )
        for item in current.evidence.all()
    ]
    for item in evidence:
        item._history_user = actor
        item.save()
    public_record_changed([current.claim_id])
    return corrected


def public_record_changed(claim_ids: Iterable[int], *, at: datetime | None = None) -> None:
    """Mark claims as changed for API clients that sync with ``updated_since``.

    The one place a claim's public ``updated_at`` moves. Publishing, correcting or
    retracting a verdict, editing an appearance or the claim's topics, and imports all
    change what the public sees of a claim without (always) changing the claim row: the
    timestamp moves, the version (which guards editors' forms) does not.
    """
    claim_ids = list(claim_ids)
    if claim_ids:
        Claim.objects.filter(pk__in=claim_ids).update(updated_at=at or timezone.now())


def _join(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
