"""``make demo`` run again never overwrites what the desk changed (manage.py load_demo)."""

from io import StringIO

import pytest
from django.core.management import call_command

from claims.choices import VerdictStatus
from claims.models import Claim, Verdict
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_loads_the_demo_into_an_empty_desk():
    assert "Loaded the demo desk" in load_demo()
    assert Claim.objects.filter(text__icontains="100,000").exists()
    assert Verdict.objects.filter(status=VerdictStatus.PUBLISHED).exists()


def test_a_second_run_keeps_every_change_made_in_between():
    load_demo()
    claims_before = Claim.objects.count()
    published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED).first()
    Verdict.objects.filter(pk=published.pk).update(
        status=VerdictStatus.RETRACTED, public_note="Withdrawn by the desk.", retracted_at=published.published_at
    )
    claim = Claim.objects.order_by("pk").first()
    Claim.objects.filter(pk=claim.pk).update(text="Edited by the desk")

    message = load_demo()

    assert "was not loaded" in message and "claims" in message
    assert Verdict.objects.get(pk=published.pk).status == VerdictStatus.RETRACTED
    assert Claim.objects.get(pk=claim.pk).text == "Edited by the desk"
    assert Claim.objects.count() == claims_before


def test_a_desk_with_its_own_data_is_left_alone():
    make_claim(text="A claim the desk entered itself")
    assert "was not loaded" in load_demo()
    assert Claim.objects.count() == 1
