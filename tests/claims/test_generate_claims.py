"""The load-test generator: valid data in every workflow state, varied text, repeatable runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from claims.choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from claims.models import Appearance, Claim, Verdict
from claims.synthetic import TextFactory
from sources.models import Source

pytestmark = pytest.mark.django_db


def generate(count: int, seed: int = 3) -> str:
    out = StringIO()
    call_command("generate_claims", claims=count, seed=seed, batch_size=97, stdout=out)
    return out.getvalue()


def test_generates_a_consistent_desk():
    output = generate(400)
    assert "claims.Claim" in output and "400" in output
    assert Claim.objects.count() == 400
    assert not Claim.objects.filter(appearances__isnull=True).exists()
    assert set(Verdict.objects.values_list("status", flat=True)) == set(VerdictStatus.values)
    for claim_id in Verdict.objects.values_list("claim_id", flat=True).distinct():
        assert Verdict.objects.filter(claim_id=claim_id, status__in=CURRENT_VERDICT_STATUSES).count() <= 1
    assert not Verdict.objects.filter(status=VerdictStatus.PUBLISHED, rating__isnull=True).exists()
    corrections = Verdict.objects.filter(supersedes__isnull=False)
    assert corrections.exists()
    assert all(v.supersedes.status == VerdictStatus.SUPERSEDED for v in corrections)
    assert Source.objects.exclude(url="").values("url").distinct().count() == Source.objects.count()


def test_text_is_varied_not_one_template():
    generate(400)
    texts = list(Claim.objects.values_list("text", flat=True))
    assert len(set(texts)) / len(texts) > 0.95
    words = {word.strip(".,“”").lower() for text in texts for word in text.split()}
    assert len(words) > 400
    first_words = {text.split()[0] for text in texts}
    assert len(first_words) > 40
    quotes = set(Appearance.objects.values_list("quote", flat=True))
    assert any(quote.startswith("“") for quote in quotes)
    assert any(quote.startswith("According to") for quote in quotes)


def test_runs_add_up_and_leave_sequences_usable():
    generate(120, seed=1)
    generate(80, seed=2)
    assert Claim.objects.count() == 200
    # Ids were assigned explicitly; the next ordinary insert must not collide.
    Claim.objects.create(text="Inserted after generation.")
    assert Claim.objects.count() == 201


def test_same_seed_same_text():
    first = TextFactory(7)
    second = TextFactory(7)
    assert [first.claim() for _ in range(20)] == [second.claim() for _ in range(20)]
    assert [first.claim() for _ in range(5)] != [TextFactory(8).claim() for _ in range(5)]
