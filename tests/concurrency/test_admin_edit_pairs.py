"""Two people save the same claim or verdict at once from the admin: the later save is refused.

Each pair: two logged-in browsers (test clients) open the change form, each changes
something (the same field or different ones, the claim's topics, a verdict's evidence),
then both post at once. One post saves (302); the other gets the form back (200) with
the conflict error, naming who saved first, and nothing of theirs is written. The row
holds exactly the winner's data, one version on, with history only from the winner.

The forms are opened one after the other in the test's thread: the test client collects
rendered templates through a process-wide signal, so two requests rendering at once
would mix up each other's ``response.context``. The posts, where the race is, run in
threads on their own connections, and their outcome is read from the HTML.
"""

import random

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.choices import VerdictStatus
from claims.forms import desk_ratings
from claims.models import Claim, Evidence, Rating, Topic, Verdict
from tests.admin.helpers import change_form_data
from tests.concurrency.helpers import Outcome, Writer, run_pair
from tests.factories import make_claim, make_source, make_verdict

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Rendering a change form is the slow part (about 50 ms); the threaded pairs are the point,
# the in-turn ones repeat on every database what tests/admin checks once.
PAIRS = {"threads": 50, "in_turn": 10}
REFUSED = "Your changes were not saved"

INTERLEAVINGS = [
    pytest.param("threads", marks=pytest.mark.postgresql_concurrency),
    "in_turn",
]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_pair(interleaving, rng, url, clients, data, models) -> list[Outcome]:
    writers = [
        Writer(load=lambda data=data: data, write=lambda data, client=client: client.post(url, data))
        for client, data in zip(clients, data, strict=True)
    ]
    return run_pair(interleaving, rng, writers, models)


def winner_and_loser(outcomes: list[Outcome], context: str) -> tuple[int, int]:
    for outcome in outcomes:
        assert outcome.ok, f"{context}: the request raised {outcome.error!r}"
    codes = [outcome.value.status_code for outcome in outcomes]
    assert sorted(codes) == [200, 302], f"{context}: expected one save (302) and one refusal (200), got {codes}"
    winner, loser = codes.index(302), codes.index(200)
    html = outcomes[loser].value.content.decode()
    assert REFUSED in html, f"{context}: the refused form does not say why"
    assert 'class="errornote"' in html, context
    return winner, loser


def new_history(instance, count_before: int) -> list:
    records = list(instance.history.order_by("-history_date", "-history_id"))
    return records[: len(records) - count_before]


# Claims -------------------------------------------------------------------------------


def claim_edit(rng: random.Random, topics: list[Topic], staff: list) -> dict:
    options = {
        "text": lambda: f"Reworded in the admin, version {rng.randrange(10**9)}.",
        "made_in": lambda: rng.choice(["Russian state TV", "a press briefing", ""]),
        "made_on_text": lambda: rng.choice(["August 5", "mid-July", ""]),
        "language": lambda: rng.choice(["en", "fr", "ru"]),
        "topics": lambda: sorted(str(topic.pk) for topic in rng.sample(topics, rng.randint(0, 2))),
        "assigned_to": lambda: rng.choice(["", *(str(user.pk) for user in staff)]),
    }
    return {name: options[name]() for name in rng.sample(sorted(options), rng.randint(1, 2))}


def claim_state(claim: Claim) -> dict:
    return {
        "text": claim.text,
        "made_in": claim.made_in,
        "made_on_text": claim.made_on_text,
        "language": claim.language,
        "topics": sorted(str(pk) for pk in claim.topics.values_list("pk", flat=True)),
        "assigned_to": str(claim.assigned_to_id or ""),
    }


@pytest.mark.parametrize("interleaving", INTERLEAVINGS)
def test_concurrent_claim_saves_in_the_admin_lose_nothing(interleaving, seeded_random, reviewer, other_reviewer):
    rng = seeded_random
    topics = [Topic.objects.create(name=name, slug=name.lower()) for name in ("Arms", "Drones", "Sanctions")]
    people = [reviewer, other_reviewer]
    clients = {user.pk: login(user) for user in people}
    for pair in range(PAIRS[interleaving]):
        claim = make_claim(text=f"Claim {pair} before the admin edits.", made_in="a speech")
        claim.topics.set(topics[:1])
        before = claim_state(claim)
        history_before = claim.history.count()
        actors = rng.sample(people, 2)
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        forms = [clients[actor.pk].get(url) for actor in actors]
        edits = [claim_edit(rng, topics, people) for _ in actors]
        data = [change_form_data(form, **edit) for form, edit in zip(forms, edits, strict=True)]

        outcomes = post_pair(interleaving, rng, url, [clients[a.pk] for a in actors], data, [Claim])
        context = f"claim pair {pair} ({interleaving}): {edits}"
        winner, loser = winner_and_loser(outcomes, context)
        assert f"changed by {actors[winner].username}" in outcomes[loser].value.content.decode(), context

        claim.refresh_from_db()
        assert claim_state(claim) == {**before, **edits[winner]}, context
        assert claim.version == 2, context
        records = new_history(claim, history_before)
        # The save is one record; a change of topics adds one per change of the set. All are
        # the winner's: the refused save wrote nothing, not even history.
        assert {(r.history_user_id, r.history_change_reason) for r in records} == {(actors[winner].pk, "Edited")}, (
            context
        )
        topics_changed = claim_state(claim)["topics"] != before["topics"]
        assert len(records) > 1 if topics_changed else len(records) == 1, context
        assert (records[0].text, records[0].made_in, records[0].version) == (claim.text, claim.made_in, 2), context


# Verdicts -----------------------------------------------------------------------------


def verdict_edit(rng: random.Random, ratings: list[Rating], evidence_note: str) -> dict:
    options = {
        "headline": lambda: f"Headline {rng.randrange(10**9)}",
        "explanation": lambda: f"Explanation {rng.randrange(10**9)}.",
        "internal_notes": lambda: f"Desk note {rng.randrange(10**9)}",
        "rating": lambda: str(rng.choice(ratings).pk),
        evidence_note: lambda: f"What the source shows, take {rng.randrange(10**9)}.",
    }
    return {name: options[name]() for name in rng.sample(sorted(options), rng.randint(1, 2))}


def verdict_state(verdict: Verdict, evidence_note: str) -> dict:
    return {
        "headline": verdict.headline,
        "explanation": verdict.explanation,
        "internal_notes": verdict.internal_notes,
        "rating": str(verdict.rating_id),
        evidence_note: verdict.evidence.get().note,
    }


@pytest.mark.parametrize("interleaving", INTERLEAVINGS)
def test_concurrent_verdict_saves_in_the_admin_lose_nothing(
    interleaving, seeded_random, reviewer, editor, other_editor
):
    rng = seeded_random
    ratings = list(desk_ratings())  # the scale a person grades with ("Not on our scale" is for imports)
    source = make_source("A report the verdicts cite")
    clients = {user.pk: login(user) for user in (reviewer, editor, other_editor)}
    for pair in range(PAIRS[interleaving]):
        # Drafts are saved by their author and an editor; verdicts in review by two editors.
        in_review = pair % 2 == 1
        status = VerdictStatus.IN_REVIEW if in_review else VerdictStatus.DRAFT
        verdict = make_verdict(
            make_claim(text=f"Verdict pair {pair} in the admin."),
            status,
            reviewer=reviewer,
            rating=ratings[0],
            headline="As first written",
            explanation="Why, as first written.",
            submitted_at=timezone.now() if in_review else None,
        )
        Evidence.objects.create(verdict=verdict, source=source, note="As first noted.")
        actors = rng.sample([editor, other_editor] if in_review else [reviewer, editor], 2)
        url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        forms = [clients[actor.pk].get(url) for actor in actors]
        evidence_note = f"{forms[0].context['inline_admin_formsets'][0].formset.prefix}-0-note"
        before = verdict_state(verdict, evidence_note)
        history_before = verdict.history.count()
        evidence_history_before = verdict.evidence.get().history.count()
        edits = [verdict_edit(rng, ratings, evidence_note) for _ in actors]
        data = [change_form_data(form, **edit) for form, edit in zip(forms, edits, strict=True)]

        outcomes = post_pair(interleaving, rng, url, [clients[a.pk] for a in actors], data, [Verdict])
        context = f"verdict pair {pair} ({interleaving}, {status}): {edits}"
        winner, loser = winner_and_loser(outcomes, context)
        assert f"changed by {actors[winner].username}" in outcomes[loser].value.content.decode(), context

        verdict.refresh_from_db()
        assert verdict_state(verdict, evidence_note) == {**before, **edits[winner]}, context
        assert verdict.status == status, context
        assert verdict.version == 2, context
        assert [(r.history_user_id, r.history_change_reason) for r in new_history(verdict, history_before)] == [
            (actors[winner].pk, "Edited")
        ], context
        evidence_records = new_history(verdict.evidence.get(), evidence_history_before)
        expected_evidence_records = [actors[winner].pk] if evidence_note in edits[winner] else []
        assert [record.history_user_id for record in evidence_records] == expected_evidence_records, context
