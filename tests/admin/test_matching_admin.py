"""The desk sees "Possibly already checked" and is warned before adding a near-duplicate."""

import pytest
from django.urls import reverse

from claims.models import Claim
from tests.api.helpers import draft, publish
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

ADD = reverse("admin:claims_claim_add")


def _add_data(text: str, **extra) -> dict:
    data = {
        "text": text,
        "language": "en",
        "made_on_text": "",
        "made_in": "",
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
        "appearances-MIN_NUM_FORMS": "0",
        "appearances-MAX_NUM_FORMS": "1000",
        "verdicts-TOTAL_FORMS": "0",
        "verdicts-INITIAL_FORMS": "0",
        "verdicts-MIN_NUM_FORMS": "0",
        "verdicts-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


@pytest.fixture
def on_file(reviewer, editor):
    checked = make_claim(text="North Korea promised 100,000 volunteers to fight in Ukraine.")
    publish(checked, author=reviewer, editor=editor)
    in_progress = make_claim(text="North Korea sent 10,000 troops to the Kursk region.")
    draft(in_progress, author=reviewer)
    return checked, in_progress


def test_the_claim_page_lists_possible_matches_with_status_and_rating(client, reviewer, on_file):
    _, in_progress = on_file
    client.force_login(reviewer)
    other = make_claim(text="North Korean troops arrived in Kursk, Ukraine says.")
    page = client.get(reverse("admin:claims_claim_change", args=[other.pk])).content.decode()
    assert "Possibly already checked" in page
    assert reverse("admin:claims_claim_change", args=[in_progress.pk]) in page  # drafts included for the desk
    assert "Draft" in page
    assert reverse("admin:claims_claim_change", args=[other.pk]) + '"' not in page.split("Possibly already")[1]


def test_adding_a_near_duplicate_warns_and_saves_only_when_told(client, reviewer, on_file):
    checked, _ = on_file
    client.force_login(reviewer)
    before = Claim.objects.count()
    response = client.post(ADD, _add_data("North Korea promised 100,000 volunteers to fight in Ukraine!"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Possibly already checked" in page
    assert reverse("admin:claims_claim_change", args=[checked.pk]) in page
    assert "Published" in page and "False" in page
    assert Claim.objects.count() == before
    anyway = _add_data("North Korea promised 100,000 volunteers to fight in Ukraine!", save_anyway="on")
    saved = client.post(ADD, anyway)
    assert saved.status_code == 302
    assert Claim.objects.count() == before + 1


def test_a_new_statement_is_added_without_a_warning(client, reviewer, on_file):
    client.force_login(reviewer)
    response = client.post(ADD, _add_data("The lighthouse keeper's parrot predicted every storm of the decade."))
    assert response.status_code == 302
