"""The transition table (claims.transitions) drives both the services and "may I do this now"."""

import pytest
from django.core.exceptions import PermissionDenied

from claims import services
from claims.choices import VerdictStatus
from claims.models import Evidence, Rating, Verdict
from claims.transitions import TRANSITIONS
from tests.factories import make_claim, make_source, make_verdict

pytestmark = pytest.mark.django_db


def _verdict(status, reviewer, **fields):
    return make_verdict(
        make_claim(),
        status,
        reviewer=reviewer,
        rating=Rating.objects.get(slug="false"),
        headline="False",
        explanation="It did not happen.",
        **fields,
    )


def _row(verdict: Verdict) -> dict:
    fresh = Verdict.objects.get(pk=verdict.pk)
    return {field.name: getattr(fresh, field.attname) for field in Verdict._meta.concrete_fields}


def test_publish_is_not_offered_to_an_editor_on_their_own_verdict(editor, other_editor):
    own = _verdict(VerdictStatus.IN_REVIEW, editor)
    assert not services.may(own, editor, "publish")
    assert services.may(own, other_editor, "publish")
    assert [t.name for t in services.allowed_transitions(own, editor)] == ["return"]
    assert [t.name for t in services.allowed_transitions(own, other_editor)] == ["publish", "return"]


def test_what_each_role_may_do_next_follows_the_status(reviewer, editor):
    draft = _verdict(VerdictStatus.DRAFT, reviewer)
    assert [t.name for t in services.allowed_transitions(draft, reviewer)] == ["submit", "discard"]
    assert [t.name for t in services.allowed_transitions(draft, editor)] == ["submit"]
    published = services.verdict_publish(verdict=_verdict(VerdictStatus.IN_REVIEW, reviewer), actor=editor)
    assert [t.name for t in services.allowed_transitions(published, reviewer)] == []
    assert [t.name for t in services.allowed_transitions(published, editor)] == ["retract", "correct"]


@pytest.mark.parametrize(
    "name,status,text",
    [
        ("submit", VerdictStatus.DRAFT, ""),
        ("publish", VerdictStatus.IN_REVIEW, ""),
        ("return", VerdictStatus.IN_REVIEW, "Add a source."),
        ("retract", VerdictStatus.PUBLISHED, "Withdrawn."),
        ("correct", VerdictStatus.PUBLISHED, "Corrected."),
    ],
)
def test_each_transition_writes_what_the_table_says(name, status, text, reviewer, editor):
    transition = TRANSITIONS[name]
    verdict = _verdict(VerdictStatus.IN_REVIEW if status == VerdictStatus.PUBLISHED else status, reviewer)
    if status == VerdictStatus.PUBLISHED:
        verdict = services.verdict_publish(verdict=verdict, actor=editor)
    before = _row(verdict)
    services.verdict_transition(name=name, verdict=verdict, actor=editor, text=text)
    after = _row(verdict)
    changed = {key for key, value in after.items() if before[key] != value} - {"version", "updated_at"}
    assert after["status"] == transition.to_status
    assert "status" in changed
    assert changed <= set(transition.writes), f"{name} wrote {changed - set(transition.writes)} undeclared"


def test_a_transition_from_the_wrong_status_says_so(reviewer, editor):
    draft = _verdict(VerdictStatus.DRAFT, reviewer)
    with pytest.raises(services.WorkflowError, match="it is draft, not in review"):
        services.verdict_publish(verdict=draft, actor=editor)


class TestDiscard:
    def test_the_author_discards_their_draft_and_the_history_says_who(self, reviewer):
        draft = _verdict(VerdictStatus.DRAFT, reviewer)
        Evidence.objects.create(verdict=draft, source=make_source())
        services.verdict_discard(verdict=draft, actor=reviewer)
        assert not Verdict.objects.filter(pk=draft.pk).exists()
        last = Verdict.history.filter(id=draft.pk).latest("history_date")
        assert (last.history_type, last.history_user, last.history_change_reason) == (
            "-",
            reviewer,
            "Draft discarded",
        )
        evidence = Evidence.history.filter(verdict_id=draft.pk).latest("history_date")
        assert (evidence.history_type, evidence.history_user) == ("-", reviewer)

    def test_nobody_else_discards_it(self, reviewer, editor, superuser):
        draft = _verdict(VerdictStatus.DRAFT, reviewer)
        for someone in (editor, superuser):
            with pytest.raises(PermissionDenied):
                services.verdict_discard(verdict=draft, actor=someone)
        assert Verdict.objects.filter(pk=draft.pk).exists()

    def test_only_drafts_are_discarded(self, reviewer):
        submitted = _verdict(VerdictStatus.IN_REVIEW, reviewer)
        with pytest.raises(services.WorkflowError, match="Cannot discard this draft: it is in review"):
            services.verdict_discard(verdict=submitted, actor=reviewer)


class TestParts:
    def test_evidence_changes_are_a_new_version_of_the_verdict(self, reviewer):
        draft = _verdict(VerdictStatus.DRAFT, reviewer)
        item = Evidence(source=make_source(), note="Shows it.")
        services.verdict_save(verdict=draft, actor=reviewer, evidence=services.Parts(saved=[item]))
        draft.refresh_from_db()
        assert draft.version == 2
        assert item.verdict_id == draft.pk
        assert item.history.get().history_user == reviewer

    def test_evidence_of_another_verdict_is_refused(self, reviewer):
        draft, other = _verdict(VerdictStatus.DRAFT, reviewer), _verdict(VerdictStatus.DRAFT, reviewer)
        theirs = Evidence.objects.create(verdict=other, source=make_source())
        with pytest.raises(services.WorkflowError, match="belongs to another record"):
            services.verdict_save(verdict=draft, actor=reviewer, evidence=services.Parts(deleted=[theirs]))
        assert Evidence.objects.filter(pk=theirs.pk).exists()

    def test_evidence_of_a_published_verdict_cannot_be_edited(self, reviewer, editor):
        published = services.verdict_publish(verdict=_verdict(VerdictStatus.IN_REVIEW, reviewer), actor=editor)
        with pytest.raises(PermissionDenied):
            services.verdict_save(
                verdict=published, actor=editor, evidence=services.Parts(saved=[Evidence(source=make_source())])
            )
        assert not published.evidence.exists()
