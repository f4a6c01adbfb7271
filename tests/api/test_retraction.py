"""Retracted and corrected fact-checks on the public side: pages stay, notices say what happened.

A retracted fact-check keeps its page and its API detail, with the retraction's date and
public note and without ClaimReview markup. The claim reads as it stood when retracted:
a reviewer rewording it while checking it again publishes nothing until a new verdict is
published. A corrected fact-check shows its correction note and every earlier rating with
its dates.
"""

import re

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from claims import services
from claims.models import Rating
from tests.api.helpers import API, body, get_json, publish
from tests.factories import make_appearance, make_claim, make_source, make_speaker

pytestmark = pytest.mark.django_db

ORIGINAL = "The reservoir is full to the brim."
REWORDED = "The reservoir zqreworded is half empty."


@pytest.fixture
def withdrawn(reviewer, editor):
    claim = make_claim(text=ORIGINAL, speaker=make_speaker(name="Zqhidden Speaker"))
    make_appearance(claim, make_source(title="Zqhidden source"), "zqhiddenquote")
    verdict = publish(claim, author=reviewer, editor=editor, rating="true", headline="Full, says the gauge")
    retracted = services.verdict_retract(verdict=verdict, actor=editor, public_note="Withdrawn: the gauge was broken.")
    # Checked again: reworded by the reviewer, not yet published.
    claim.text = REWORDED
    claim.save()
    return claim, retracted


def page(client, claim_id) -> str:
    response = client.get(f"/fact-checks/{claim_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_of_a_retracted_fact_check_shows_the_retraction(client, withdrawn):
    claim, retracted = withdrawn
    html = page(client, claim.pk)
    assert "This fact-check was retracted" in html
    assert "Withdrawn: the gauge was broken." in html
    assert date_format(timezone.localtime(retracted.retracted_at), "j F Y") in html
    assert "Full, says the gauge" in html and "True" in html  # what was retracted, and its rating
    assert "application/ld+json" not in html


def test_a_retracted_claim_reads_as_it_stood_when_retracted(client, withdrawn):
    claim, retracted = withdrawn
    html = page(client, claim.pk)
    assert ORIGINAL in html and "zqreworded" not in html
    for hidden in ("Zqhidden Speaker", "zqhiddenquote", "Zqhidden source"):
        assert hidden not in html
    detail = get_json(client, f"{API}claims/{claim.pk}/")
    assert detail["text"] == ORIGINAL
    assert (detail["speaker"], detail["appearances"], detail["topics"], detail["verdict"]) == (None, [], [], None)
    assert detail["updated_at"] == get_json(client, f"{API}verdicts/{retracted.pk}/")["retracted_at"]
    assert get_json(client, f"{API}verdicts/{retracted.pk}/")["claim"]["text"] == ORIGINAL
    listed = [item for item in body(client.get(f"{API}verdicts/"))["results"] if item["id"] == retracted.pk]
    assert [item["claim"]["text"] for item in listed] == [ORIGINAL]
    assert "zqreworded" not in client.get(f"{API}verdicts/", {"q": "reservoir"}).content.decode()


def test_the_api_detail_answers_with_the_retraction(client, withdrawn):
    claim, retracted = withdrawn
    detail = get_json(client, f"{API}claims/{claim.pk}/")
    assert detail["retraction"]["id"] == retracted.pk
    assert detail["retraction"]["status"] == "retracted"
    assert detail["retraction"]["public_note"] == "Withdrawn: the gauge was broken."
    assert detail["retraction"]["retracted_at"] is not None
    assert [item["id"] for item in detail["earlier_verdicts"]] == [retracted.pk]
    assert client.get(f"{API}claims/{claim.pk}/claim-review/").status_code == 404


def test_the_new_wording_is_not_found_by_search(client, withdrawn):
    _claim, retracted = withdrawn
    found = body(client.get(f"{API}verdicts/", {"q": "reservoir"}))["results"]
    assert [item["id"] for item in found] == [retracted.pk]
    assert body(client.get(f"{API}verdicts/", {"q": "zqreworded"}))["results"] == []
    # A word the desk removed since no longer finds it: searching is by what both wordings share.
    assert body(client.get(f"{API}verdicts/", {"q": "brim"}))["results"] == []
    assert body(client.get(f"{API}verdicts/", {"q": "reservoir -zqreworded"}))["results"] != []


def test_the_new_wording_is_public_once_published(client, withdrawn, reviewer, editor):
    claim, _retracted = withdrawn
    publish(claim, author=reviewer, editor=editor, rating="false")
    html = page(client, claim.pk)
    assert REWORDED in html and "This fact-check was retracted" not in html
    assert "Withdrawn: the gauge was broken." in html  # still on record, as an earlier version
    detail = get_json(client, f"{API}claims/{claim.pk}/")
    assert (detail["text"], detail["retraction"]) == (REWORDED, None)


def test_a_corrected_fact_check_shows_its_note_and_the_earlier_rating_with_dates(client, reviewer, editor):
    claim = make_claim(text="Exports doubled last year.")
    first = publish(claim, author=reviewer, editor=editor, rating="false", headline="Not doubled")
    correction = services.verdict_correct(
        verdict=first,
        actor=editor,
        public_note="Correction: exports rose by half, not a third.",
        changes={"rating": Rating.objects.get(slug="half-true")},
    )
    html = page(client, claim.pk)
    assert "Correction: exports rose by half, not a third." in html
    assert date_format(timezone.localtime(correction.published_at), "j F Y") in html
    earlier = re.search(r'<ul class="earlier">(.*?)</ul>', html, flags=re.DOTALL).group(1)
    assert Rating.objects.get(slug="false").label in earlier
    assert date_format(timezone.localtime(first.published_at), "j F Y") in earlier
    assert "application/ld+json" in html
