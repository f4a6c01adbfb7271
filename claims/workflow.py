"""The verdict transitions as the admin offers them: one table for buttons and bulk actions."""

from collections.abc import Callable
from dataclasses import dataclass

from . import services
from .choices import VerdictStatus
from .models import Verdict


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    permission: str
    from_status: VerdictStatus
    service: Callable[..., Verdict]
    explanation: str
    # (service keyword, form label) for transitions that need a text from the person.
    text_field: tuple[str, str] | None = None

    def allowed_for(self, verdict: Verdict, user) -> bool:
        return verdict.status == self.from_status and user.has_perm(self.permission)

    def run(self, verdict: Verdict, actor, *, text: str = "", expected_version: int | None = None) -> Verdict:
        kwargs = {self.text_field[0]: text} if self.text_field else {}
        return self.service(verdict=verdict, actor=actor, expected_version=expected_version, **kwargs)


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "submit",
            "Submit for review",
            "claims.submit_verdict",
            VerdictStatus.DRAFT,
            services.verdict_submit,
            "The verdict goes to the editors. You can no longer edit it unless an editor returns it.",
        ),
        Transition(
            "publish",
            "Publish",
            "claims.publish_verdict",
            VerdictStatus.IN_REVIEW,
            services.verdict_publish,
            "The verdict becomes public, in the API and in ClaimReview. It can then only be corrected or retracted.",
        ),
        Transition(
            "return",
            "Return to reviewer",
            "claims.return_verdict",
            VerdictStatus.IN_REVIEW,
            services.verdict_return,
            "The verdict goes back to its reviewer as a draft, with your comment.",
            ("comment", "Comment for the reviewer"),
        ),
        Transition(
            "retract",
            "Retract",
            "claims.retract_verdict",
            VerdictStatus.PUBLISHED,
            services.verdict_retract,
            "The verdict is withdrawn from publication. It stays on record with your public note.",
            ("public_note", "Public retraction note"),
        ),
    ]
}
