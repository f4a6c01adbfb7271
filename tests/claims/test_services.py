"""The verdict workflow and claim edits, through claims.services."""

import pytest
from django.core.exceptions import PermissionDenied

from claims import services
from claims.choices import VerdictStatus
from claims.models import Claim, Evidence, Rating, Verdict
from tests.factories import make_claim, make_source

pytestmark = pytest.mark.django_db


def draft_for(claim: Claim, author, *, complete: bool = True) -> Verdict:
    verdict = services.verdict_save(verdict=Verdict(claim=claim), actor=author)
    if complete:
        verdict.rating = Rating.objects.get(slug="mostly-false")
        verdict.headline = "Mostly false"
        verdict.explanation = "Because the record shows otherwise."
        verdict = services.verdict_save(verdict=verdict, actor=author, expected_version=verdict.version)
    return verdict


def in_review(claim, author):
    return services.verdict_submit(verdict=draft_for(claim, author), actor=author)


def published(claim, author, publisher):
    return services.verdict_publish(verdict=in_review(claim, author), actor=publisher)


class TestHappyPath:
    def test_draft_submit_publish(self, reviewer, editor):
        claim = make_claim()
        verdict = draft_for(claim, reviewer)
        assert verdict.status == VerdictStatus.DRAFT
        assert verdict.reviewer == reviewer

        verdict = services.verdict_submit(verdict=verdict, actor=reviewer)
        assert verdict.status == VerdictStatus.IN_REVIEW
        assert verdict.submitted_at is not None

        verdict = services.verdict_publish(verdict=verdict, actor=editor)
        verdict.refresh_from_db()
        assert verdict.status == VerdictStatus.PUBLISHED
        assert verdict.editor == editor
        assert verdict.published_at >= verdict.submitted_at

    def test_history_records_who_did_each_step_and_why(self, reviewer, editor):
        verdict = published(make_claim(), reviewer, editor)
        rows = list(
            verdict.history.order_by("history_date").values_list(
                "history_user__username", "history_change_reason", "status"
            )
        )
        assert rows == [
            ("rita", "Draft started", "draft"),
            ("rita", "Edited", "draft"),
            ("rita", "Submitted for review", "in_review"),
            ("edna", "Published", "published"),
        ]

    def test_starting_a_verdict_takes_an_unassigned_claim_into_the_authors_queue(self, reviewer, other_reviewer):
        unassigned = make_claim(text="Unassigned.")
        draft_for(unassigned, reviewer, complete=False)
        unassigned.refresh_from_db()
        assert unassigned.assigned_to == reviewer
        assert unassigned.history.first().history_change_reason == "Assigned to rita (started a verdict)"

        theirs = make_claim(text="Assigned to someone else.", assigned_to=other_reviewer)
        draft_for(theirs, reviewer, complete=False)
        theirs.refresh_from_db()
        assert theirs.assigned_to == other_reviewer

    def test_every_write_bumps_the_version(self, reviewer, editor):
        verdict = draft_for(make_claim(), reviewer)
        assert verdict.version == 2
        verdict = services.verdict_submit(verdict=verdict, actor=reviewer)
        assert verdict.version == 3
        assert Verdict.objects.get(pk=verdict.pk).version == 3


class TestPreconditions:
    def test_submit_needs_rating_headline_and_explanation(self, reviewer):
        verdict = draft_for(make_claim(), reviewer, complete=False)
        with pytest.raises(services.WorkflowError, match="without a rating, a headline and an explanation"):
            services.verdict_submit(verdict=verdict, actor=reviewer)
        assert Verdict.objects.get(pk=verdict.pk).status == VerdictStatus.DRAFT

    def test_what_a_published_verdict_needs(self):
        # The desk's own: rating, headline and explanation; another fact-checker's review
        # (imported, with its URL) stands as its author wrote it, with its rating.
        rating = Rating.objects.get(slug="false")
        assert list(services.missing_for_submission(Verdict(headline=" ", explanation="")).values()) == [
            "a rating",
            "a headline",
            "an explanation",
        ]
        assert services.missing_for_submission(Verdict(rating=rating, headline="H", explanation="E")) == {}
        imported = Verdict(review_url="https://checker.example/1", headline="", explanation="")
        assert services.missing_for_submission(imported) == {"rating": "a rating"}
        imported.rating = rating
        assert services.missing_for_submission(imported) == {}

    def test_author_cannot_publish_their_own_verdict(self, editor):
        verdict = in_review(make_claim(), editor)
        with pytest.raises(services.WorkflowError, match="other than the verdict's author"):
            services.verdict_publish(verdict=verdict, actor=editor)
        assert Verdict.objects.get(pk=verdict.pk).status == VerdictStatus.IN_REVIEW

    def test_desk_can_allow_self_publishing(self, editor, settings):
        settings.FACTCHECK_REQUIRE_SECOND_PERSON = False
        verdict = services.verdict_publish(verdict=in_review(make_claim(), editor), actor=editor)
        assert verdict.status == VerdictStatus.PUBLISHED

    def test_return_needs_a_comment_and_goes_back_to_draft(self, reviewer, editor):
        verdict = in_review(make_claim(), reviewer)
        with pytest.raises(services.WorkflowError, match="comment is required"):
            services.verdict_return(verdict=verdict, actor=editor, comment="  ")
        verdict = services.verdict_return(verdict=verdict, actor=editor, comment="Cite the ministry's statement.")
        assert verdict.status == VerdictStatus.DRAFT
        assert verdict.return_comment == "Cite the ministry's statement."
        # The author can work on it and submit again.
        verdict = services.verdict_submit(verdict=verdict, actor=reviewer)
        assert verdict.status == VerdictStatus.IN_REVIEW

    def test_retraction_needs_a_public_note(self, reviewer, editor):
        verdict = published(make_claim(), reviewer, editor)
        with pytest.raises(services.WorkflowError, match="public note"):
            services.verdict_retract(verdict=verdict, actor=editor, public_note="")
        verdict = services.verdict_retract(verdict=verdict, actor=editor, public_note="Withdrawn: wrong claim.")
        assert verdict.status == VerdictStatus.RETRACTED
        assert verdict.retracted_at is not None
        assert verdict.public_note == "Withdrawn: wrong claim."

    def test_one_verdict_at_a_time_per_claim(self, reviewer, other_reviewer, editor):
        claim = make_claim()
        verdict = published(claim, reviewer, editor)
        with pytest.raises(services.WorkflowError, match="already has a verdict that is published"):
            services.verdict_save(verdict=Verdict(claim=claim), actor=other_reviewer)
        services.verdict_retract(verdict=verdict, actor=editor, public_note="Withdrawn.")
        fresh = services.verdict_save(verdict=Verdict(claim=claim), actor=other_reviewer)
        assert fresh.status == VerdictStatus.DRAFT

    @pytest.mark.parametrize(
        ("status_setup", "transition"),
        [
            ("draft", "publish"),
            ("draft", "return"),
            ("draft", "retract"),
            ("draft", "correct"),
            ("in_review", "submit"),
            ("in_review", "retract"),
            ("published", "submit"),
            ("published", "publish"),
            ("published", "return"),
        ],
    )
    def test_invalid_transitions_are_refused(self, reviewer, editor, status_setup, transition):
        claim = make_claim()
        verdict = {
            "draft": lambda: draft_for(claim, reviewer),
            "in_review": lambda: in_review(claim, reviewer),
            "published": lambda: published(claim, reviewer, editor),
        }[status_setup]()
        call = {
            "submit": lambda: services.verdict_submit(verdict=verdict, actor=editor),
            "publish": lambda: services.verdict_publish(verdict=verdict, actor=editor),
            "return": lambda: services.verdict_return(verdict=verdict, actor=editor, comment="x"),
            "retract": lambda: services.verdict_retract(verdict=verdict, actor=editor, public_note="x"),
            "correct": lambda: services.verdict_correct(verdict=verdict, actor=editor, public_note="x"),
        }[transition]
        with pytest.raises(services.WorkflowError, match=f"it is {verdict.get_status_display().lower()}"):
            call()
        assert Verdict.objects.get(pk=verdict.pk).status == status_setup


class TestCorrections:
    def test_correction_keeps_the_old_version_and_copies_evidence(self, reviewer, editor):
        claim = make_claim()
        verdict = draft_for(claim, reviewer)
        Evidence.objects.create(verdict=verdict, source=make_source(), stance="contradicts", note="Shows it.")
        verdict = services.verdict_publish(
            verdict=services.verdict_submit(verdict=verdict, actor=reviewer), actor=editor
        )

        corrected = services.verdict_correct(
            verdict=verdict,
            actor=editor,
            public_note="Correction: the rating was too harsh.",
            changes={"rating": Rating.objects.get(slug="half-true"), "explanation": "Partly right."},
        )

        verdict.refresh_from_db()
        assert verdict.status == VerdictStatus.SUPERSEDED
        assert corrected.status == VerdictStatus.PUBLISHED
        assert corrected.supersedes == verdict
        assert corrected.rating.slug == "half-true"
        assert corrected.explanation == "Partly right."
        assert corrected.headline == verdict.headline
        assert corrected.public_note == "Correction: the rating was too harsh."
        assert list(corrected.evidence.values_list("stance", "note")) == [("contradicts", "Shows it.")]
        assert verdict.evidence.count() == 1
        assert claim.verdicts.filter(status=VerdictStatus.PUBLISHED).get() == corrected

    def test_correction_needs_a_note(self, reviewer, editor):
        verdict = published(make_claim(), reviewer, editor)
        with pytest.raises(services.WorkflowError, match="public note"):
            services.verdict_correct(verdict=verdict, actor=editor, public_note=" ")
        assert Verdict.objects.get(pk=verdict.pk).status == VerdictStatus.PUBLISHED

    def test_correction_cannot_touch_workflow_fields(self, reviewer, editor):
        verdict = published(make_claim(), reviewer, editor)
        with pytest.raises(services.WorkflowError, match="cannot change status"):
            services.verdict_correct(verdict=verdict, actor=editor, public_note="x", changes={"status": "draft"})

    def test_published_verdict_cannot_be_edited_in_place(self, reviewer, editor, superuser):
        verdict = published(make_claim(), reviewer, editor)
        verdict.explanation = "Quietly changed."
        for actor in (reviewer, editor, superuser):
            with pytest.raises(PermissionDenied, match="cannot be edited"):
                services.verdict_save(verdict=verdict, actor=actor)
        assert Verdict.objects.get(pk=verdict.pk).explanation == "Because the record shows otherwise."


class TestOptimisticLocking:
    def test_stale_claim_edit_is_refused_and_loses_nothing(self, reviewer, other_reviewer):
        claim = services.claim_save(claim=Claim(text="Original."), actor=reviewer)
        first = Claim.objects.get(pk=claim.pk)
        second = Claim.objects.get(pk=claim.pk)

        first.text = "First editor's text."
        services.claim_save(claim=first, actor=reviewer, expected_version=first.version)

        second.text = "Second editor's text."
        with pytest.raises(services.ConflictError, match="changed by rita") as excinfo:
            services.claim_save(claim=second, actor=other_reviewer, expected_version=second.version)
        assert "reload the page" in str(excinfo.value)
        assert Claim.objects.get(pk=claim.pk).text == "First editor's text."

    def test_stale_verdict_edit_is_refused(self, reviewer, editor):
        verdict = draft_for(make_claim(), reviewer)
        loaded_version = verdict.version
        services.verdict_submit(verdict=verdict, actor=reviewer)  # someone moves it on
        stale = Verdict.objects.get(pk=verdict.pk)
        stale.explanation = "Overwrite."
        with pytest.raises(services.ConflictError):
            services.verdict_save(verdict=stale, actor=editor, expected_version=loaded_version)
        assert Verdict.objects.get(pk=verdict.pk).explanation == "Because the record shows otherwise."

    def test_stale_transition_is_refused(self, reviewer, editor, other_editor):
        verdict = in_review(make_claim(), reviewer)
        seen = verdict.version
        services.verdict_return(verdict=verdict, actor=other_editor, comment="Needs work.")
        with pytest.raises(services.ConflictError):
            services.verdict_publish(verdict=verdict, actor=editor, expected_version=seen)
        assert Verdict.objects.get(pk=verdict.pk).status == VerdictStatus.DRAFT
