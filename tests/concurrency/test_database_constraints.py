"""The last line of defence: the database itself refuses a second published (or current)
verdict for a claim when two connections write at once, bypassing claims.services.

The first connection writes and keeps its transaction open; the second writes the
conflicting row and must wait on the first (a partial unique index cannot decide until
the first commits or rolls back). If the first commits, the second is refused; if it
rolls back, the second goes through: the index judged the other transaction's outcome,
not a snapshot taken before it.
"""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from claims.choices import VerdictStatus
from claims.models import Rating, Verdict
from tests.concurrency.helpers import after_uncommitted
from tests.factories import make_claim, make_verdict

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgresql_concurrency,
]

ONE_PUBLISHED = "claims_verdict_one_published_per_claim"
ONE_CURRENT = "claims_verdict_one_current_per_claim"


def constraint_of(error: BaseException) -> str | None:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


def published_fields() -> dict:
    now = timezone.now()
    return {
        "status": VerdictStatus.PUBLISHED,
        "rating": Rating.objects.get(slug="false"),
        "published_at": now,
        "first_published_at": now,
    }


@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-rolls-back"])
def test_two_connections_publish_two_verdicts_of_one_claim_by_update(first_commits):
    claim = make_claim()
    # Two retracted verdicts: on record, neither current, so both may exist; publishing
    # both (a raw UPDATE, no service) is what the database must stop.
    one, two = (make_verdict(claim, VerdictStatus.RETRACTED) for _ in range(2))

    def publish(verdict):
        return lambda: Verdict.objects.filter(pk=verdict.pk).update(status=VerdictStatus.PUBLISHED)

    race = after_uncommitted(publish(one), publish(two), first_commits=first_commits)

    assert race.second_waited, "the second UPDATE did not wait for the first transaction"
    published = set(Verdict.objects.filter(claim=claim, status=VerdictStatus.PUBLISHED).values_list("pk", flat=True))
    if first_commits:
        assert isinstance(race.second.error, IntegrityError), repr(race.second.error)
        # Published is also current: whichever of the two partial indexes PostgreSQL checks
        # first reports the violation.
        assert constraint_of(race.second.error) in (ONE_PUBLISHED, ONE_CURRENT)
        assert published == {one.pk}
    else:
        assert race.second.ok, repr(race.second.error)
        assert published == {two.pk}


@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-rolls-back"])
def test_two_connections_insert_a_published_verdict_for_one_claim(first_commits):
    claim = make_claim()

    def insert():
        return Verdict.objects.create(claim=claim, headline="Inserted directly", **published_fields())

    race = after_uncommitted(insert, insert, first_commits=first_commits)

    assert race.second_waited, "the second INSERT did not wait for the first transaction"
    published = Verdict.objects.filter(claim=claim, status=VerdictStatus.PUBLISHED)
    if first_commits:
        assert isinstance(race.second.error, IntegrityError), repr(race.second.error)
        assert constraint_of(race.second.error) in (ONE_PUBLISHED, ONE_CURRENT)
        assert list(published.values_list("pk", flat=True)) == [race.first.value.pk]
    else:
        assert race.second.ok, repr(race.second.error)
        assert list(published.values_list("pk", flat=True)) == [race.second.value.pk]


def test_two_connections_insert_a_draft_for_one_claim():
    """Drafts are current but not published: only one_current_per_claim can refuse this one."""
    claim = make_claim()

    def insert():
        return Verdict.objects.create(claim=claim, status=VerdictStatus.DRAFT)

    race = after_uncommitted(insert, insert)

    assert race.second_waited
    assert isinstance(race.second.error, IntegrityError), repr(race.second.error)
    assert constraint_of(race.second.error) == ONE_CURRENT
    assert Verdict.objects.filter(claim=claim).count() == 1


@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-rolls-back"])
def test_a_verdict_published_while_another_connection_is_superseding_the_standing_one(first_commits):
    """A half-done correction (standing verdict superseded, not committed) does not free the
    claim's slot for another connection: it waits and goes by the correction's outcome."""
    claim = make_claim()
    standing = make_verdict(claim, VerdictStatus.PUBLISHED)
    retracted = make_verdict(claim, VerdictStatus.RETRACTED)

    def supersede():
        return Verdict.objects.filter(pk=standing.pk).update(status=VerdictStatus.SUPERSEDED)

    def republish():
        return Verdict.objects.filter(pk=retracted.pk).update(status=VerdictStatus.PUBLISHED)

    race = after_uncommitted(supersede, republish, first_commits=first_commits)

    assert race.second_waited
    published = list(Verdict.objects.filter(claim=claim, status=VerdictStatus.PUBLISHED))
    if first_commits:
        assert race.second.ok, repr(race.second.error)
        assert published == [retracted]
    else:
        assert isinstance(race.second.error, IntegrityError), repr(race.second.error)
        assert constraint_of(race.second.error) in (ONE_PUBLISHED, ONE_CURRENT)
        assert published == [standing]
