"""Writes: the desk's rules for claims and verdicts.

Everything that changes a claim or a verdict goes through these functions: the admin,
the import command and the tests call them, so the rules hold whoever writes. Each
function checks the actor's permission and the preconditions, takes a row lock, and
records who did what in the history (with a change reason).

Optimistic locking: callers that show a row to a person and save it later pass the
``version`` they read as ``expected_version``; if someone else saved in between, the
save is refused with :class:`ConflictError` instead of overwriting their work.

The verdict's state machine (who may submit, publish, return, retract, correct or
discard, from which status, under which rules) is the table in ``claims.transitions``;
the functions here carry each transition out, and :func:`may` and
:func:`allowed_transitions` answer "may this person do this now" for the screens.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from . import public_version
from .choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from .errors import ConflictError, WorkflowError
from .events import claims_did_change, gather_claim_changes, verdict_changed
from .models import Claim, Evidence, Topic, Verdict
from .transitions import TRANSITIONS, Transition, refusal


def _require(actor: User, codename: str, doing: str) -> None:
    if not actor.has_perm(codename):
        raise PermissionDenied(f"You do not have permission to {doing}.")


def lock_current_version(model: type[models.Model], pk: int, expected_version: int | None) -> Any:
    """Lock the row for this transaction and check nobody saved it since ``expected_version``."""
    # Any model with a ``version`` field and a history (a claim or a verdict).
    current: Any = model._default_manager.select_for_update().get(pk=pk)
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
    _attribute(instance, actor=actor, reason=reason)
    instance.save(update_fields=None if only is None else [*only, "version"])


def _attribute(instance: models.Model, *, actor: User, reason: str) -> None:
    """Tell django-simple-history who makes the next change to ``instance``, and why."""
    # simple_history reads these attributes off the instance; it ships no types to declare them.
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


# Whose queue a claim is in is desk business. A claim's updated_at is its public record's
# time (API clients sync with it, and it is the claim's Last-Modified), so assigning one
# must not move it: that would tell the public the desk has started on a published or
# retracted claim again.
ASSIGNMENT = ["assigned_to"]


@dataclass
class Parts:
    """Rows edited together with their claim or verdict: appearances of a claim, evidence of a verdict.

    ``saved``: new or changed rows (unsaved instances); ``deleted``: rows to remove.
    """

    saved: list[Any] = field(default_factory=list)
    deleted: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.saved or self.deleted)


def _save_parts(parent: Claim | Verdict, parts: Parts | None, *, link: str, actor: User, reason: str) -> None:
    """Write ``parts`` of ``parent`` with the actor and reason in their history.

    The parent was just recorded as a new version: a change to its parts is a change to it.
    """
    if not parts:
        return
    for item in [*parts.deleted, *parts.saved]:
        if item.pk is not None and getattr(item, f"{link}_id") != parent.pk:
            raise WorkflowError(f"{item._meta.verbose_name.capitalize()} {item.pk} belongs to another record.")
    for item in parts.deleted:
        _attribute(item, actor=actor, reason=reason)
        item.delete()
    for item in parts.saved:
        setattr(item, link, parent)
        _attribute(item, actor=actor, reason=reason)
        item.save()


# Claims -------------------------------------------------------------------------------


@transaction.atomic
@gather_claim_changes
def claim_save(
    *,
    claim: Claim,
    actor: User,
    expected_version: int | None = None,
    topics: Iterable[Topic] | None = None,
    appearances: Parts | None = None,
) -> Claim:
    """Create ``claim`` or save the edits made to it, refusing to overwrite a newer version.

    ``topics`` (the whole new set) and ``appearances`` change with the claim, as one new
    version of it.
    """
    if claim.pk is None:
        _require(actor, "claims.add_claim", "add claims")
        _record(claim, actor=actor, reason="Created")
    else:
        _require(actor, "claims.change_claim", "edit claims")
        current = lock_current_version(Claim, claim.pk, expected_version)
        claim.version = current.version
        changed = {
            field.attname
            for field in Claim._meta.concrete_fields
            if getattr(claim, field.attname) != getattr(current, field.attname)
        }
        # A save that changes nothing but the assignment (or nothing) is no change to the public record;
        # appearances and topics move it themselves (public_record_changed, through claims.signals).
        only = ASSIGNMENT if changed <= {"assigned_to_id", "created_at", "updated_at"} else None
        _record(claim, actor=actor, reason="Edited", only=only)
        if only is None:
            claims_did_change([claim.pk])
    if topics is not None:
        claim.topics.set(topics)
    _save_parts(claim, appearances, link="claim", actor=actor, reason="Edited with the claim")
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
    """Refuse a second verdict of the desk's while the claim has one in progress or standing.

    Reviews imported from other fact-checkers stand beside the desk's own verdict.
    """
    current = Verdict.objects.filter(claim=claim, status__in=CURRENT_VERDICT_STATUSES, reviewed_by=None).first()
    if current is not None:
        raise WorkflowError(
            f"This claim already has a verdict that is {current.get_status_display().lower()}; "
            "work on that one (or correct or retract it) instead of starting another."
        )


@transaction.atomic
def verdict_save(
    *, verdict: Verdict, actor: User, expected_version: int | None = None, evidence: Parts | None = None
) -> Verdict:
    """Create a draft verdict or save edits to an editable one, with its ``evidence`` changes.

    A new verdict is a draft written by ``actor``. Status is not changed here: use the
    transition functions below. Evidence changes are part of the verdict's new version.
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
        _save_parts(verdict, evidence, link="verdict", actor=actor, reason="Edited with the verdict")
        return verdict

    current = lock_current_version(Verdict, verdict.pk, expected_version)
    if not can_edit_verdict(current, actor):
        raise PermissionDenied(_edit_refusal(current))
    # Only content is editable here; everything else keeps the locked row's values.
    for name in ("claim_id", "status", "reviewer_id", "editor_id", "supersedes_id", "public_note"):
        setattr(verdict, name, getattr(current, name))
    for name in ("submitted_at", "published_at", "retracted_at", "return_comment"):
        setattr(verdict, name, getattr(current, name))
    verdict.version = current.version
    _record(verdict, actor=actor, reason="Edited")
    _save_parts(verdict, evidence, link="verdict", actor=actor, reason="Edited with the verdict")
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


# Transitions: the rules are in claims.transitions.TRANSITIONS ------------------------


def may(verdict: Verdict, actor: User, name: str) -> bool:
    """Whether ``actor`` may make the transition ``name`` on ``verdict`` now (as loaded)."""
    return refusal(TRANSITIONS[name], verdict, actor) is None


def refusal_of(verdict: Verdict, actor: User, name: str) -> str:
    """Why ``actor`` may not make the transition ``name`` on ``verdict`` now ("" if they may)."""
    refused = refusal(TRANSITIONS[name], verdict, actor)
    return str(refused) if refused is not None else ""


def allowed_transitions(verdict: Verdict, actor: User) -> list[Transition]:
    """The transitions ``actor`` may make on ``verdict`` now, in the table's order."""
    return [transition for transition in TRANSITIONS.values() if refusal(transition, verdict, actor) is None]


def _begin(name: str, verdict: Verdict, *, actor: User, expected_version: int | None) -> Verdict:
    """Lock the verdict and check the transition's permission, from-status and rules."""
    transition = TRANSITIONS[name]
    _require(actor, transition.permission, transition.doing)
    current = lock_current_version(Verdict, verdict.pk, expected_version)
    refused = refusal(transition, current, actor)
    if refused is not None:
        raise refused
    return current


def _end(name: str, current: Verdict, *, actor: User, reason: str) -> None:
    to_status = TRANSITIONS[name].to_status
    assert to_status is not None, f"{name} deletes the verdict; it has no status to end in"
    current.status = to_status
    _record(current, actor=actor, reason=reason)


@transaction.atomic
def verdict_submit(*, verdict: Verdict, actor: User, expected_version: int | None = None) -> Verdict:
    """Send a draft to the editors. It needs a rating, a headline and an explanation."""
    current = _begin("submit", verdict, actor=actor, expected_version=expected_version)
    missing = missing_for_submission(current, evidence_count=current.evidence.count())
    if missing:
        raise WorkflowError(f"Cannot submit this verdict without {_join(missing.values())}.")
    current.submitted_at = timezone.now()
    _end("submit", current, actor=actor, reason="Submitted for review")
    return current


def missing_for_submission(verdict: Verdict, *, evidence_count: int | None = None) -> dict[str, str]:
    """What ``verdict`` still lacks to go to the editors or stand as published: {field: "a rating", ...}.

    The desk's own verdicts need a rating, a headline and an explanation, and, when
    ``evidence_count`` is given (submitting), at least ``settings.FACTCHECK_SUBMIT_MIN_EVIDENCE``
    pieces of evidence. A review imported from another fact-checker (it has a
    ``review_url``) is published as its author wrote it: it needs its rating.
    """
    present: dict[str, tuple[str, object]] = {"rating": ("a rating", verdict.rating_id)}
    if not verdict.review_url:
        present |= {
            "headline": ("a headline", verdict.headline.strip()),
            "explanation": ("an explanation", verdict.explanation.strip()),
        }
        needed = settings.FACTCHECK_SUBMIT_MIN_EVIDENCE
        if evidence_count is not None:
            present["evidence"] = (
                "a piece of evidence" if needed == 1 else f"{needed} pieces of evidence",
                evidence_count >= needed,
            )
    return {name: what for name, (what, value) in present.items() if not value}


@transaction.atomic
def verdict_return(*, verdict: Verdict, actor: User, comment: str, expected_version: int | None = None) -> Verdict:
    """Send a verdict in review back to its reviewer as a draft, with the editor's comment."""
    current = _begin("return", verdict, actor=actor, expected_version=expected_version)
    if not comment.strip():
        raise WorkflowError("Say why the verdict goes back: the comment is required.")
    current.return_comment = comment.strip()
    _end("return", current, actor=actor, reason=f"Returned to reviewer: {comment.strip()}")
    return current


@transaction.atomic
def verdict_publish(*, verdict: Verdict, actor: User, expected_version: int | None = None) -> Verdict:
    """Publish a verdict in review. The claim must have no other published verdict of the desk's own."""
    current = _begin("publish", verdict, actor=actor, expected_version=expected_version)
    current.editor = actor
    current.published_at = current.first_published_at = timezone.now()
    try:
        with transaction.atomic():
            _end("publish", current, actor=actor, reason="Published")
    except IntegrityError as error:
        raise WorkflowError("This claim already has a published verdict; correct that one instead.") from error
    public_record_changed([current.claim_id])
    verdict_changed.send(sender=Verdict, verdict=current, change="published")
    return current


@transaction.atomic
def verdict_retract(*, verdict: Verdict, actor: User, public_note: str, expected_version: int | None = None) -> Verdict:
    """Withdraw a published verdict. The public note says why; the verdict stays on record."""
    current = _begin("retract", verdict, actor=actor, expected_version=expected_version)
    if not public_note.strip():
        raise WorkflowError("A retraction needs a public note saying why.")
    current.public_note = public_note.strip()
    current.retracted_at = timezone.now()
    _end("retract", current, actor=actor, reason="Retracted")
    public_record_changed([current.claim_id])
    verdict_changed.send(sender=Verdict, verdict=current, change="retracted")
    return current


@transaction.atomic
def verdict_discard(*, verdict: Verdict, actor: User, expected_version: int | None = None) -> None:
    """Delete a draft its author no longer wants; the history records who discarded it."""
    current = _begin("discard", verdict, actor=actor, expected_version=expected_version)
    for item in current.evidence.all():
        _attribute(item, actor=actor, reason="Discarded with its draft")
        item.delete()
    _attribute(current, actor=actor, reason="Draft discarded")
    current.delete()


def verdict_transition(
    *, name: str, verdict: Verdict, actor: User, text: str = "", expected_version: int | None = None
) -> Verdict | None:
    """Make the transition ``name`` (a key of the table), with the text it asks for, if any.

    The transition ``name`` is carried out by the service ``verdict_<name>`` of this module.
    """
    transition = TRANSITIONS[name]
    service = globals()[f"verdict_{transition.name}"]
    kwargs = {transition.text_name: text} if transition.text_name else {}
    return service(verdict=verdict, actor=actor, expected_version=expected_version, **kwargs)


CORRECTABLE_FIELDS = ("rating", "headline", "explanation", "internal_notes")


@transaction.atomic
def verdict_correct(
    *,
    verdict: Verdict,
    actor: User,
    public_note: str,
    changes: dict[str, Any] | None = None,
    evidence: list[Evidence] | None = None,
    expected_version: int | None = None,
) -> Verdict:
    """Publish a corrected version of a published verdict.

    The old verdict is kept, marked superseded, with its evidence; the new one carries
    ``changes`` (any of rating, headline, explanation, internal notes), the public
    correction note, and ``evidence`` (unsaved rows) or, when that is None, a copy of
    the old verdict's evidence.
    """
    current = _begin("correct", verdict, actor=actor, expected_version=expected_version)
    if not public_note.strip():
        raise WorkflowError("A correction needs a public note saying what changed.")
    changes = dict(changes or {})
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise WorkflowError(f"A correction cannot change {_join(sorted(unknown))}.")
    if changes.get("rating", current.rating) is None:
        raise WorkflowError("A corrected verdict needs a rating.")

    _end("correct", current, actor=actor, reason="Superseded by a correction")

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
        **{name: changes.get(name, getattr(current, name)) for name in CORRECTABLE_FIELDS},
    )
    try:
        with transaction.atomic():
            _record(corrected, actor=actor, reason="Published as a correction")
    except IntegrityError as error:
        # A correction is the desk's own verdict: correcting a review imported from another
        # fact-checker on a claim where the desk's verdict already stands would be a second one.
        raise WorkflowError(
            "This claim already has a published verdict of the desk's own; correct that one instead."
        ) from error
    if evidence is None:
        evidence = [
            Evidence(
                source_id=item.source_id, stance=item.stance, quote=item.quote, note=item.note, position=item.position
            )
            for item in current.evidence.all()
        ]
    _save_parts(corrected, Parts(saved=evidence), link="verdict", actor=actor, reason="Published as a correction")
    public_record_changed([current.claim_id])
    verdict_changed.send(sender=Verdict, verdict=corrected, change="corrected")
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
        # And the public API's ETags, if the public sees any of these claims.
        public_version.claims_changed(claim_ids)


def _join(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
