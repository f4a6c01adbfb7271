"""Workflow steps that race for one claim: publishing, returning, correcting, retracting, starting.

A claim has at most one current verdict (draft, in review or published), so "two
verdicts published at once" happens as two people acting on that one verdict, or on
the claim, at the same moment:

- two editors publish the same verdict in review (from the bulk action, without a
  version, or from the confirmation page, with one);
- one editor publishes while another returns it to the reviewer;
- two editors publish a correction of the same published verdict, or one corrects
  while the other retracts;
- two reviewers start a verdict for the same claim ("Grade this claim");
- a reviewer starts a new verdict while an editor retracts or corrects the published one.

Each test forces the hardest interleaving: the first writer is paused inside its
transaction, after its checks and with its locks held, just before it writes; the
second acts then. The first must win and the second must get a clean domain error
(never an IntegrityError, never a 500), and the claim must end with exactly one
published and at most one current verdict.
"""

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from claims.models import Claim, Evidence, Rating, Verdict
from tests.admin.helpers import change_form_data, formset_data
from tests.concurrency.helpers import Overlap, overlap
from tests.factories import make_claim, make_source, make_verdict

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgresql_concurrency,
]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_review(reviewer) -> Verdict:
    return make_verdict(
        make_claim(text="Russia is buying artillery shells from North Korea."),
        VerdictStatus.IN_REVIEW,
        reviewer=reviewer,
        headline="Confirmed by declassified intelligence",
        explanation="US officials described the purchases.",
        submitted_at=timezone.now(),
    )


def published(reviewer, editor) -> Verdict:
    verdict = make_verdict(
        make_claim(text="North Korea promised 100,000 volunteers."),
        VerdictStatus.PUBLISHED,
        reviewer=reviewer,
        editor=editor,
        rating=Rating.objects.get(slug="disputed"),
        headline="Disputed by the Russian Foreign Ministry",
        explanation="The ministry denied it the next day.",
        submitted_at=timezone.now(),
    )
    # Corrections copy the evidence: its save is the last write of a correction.
    Evidence.objects.create(verdict=verdict, source=make_source("A ministry statement"), note="The denial.")
    return verdict


def assert_clean_refusal(race: Overlap, *errors: type[Exception], match: str) -> None:
    assert race.first.ok, f"the first writer failed: {race.first.error!r}"
    error = race.second.error
    assert error is not None, "both writers succeeded"
    assert not isinstance(error, DatabaseError), f"a database error escaped the service: {error!r}"
    assert isinstance(error, errors), repr(error)
    assert match in str(error)


def assert_one_standing(claim_id: int, *, published: int) -> None:
    verdicts = Verdict.objects.filter(claim_id=claim_id)
    assert verdicts.filter(status=VerdictStatus.PUBLISHED).count() == published
    assert verdicts.filter(status__in=CURRENT_VERDICT_STATUSES).count() <= 1


def reasons(verdict: Verdict) -> list[tuple[str | None, str]]:
    return list(
        verdict.history.order_by("history_date", "history_id").values_list(
            "history_user__username", "history_change_reason"
        )
    )


class TestPublishing:
    @pytest.mark.parametrize("with_version", [False, True], ids=["bulk-action", "confirmation-page"])
    def test_two_editors_publish_the_same_verdict_at_once(self, reviewer, editor, other_editor, with_version):
        verdict = in_review(reviewer)
        version = verdict.version if with_version else None

        race = overlap(
            lambda: services.verdict_publish(verdict=verdict, actor=editor, expected_version=version),
            lambda: services.verdict_publish(verdict=verdict, actor=other_editor, expected_version=version),
            hold_on=Verdict,
        )

        # The second editor waited for the first one's row lock, then saw the result.
        assert race.second_waited
        if with_version:
            assert_clean_refusal(race, services.ConflictError, match="changed by edna")
        else:
            assert_clean_refusal(race, services.WorkflowError, match="it is published, not in review")
        verdict.refresh_from_db()
        assert (verdict.status, verdict.editor_id, verdict.version) == (VerdictStatus.PUBLISHED, editor.pk, 2)
        assert reasons(verdict)[1:] == [("edna", "Published")]
        assert_one_standing(verdict.claim_id, published=1)

    @pytest.mark.parametrize("publish_first", [True, False], ids=["publish-first", "return-first"])
    def test_publish_and_return_at_once(self, reviewer, editor, other_editor, publish_first):
        verdict = in_review(reviewer)
        version = verdict.version

        def publish():
            return services.verdict_publish(verdict=verdict, actor=editor, expected_version=version)

        def send_back():
            return services.verdict_return(
                verdict=verdict, actor=other_editor, comment="Cite the report.", expected_version=version
            )

        race = overlap(*((publish, send_back) if publish_first else (send_back, publish)), hold_on=Verdict)

        assert race.second_waited
        assert_clean_refusal(race, services.ConflictError, match="Your changes were not saved")
        verdict.refresh_from_db()
        expected = VerdictStatus.PUBLISHED if publish_first else VerdictStatus.DRAFT
        assert (verdict.status, verdict.version) == (expected, 2)
        assert_one_standing(verdict.claim_id, published=1 if publish_first else 0)

    def test_two_editors_confirm_publish_in_the_admin_at_once(self, reviewer, editor, other_editor):
        verdict = in_review(reviewer)
        url = reverse("admin:claims_verdict_transition", args=[verdict.pk, "publish"])
        first, second = login(editor), login(other_editor)
        # Each opened the confirmation page, which carries the version they saw.
        data = {"loaded_version": str(verdict.version)}

        race = overlap(lambda: first.post(url, data), lambda: second.post(url, data), hold_on=Verdict)

        assert race.second_waited
        assert race.first.ok and race.second.ok
        assert race.first.value.status_code == 302
        refused = race.second.value
        assert refused.status_code == 200
        assert "Your changes were not saved" in refused.content.decode()
        verdict.refresh_from_db()
        assert (verdict.status, verdict.editor_id) == (VerdictStatus.PUBLISHED, editor.pk)
        assert_one_standing(verdict.claim_id, published=1)


class TestCorrecting:
    @pytest.mark.parametrize("with_version", [False, True], ids=["no-version", "with-version"])
    def test_two_corrections_of_the_same_verdict_at_once(self, reviewer, editor, other_editor, with_version):
        verdict = published(reviewer, editor)
        version = verdict.version if with_version else None

        def correct(actor, headline):
            return lambda: services.verdict_correct(
                verdict=verdict,
                actor=actor,
                public_note=f"Correction by {actor.username}.",
                changes={"headline": headline},
                expected_version=version,
            )

        # The first correction is paused after it has superseded the old verdict and
        # inserted the new one: both rows are written, nothing is committed yet.
        race = overlap(
            correct(editor, "First correction"), correct(other_editor, "Second correction"), hold_on=Evidence
        )

        assert race.second_waited
        if with_version:
            assert_clean_refusal(race, services.ConflictError, match="changed by edna")
        else:
            assert_clean_refusal(race, services.WorkflowError, match="it is superseded by a correction")
        verdict.refresh_from_db()
        assert verdict.status == VerdictStatus.SUPERSEDED
        corrected = Verdict.objects.get(supersedes=verdict)
        assert (corrected.status, corrected.headline, corrected.editor_id) == (
            VerdictStatus.PUBLISHED,
            "First correction",
            editor.pk,
        )
        assert corrected.evidence.count() == 1
        assert Verdict.objects.filter(claim_id=verdict.claim_id).count() == 2
        assert_one_standing(verdict.claim_id, published=1)

    @pytest.mark.parametrize("correct_first", [True, False], ids=["correct-first", "retract-first"])
    def test_correct_and_retract_at_once(self, reviewer, editor, other_editor, correct_first):
        verdict = published(reviewer, editor)
        version = verdict.version

        def correct():
            return services.verdict_correct(
                verdict=verdict,
                actor=editor,
                public_note="Correction: re-rated.",
                changes={"rating": Rating.objects.get(slug="false")},
                expected_version=version,
            )

        def retract():
            return services.verdict_retract(
                verdict=verdict, actor=other_editor, public_note="Withdrawn.", expected_version=version
            )

        race = overlap(*((correct, retract) if correct_first else (retract, correct)), hold_on=Verdict)

        assert race.second_waited
        assert_clean_refusal(race, services.ConflictError, match="Your changes were not saved")
        verdict.refresh_from_db()
        if correct_first:
            assert verdict.status == VerdictStatus.SUPERSEDED
            assert Verdict.objects.get(supersedes=verdict).status == VerdictStatus.PUBLISHED
            assert_one_standing(verdict.claim_id, published=1)
        else:
            assert verdict.status == VerdictStatus.RETRACTED
            assert not Verdict.objects.filter(supersedes=verdict).exists()
            assert_one_standing(verdict.claim_id, published=0)

    def test_two_corrections_in_the_admin_at_once(self, reviewer, editor, other_editor):
        verdict = published(reviewer, editor)
        url = reverse("admin:claims_verdict_correct", args=[verdict.pk])
        first, second = login(editor), login(other_editor)

        def post(client, headline):
            page = client.get(url).context
            data = {
                **formset_data(page["evidence_formset"]),
                "rating": str(verdict.rating_id),
                "headline": headline,
                "explanation": verdict.explanation,
                "internal_notes": "",
                "public_note": f"Correction: {headline}.",
                "loaded_version": str(verdict.version),
            }
            return lambda: client.post(url, data)

        race = overlap(post(first, "First"), post(second, "Second"), hold_on=Evidence)

        assert race.second_waited
        assert race.first.ok and race.second.ok, (race.first.error, race.second.error)
        corrected = Verdict.objects.get(supersedes=verdict)
        assert race.first.value.status_code == 302
        assert race.first.value.url == reverse("admin:claims_verdict_change", args=[corrected.pk])
        assert race.second.value.status_code == 200
        assert "Your changes were not saved" in race.second.value.content.decode()
        assert corrected.headline == "First"
        assert_one_standing(verdict.claim_id, published=1)


class TestStartingAVerdict:
    def test_two_reviewers_start_a_verdict_for_one_claim_at_once(self, reviewer, other_reviewer):
        claim = make_claim(text="Iran is preparing to train Russian soldiers.")

        def start(actor):
            return lambda: services.verdict_save(verdict=Verdict(claim=claim), actor=actor)

        race = overlap(start(reviewer), start(other_reviewer), hold_on=Verdict)

        # The second waited on the claim's row lock, then found the first one's draft.
        assert race.second_waited
        assert_clean_refusal(race, services.WorkflowError, match="already has a verdict that is draft")
        draft = Verdict.objects.get(claim=claim)
        assert (draft.status, draft.reviewer_id) == (VerdictStatus.DRAFT, reviewer.pk)
        claim.refresh_from_db()
        # Only the winner took the claim into their queue, once.
        assert (claim.assigned_to_id, claim.version) == (reviewer.pk, 2)
        assert claim.history.filter(history_change_reason__startswith="Assigned").count() == 1

    def test_two_reviewers_press_grade_this_claim_at_once(self, reviewer, other_reviewer):
        claim = make_claim(text="North Korea has fired rockets.")
        url = reverse("admin:claims_claim_grade", args=[claim.pk])
        first, second = login(reviewer), login(other_reviewer)

        race = overlap(lambda: first.post(url), lambda: second.post(url), hold_on=Verdict)

        assert race.second_waited
        assert race.first.ok and race.second.ok, (race.first.error, race.second.error)
        draft = Verdict.objects.get(claim=claim)
        assert race.first.value.status_code == 302
        assert race.first.value.url == reverse("admin:claims_verdict_change", args=[draft.pk])
        # The second reviewer is sent back to the claim with the reason, not to an error page.
        assert race.second.value.status_code == 302
        assert race.second.value.url == reverse("admin:claims_claim_change", args=[claim.pk])
        page = second.get(race.second.value.url).content.decode()
        assert "already has a verdict that is draft" in page
        assert draft.reviewer_id == reviewer.pk

    def test_two_reviewers_save_the_add_verdict_form_for_one_claim_at_once(self, reviewer, other_reviewer):
        claim = make_claim(text="Russia will buy more North Korean arms.")
        url = reverse("admin:claims_verdict_add")
        first, second = login(reviewer), login(other_reviewer)
        # Both open the add form and pick the claim before either saves.
        data = [
            change_form_data(client.get(url), claim=str(claim.pk), headline=f"Started by {user.username}")
            for client, user in ((first, reviewer), (second, other_reviewer))
        ]

        race = overlap(lambda: first.post(url, data[0]), lambda: second.post(url, data[1]), hold_on=Verdict)

        # The form's check ran before the first draft was committed and passed; the save then
        # waited on the claim's lock and found the first draft.
        assert race.second_waited
        assert race.first.ok and race.first.value.status_code == 302
        assert race.second.ok, f"the second reviewer's save raised {race.second.error!r} (a server error page)"
        assert race.second.value.status_code == 200
        assert "already has a verdict" in race.second.value.content.decode()
        assert list(Verdict.objects.filter(claim=claim).values_list("headline", flat=True)) == ["Started by rita"]

    @pytest.mark.parametrize("step", ["retract", "correct"])
    def test_new_verdict_started_while_the_published_one_is_withdrawn_or_corrected(
        self, reviewer, editor, other_reviewer, step
    ):
        verdict = published(reviewer, editor)

        def withdraw():
            if step == "retract":
                return services.verdict_retract(verdict=verdict, actor=editor, public_note="Withdrawn.")
            return services.verdict_correct(verdict=verdict, actor=editor, public_note="Corrected.")

        def start():
            return services.verdict_save(verdict=Verdict(claim_id=verdict.claim_id), actor=other_reviewer)

        race = overlap(withdraw, start, hold_on=Evidence if step == "correct" else Verdict)

        # Starting a verdict locks the claim, not the verdict: it does not wait, it reads the
        # published verdict as committed and refuses cleanly.
        assert not race.second_waited
        assert_clean_refusal(race, services.WorkflowError, match="already has a verdict that is published")
        assert_one_standing(verdict.claim_id, published=1 if step == "correct" else 0)
        if step == "retract":
            # Once the retraction is committed, a new verdict can start.
            draft = services.verdict_save(verdict=Verdict(claim_id=verdict.claim_id), actor=other_reviewer)
            assert draft.status == VerdictStatus.DRAFT
            assert_one_standing(verdict.claim_id, published=0)


class TestAssigning:
    def test_assign_to_me_while_someone_saves_the_claim(self, reviewer, other_reviewer):
        """The assignment waits for the save, then assigns the saved row: both changes stand."""
        claim = make_claim(text="Drones are being delivered.", made_in="a briefing")
        edited = Claim.objects.get(pk=claim.pk)
        edited.made_in = "a press conference"

        race = overlap(
            lambda: services.claim_save(claim=edited, actor=reviewer, expected_version=1),
            lambda: services.claim_assign(claim=claim, actor=other_reviewer, reviewer=other_reviewer),
            hold_on=Claim,
        )

        assert race.second_waited
        assert race.first.ok and race.second.ok, (race.first.error, race.second.error)
        claim.refresh_from_db()
        assert (claim.made_in, claim.assigned_to_id, claim.version) == ("a press conference", other_reviewer.pk, 3)
        assert list(
            claim.history.order_by("history_date", "history_id").values_list(
                "history_user__username", "history_change_reason"
            )
        )[1:] == [("rita", "Edited"), ("ravi", "Assigned to ravi")]

    def test_save_of_a_form_opened_before_an_assignment_is_refused(self, reviewer, other_reviewer):
        """The assignment goes first: the edit made on the older version is refused, not merged."""
        claim = make_claim(text="Drones are being delivered.", made_in="a briefing")
        edited = Claim.objects.get(pk=claim.pk)
        edited.made_in = "a press conference"
        edited.assigned_to = None

        race = overlap(
            lambda: services.claim_assign(claim=claim, actor=other_reviewer, reviewer=other_reviewer),
            lambda: services.claim_save(claim=edited, actor=reviewer, expected_version=1),
            hold_on=Claim,
        )

        assert race.second_waited
        assert_clean_refusal(race, services.ConflictError, match="changed by ravi")
        claim.refresh_from_db()
        assert (claim.made_in, claim.assigned_to_id, claim.version) == ("a briefing", other_reviewer.pk, 2)
