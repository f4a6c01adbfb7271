"""Role by action: what each role may do, through the services every writer uses."""

import pytest
from django.core.exceptions import PermissionDenied

from claims import services
from claims.models import Claim, Rating, Verdict
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def _draft(author) -> Verdict:
    verdict = Verdict.objects.create(
        claim=make_claim(),
        reviewer=author,
        rating=Rating.objects.get(slug="false"),
        headline="False",
        explanation="It did not happen.",
    )
    return verdict


def _in_review(author) -> Verdict:
    verdict = _draft(author)
    verdict.status = "in_review"
    verdict.save()
    return verdict


def _published(author, editor) -> Verdict:
    verdict = _in_review(author)
    return services.verdict_publish(verdict=verdict, actor=editor)


def create_claim(actor, ctx):
    services.claim_save(claim=Claim(text="New claim."), actor=actor)


def edit_claim(actor, ctx):
    claim = make_claim()
    claim.text = "Edited."
    services.claim_save(claim=claim, actor=actor, expected_version=claim.version)


def start_verdict(actor, ctx):
    services.verdict_save(verdict=Verdict(claim=make_claim()), actor=actor)


def edit_own_draft(actor, ctx):
    verdict = _draft(actor)
    verdict.explanation = "Better."
    services.verdict_save(verdict=verdict, actor=actor)


def edit_others_draft(actor, ctx):
    verdict = _draft(ctx["author"])
    verdict.explanation = "Better."
    services.verdict_save(verdict=verdict, actor=actor)


def submit_own_draft(actor, ctx):
    services.verdict_submit(verdict=_draft(actor), actor=actor)


def submit_others_draft(actor, ctx):
    services.verdict_submit(verdict=_draft(ctx["author"]), actor=actor)


def edit_in_review(actor, ctx):
    verdict = _in_review(ctx["author"])
    verdict.headline = "Sharper headline."
    services.verdict_save(verdict=verdict, actor=actor)


def publish(actor, ctx):
    services.verdict_publish(verdict=_in_review(ctx["author"]), actor=actor)


def return_to_reviewer(actor, ctx):
    services.verdict_return(verdict=_in_review(ctx["author"]), actor=actor, comment="Needs a source.")


def correct(actor, ctx):
    verdict = _published(ctx["author"], ctx["publisher"])
    services.verdict_correct(verdict=verdict, actor=actor, public_note="Corrected.")


def retract(actor, ctx):
    verdict = _published(ctx["author"], ctx["publisher"])
    services.verdict_retract(verdict=verdict, actor=actor, public_note="Retracted.")


def edit_published(actor, ctx):
    verdict = _published(ctx["author"], ctx["publisher"])
    verdict.explanation = "Silently changed."
    services.verdict_save(verdict=verdict, actor=actor)


def discard_own_draft(actor, ctx):
    services.verdict_discard(verdict=_draft(actor), actor=actor)


def discard_others_draft(actor, ctx):
    services.verdict_discard(verdict=_draft(ctx["author"]), actor=actor)


def assign(actor, ctx):
    services.claim_assign(claim=make_claim(), actor=actor, reviewer=ctx["author"])


# Expected outcome per role, in the order reviewer, editor, superuser, staff without a role.
MATRIX = {
    create_claim: "YYYN",
    edit_claim: "YYYN",
    assign: "YYYN",
    start_verdict: "YYYN",
    edit_own_draft: "YYYN",
    edit_others_draft: "NYYN",
    submit_own_draft: "YYYN",
    submit_others_draft: "NYYN",
    edit_in_review: "NYYN",
    publish: "NYYN",
    return_to_reviewer: "NYYN",
    correct: "NYYN",
    retract: "NYYN",
    edit_published: "NNNN",
    discard_own_draft: "YYYN",
    discard_others_draft: "NNNN",
}
ROLES = ["reviewer", "editor", "superuser", "outsider"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX), ids=lambda action: action.__name__)
def test_permission_matrix(request, role, action, other_reviewer, other_editor):
    actor = request.getfixturevalue(role)
    allowed = MATRIX[action][ROLES.index(role)] == "Y"
    context = {"author": other_reviewer, "publisher": other_editor}
    if allowed:
        action(actor, context)
    else:
        with pytest.raises(PermissionDenied):
            action(actor, context)


def test_matrix_covers_every_transition_the_admin_offers():
    from claims.services import TRANSITIONS

    covered = {action.__name__ for action in MATRIX}
    assert {"submit_own_draft", "publish", "return_to_reviewer", "retract", "correct", "discard_own_draft"} <= covered
    assert set(TRANSITIONS) == {"submit", "publish", "return", "retract", "correct", "discard"}
