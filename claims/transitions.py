"""The verdict state machine: one table, read by the services and by every screen.

Each :class:`Transition` says from which statuses it starts, which permission it needs,
which further rules apply (the author-or-editor rule for submitting, the second-person
rule for publishing, the author-only rule for discarding a draft), which text the person
must give, and which fields it writes. ``claims.services`` carries the transitions out
and checks them with :func:`refusal`; the admin asks the services (``may``,
``allowed_transitions``) before it offers a button, a bulk action or a confirmation page,
so nothing else encodes a transition rule.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied

from .choices import VerdictStatus
from .errors import WorkflowError
from .models import Verdict

# A rule looks at the verdict (as locked by the service) and the person, and says why not.
Rule = Callable[[Verdict, object], PermissionDenied | WorkflowError | None]


def author_or_editor(verdict: Verdict, actor) -> PermissionDenied | None:
    if verdict.reviewer_id == actor.pk or actor.has_perm("claims.change_others_verdict"):
        return None
    return PermissionDenied("Only the author of this draft, or an editor, can submit it.")


def second_person(verdict: Verdict, actor) -> WorkflowError | None:
    # Four eyes: nobody publishes their own work (settings.FACTCHECK_REQUIRE_SECOND_PERSON).
    if settings.FACTCHECK_REQUIRE_SECOND_PERSON and verdict.reviewer_id == actor.pk:
        return WorkflowError("An editor other than the verdict's author must publish it.")
    return None


def author_only(verdict: Verdict, actor) -> PermissionDenied | None:
    if verdict.reviewer_id == actor.pk:
        return None
    return PermissionDenied("Only the author of a draft can discard it.")


@dataclass(frozen=True)
class Transition:
    """One move of a verdict's status, and everything that decides whether it may happen."""

    name: str
    label: str
    from_statuses: tuple[VerdictStatus, ...]
    # The status the verdict ends in; None when the verdict is deleted (a discarded draft).
    to_status: VerdictStatus | None
    permission: str
    doing: str  # completes "You do not have permission to ..." and "Cannot ..."
    explanation: str
    writes: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    # (service keyword, form label) for transitions that need a text from the person.
    text_field: tuple[str, str] | None = None
    # Offered as a bulk action on the verdict list (corrections are written one at a time).
    bulk: bool = True

    @property
    def text_name(self) -> str | None:
        return self.text_field[0] if self.text_field else None


TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in [
        Transition(
            name="submit",
            label="Submit for review",
            from_statuses=(VerdictStatus.DRAFT,),
            to_status=VerdictStatus.IN_REVIEW,
            permission="claims.submit_verdict",
            doing="submit this verdict",
            explanation="The verdict goes to the editors. You can no longer edit it unless an editor returns it.",
            writes=("status", "submitted_at"),
            rules=(author_or_editor,),
        ),
        Transition(
            name="publish",
            label="Publish",
            from_statuses=(VerdictStatus.IN_REVIEW,),
            to_status=VerdictStatus.PUBLISHED,
            permission="claims.publish_verdict",
            doing="publish this verdict",
            explanation="The verdict becomes public, in the API and in ClaimReview. "
            "It can then only be corrected or retracted.",
            writes=("status", "editor", "published_at", "first_published_at"),
            rules=(second_person,),
        ),
        Transition(
            name="return",
            label="Return to reviewer",
            from_statuses=(VerdictStatus.IN_REVIEW,),
            to_status=VerdictStatus.DRAFT,
            permission="claims.return_verdict",
            doing="return this verdict",
            explanation="The verdict goes back to its reviewer as a draft, with your comment.",
            writes=("status", "return_comment"),
            text_field=("comment", "Comment for the reviewer"),
        ),
        Transition(
            name="retract",
            label="Retract",
            from_statuses=(VerdictStatus.PUBLISHED,),
            to_status=VerdictStatus.RETRACTED,
            permission="claims.retract_verdict",
            doing="retract this verdict",
            explanation="The verdict is withdrawn from publication. It stays on record with your public note.",
            writes=("status", "public_note", "retracted_at"),
            text_field=("public_note", "Public retraction note"),
        ),
        Transition(
            name="correct",
            label="Publish a correction",
            from_statuses=(VerdictStatus.PUBLISHED,),
            # The corrected version is a new published verdict that supersedes this one.
            to_status=VerdictStatus.SUPERSEDED,
            permission="claims.correct_verdict",
            doing="correct this verdict",
            explanation="A correction publishes a new version of this verdict. The current version stays on "
            "record, marked superseded, and readers see your public note.",
            writes=("status",),
            text_field=("public_note", "Public correction note"),
            bulk=False,
        ),
        Transition(
            name="discard",
            label="Discard this draft",
            from_statuses=(VerdictStatus.DRAFT,),
            to_status=None,
            # Whoever may start a verdict may throw away the draft they started.
            permission="claims.add_verdict",
            doing="discard this draft",
            explanation="The draft and its evidence are deleted; the history keeps a record that you discarded it.",
            writes=(),
            rules=(author_only,),
            bulk=False,
        ),
    ]
}


def refusal(transition: Transition, verdict: Verdict, actor) -> PermissionDenied | WorkflowError | None:
    """Why ``actor`` may not make ``transition`` on ``verdict`` as it stands (None: they may).

    Checked in a fixed order: the permission, the verdict's status, then the rules.
    """
    if not actor.has_perm(transition.permission):
        return PermissionDenied(f"You do not have permission to {transition.doing}.")
    if verdict.status not in transition.from_statuses:
        expected = " or ".join(status.label.lower() for status in transition.from_statuses)
        return WorkflowError(
            f"Cannot {transition.doing}: it is {verdict.get_status_display().lower()}, not {expected}."
        )
    for rule in transition.rules:
        refused = rule(verdict, actor)
        if refused is not None:
            return refused
    return None
