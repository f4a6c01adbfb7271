"""Two people edit the same claim or verdict at once through claims.services: nothing is lost.

Each pair: both writers load the row (the version they would see on a page), then both
save with that version. Exactly one save goes through; the other is refused with
ConflictError, whatever the timing. The row then holds exactly the winner's data, its
version has moved by one, and its history has one new record, the winner's.

Pairs are randomised (fields, values, workflow steps, who goes first, how long each
waits and how long the winner stays inside its transaction) from a seeded generator;
the seed is reported so a failure can be replayed with FACTCHECK_RACE_SEED.
"""

import random

import pytest
from django.utils import timezone

from claims import services
from claims.choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from claims.models import Claim, Rating, Verdict
from tests.concurrency.helpers import Outcome, Writer, run_pair
from tests.factories import make_claim, make_verdict

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAIRS = 50

INTERLEAVINGS = [
    # Both writes at the same moment on two connections: PostgreSQL only (see conftest).
    pytest.param("threads", marks=pytest.mark.postgresql_concurrency),
    # Both load, then one writes after the other: the plain stale form, on every database.
    "in_turn",
]


def winner_and_loser(outcomes: list[Outcome], context: str) -> tuple[int, int]:
    saved = [index for index, outcome in enumerate(outcomes) if outcome.ok]
    refused = [index for index, outcome in enumerate(outcomes) if isinstance(outcome.error, services.ConflictError)]
    errors = [repr(outcome.error) for outcome in outcomes]
    assert len(saved) == 1 and len(refused) == 1, f"{context}: expected one save and one conflict, got {errors}"
    return saved[0], refused[0]


def overlapped(outcomes: list[Outcome], winner: int, loser: int) -> bool:
    """The loser started writing before the winner's transaction ended."""
    return outcomes[loser].started < outcomes[winner].finished


def history_since(instance, count_before: int) -> list:
    records = list(instance.history.order_by("-history_date", "-history_id"))
    return records[: len(records) - count_before]


# Claims -------------------------------------------------------------------------------

CLAIM_EDITS = {
    "text": lambda rng: f"Edited wording number {rng.randrange(10**9)}.",
    "made_in": lambda rng: rng.choice(["Russian state TV", "a press briefing", "a Telegram post", ""]),
    "made_on_text": lambda rng: rng.choice(["August 5", "mid-July", "last week", ""]),
    "language": lambda rng: rng.choice(["en", "fr", "ru", "uk"]),
}
CLAIM_FIELDS = ["text", "speaker_id", "made_on", "made_on_text", "made_in", "language", "assigned_to_id"]


def claim_fields(claim) -> dict:
    return {name: getattr(claim, name) for name in CLAIM_FIELDS}


@pytest.mark.parametrize("interleaving", INTERLEAVINGS)
def test_concurrent_claim_edits_lose_nothing(interleaving, seeded_random, reviewer, other_reviewer):
    rng = seeded_random
    overlaps = 0
    for pair in range(PAIRS):
        claim = make_claim(text=f"Claim {pair} as first written.", made_in="a speech")
        before = claim_fields(claim)
        history_before = claim.history.count()
        actors = rng.sample([reviewer, other_reviewer], 2)
        # Sometimes the same field, sometimes different ones: a different field is refused too
        # (the person saw a whole row that no longer exists), never merged behind their back.
        edits = [
            {name: CLAIM_EDITS[name](rng) for name in rng.sample(sorted(CLAIM_EDITS), rng.randint(1, 2))}
            for _ in actors
        ]

        def writer(actor, changes, pk=claim.pk):
            def load():
                loaded = Claim.objects.get(pk=pk)
                return loaded, loaded.version

            def write(state):
                loaded, version = state
                for name, value in changes.items():
                    setattr(loaded, name, value)
                return services.claim_save(claim=loaded, actor=actor, expected_version=version)

            return Writer(load, write)

        outcomes = run_pair(interleaving, rng, [writer(a, e) for a, e in zip(actors, edits, strict=True)], [Claim])
        context = f"pair {pair} ({interleaving}): {edits}"
        winner, loser = winner_and_loser(outcomes, context)
        overlaps += overlapped(outcomes, winner, loser)
        assert f"changed by {actors[winner].username}" in str(outcomes[loser].error), context

        claim.refresh_from_db()
        expected = {**before, **edits[winner]}
        assert claim_fields(claim) == expected, context
        assert claim.version == 2, context
        new_history = history_since(claim, history_before)
        assert [(h.history_user_id, h.history_change_reason) for h in new_history] == [(actors[winner].pk, "Edited")], (
            context
        )
        assert claim_fields(new_history[0]) == expected, context

    if interleaving == "threads":
        # Proof that the writes really overlapped: in some pairs the loser began while the
        # winner's transaction was still open (it waited on the row lock, then saw the new version).
        print(f"claims: {overlaps} of {PAIRS} pairs overlapped")
        assert overlaps > 0


# Verdicts -----------------------------------------------------------------------------

COMMENT = "Please cite the ministry's statement."
NOTE = "Correction: the figure was for 2022."
RETRACTION = "Retracted: the claim was misattributed."


def verdict_content_edit(rng: random.Random, ratings: list[Rating]) -> dict:
    options = {
        "headline": lambda: f"Headline {rng.randrange(10**9)}",
        "explanation": lambda: f"Explanation {rng.randrange(10**9)}: the record shows otherwise.",
        "internal_notes": lambda: f"Note {rng.randrange(10**9)}",
        "rating": lambda: rng.choice(ratings),
    }
    return {name: options[name]() for name in rng.sample(sorted(options), rng.randint(1, 2))}


# What each state allows, and who may do it (the verdict's author is always the reviewer).
STEPS = {
    VerdictStatus.DRAFT: ["edit", "submit"],
    VerdictStatus.IN_REVIEW: ["edit", "publish", "return"],
    VerdictStatus.PUBLISHED: ["correct", "retract"],
}


def perform(step: str, verdict: Verdict, actor, version: int, changes: dict):
    if step == "edit":
        for name, value in changes.items():
            setattr(verdict, name, value)
        return services.verdict_save(verdict=verdict, actor=actor, expected_version=version)
    if step == "submit":
        return services.verdict_submit(verdict=verdict, actor=actor, expected_version=version)
    if step == "publish":
        return services.verdict_publish(verdict=verdict, actor=actor, expected_version=version)
    if step == "return":
        return services.verdict_return(verdict=verdict, actor=actor, comment=COMMENT, expected_version=version)
    if step == "correct":
        return services.verdict_correct(
            verdict=verdict, actor=actor, public_note=NOTE, changes=changes, expected_version=version
        )
    assert step == "retract"
    return services.verdict_retract(verdict=verdict, actor=actor, public_note=RETRACTION, expected_version=version)


REASONS = {
    "edit": "Edited",
    "submit": "Submitted for review",
    "publish": "Published",
    "return": f"Returned to reviewer: {COMMENT}",
    "correct": "Superseded by a correction",
    "retract": "Retracted",
}
CONTENT = ["rating_id", "headline", "explanation", "internal_notes"]
WORKFLOW = ["status", "reviewer_id", "editor_id", "return_comment", "public_note"]


def verdict_fields(verdict) -> dict:
    return {name: getattr(verdict, name) for name in [*CONTENT, *WORKFLOW, "claim_id", "supersedes_id"]}


def expected_after(step: str, before: dict, actor, changes: dict) -> dict:
    content = {
        ("rating_id" if name == "rating" else name): getattr(value, "pk", value) for name, value in changes.items()
    }
    if step == "edit":
        return {**before, **content}
    if step == "submit":
        return {**before, "status": VerdictStatus.IN_REVIEW}
    if step == "publish":
        return {**before, "status": VerdictStatus.PUBLISHED, "editor_id": actor.pk}
    if step == "return":
        return {**before, "status": VerdictStatus.DRAFT, "return_comment": COMMENT}
    if step == "correct":
        return {**before, "status": VerdictStatus.SUPERSEDED}
    return {**before, "status": VerdictStatus.RETRACTED, "public_note": RETRACTION}


def verdict_in(status: VerdictStatus, claim: Claim, author, editor) -> Verdict:
    fields = {
        "reviewer": author,
        "rating": Rating.objects.get(slug="mostly-false"),
        "headline": "Mostly false",
        "explanation": "The record shows otherwise.",
    }
    if status != VerdictStatus.DRAFT:
        fields["submitted_at"] = timezone.now()
    if status == VerdictStatus.PUBLISHED:
        fields["editor"] = editor
    return make_verdict(claim, status, **fields)


@pytest.mark.parametrize("interleaving", INTERLEAVINGS)
def test_concurrent_verdict_changes_lose_nothing(interleaving, seeded_random, reviewer, editor, other_editor):
    rng = seeded_random
    ratings = list(Rating.objects.all())
    overlaps = 0
    steps_seen = set()
    for pair in range(PAIRS):
        status = list(STEPS)[pair % len(STEPS)]
        claim = make_claim(text=f"Verdict pair {pair}.")
        verdict = verdict_in(status, claim, reviewer, editor)
        before = verdict_fields(verdict)
        history_before = verdict.history.count()
        # Drafts: their author and an editor; later states: two editors, neither the author.
        people = [reviewer, editor] if status == VerdictStatus.DRAFT else [editor, other_editor]
        actors = rng.sample(people, 2)
        steps = [rng.choice(STEPS[status]) for _ in actors]
        changes = [verdict_content_edit(rng, ratings) for _ in actors]
        steps_seen.update(steps)

        def writer(actor, step, change, pk=verdict.pk):
            def load():
                loaded = Verdict.objects.get(pk=pk)
                return loaded, loaded.version

            def write(state):
                loaded, version = state
                return perform(step, loaded, actor, version, change)

            return Writer(load, write)

        outcomes = run_pair(
            interleaving,
            rng,
            [writer(*args) for args in zip(actors, steps, changes, strict=True)],
            [Verdict],
        )
        context = f"pair {pair} ({interleaving}): {status} {list(zip(steps, changes, strict=True))}"
        winner, loser = winner_and_loser(outcomes, context)
        overlaps += overlapped(outcomes, winner, loser)
        step, actor, change = steps[winner], actors[winner], changes[winner]

        verdict.refresh_from_db()
        assert verdict_fields(verdict) == expected_after(step, before, actor, change), context
        assert verdict.version == 2, context
        new_history = history_since(verdict, history_before)
        assert [(h.history_user_id, h.history_change_reason) for h in new_history] == [(actor.pk, REASONS[step])], (
            context
        )

        claims_verdicts = Verdict.objects.filter(claim=claim)
        if step == "correct":
            corrected = claims_verdicts.get(supersedes=verdict)
            assert corrected.status == VerdictStatus.PUBLISHED and corrected.public_note == NOTE, context
            assert corrected.editor_id == actor.pk, context
            for name, value in change.items():
                assert getattr(corrected, name) == value, context
        assert claims_verdicts.count() == (2 if step == "correct" else 1), context
        assert claims_verdicts.filter(status=VerdictStatus.PUBLISHED).count() <= 1, context
        assert claims_verdicts.filter(status__in=CURRENT_VERDICT_STATUSES).count() <= 1, context

    # Every kind of step took part (the generator is not stuck on one corner).
    assert steps_seen == {"edit", "submit", "publish", "return", "correct", "retract"}
    if interleaving == "threads":
        print(f"verdicts: {overlaps} of {PAIRS} pairs overlapped")
        assert overlaps > 0
