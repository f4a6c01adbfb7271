"""The desk home at /admin/: what needs a reviewer's or an editor's attention, one click from it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import desk, services
from claims.choices import VerdictStatus
from claims.models import Rating, Verdict
from tests.factories import make_claim, make_verdict

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")


def graded(claim, reviewer):
    return make_verdict(
        claim,
        VerdictStatus.DRAFT,
        reviewer=reviewer,
        rating=Rating.objects.get(slug="false"),
        headline="False",
        explanation="It did not happen.",
    )


def section(response, key):
    return next(s for s in response.context["desk_sections"] if s.key == key)


@pytest.fixture
def desk_work(reviewer, editor, other_reviewer, demo_data):
    returned = graded(make_claim(text="A returned claim."), reviewer)
    services.verdict_submit(verdict=returned, actor=reviewer)
    services.verdict_return(verdict=returned, actor=editor, comment="Name the second source.")
    draft = graded(make_claim(text="A claim I am writing up."), reviewer)
    waiting = graded(make_claim(text="A claim waiting for an editor."), other_reviewer)
    services.verdict_submit(verdict=waiting, actor=other_reviewer)
    assigned = make_claim(text="A claim in my queue.", assigned_to=reviewer)
    fresh = make_claim(text="A claim nobody has taken.")
    return {"returned": returned, "draft": draft, "waiting": waiting, "assigned": assigned, "fresh": fresh}


def test_a_reviewer_sees_what_was_returned_first_with_the_comment(client, reviewer, desk_work):
    client.force_login(reviewer)
    response = client.get(HOME)
    keys = [s.key for s in response.context["desk_sections"]]
    assert keys == ["returned", "drafts", "assigned", "recent", "unassigned"]  # no editor's section
    html = response.content.decode()
    returned_url = reverse("admin:claims_verdict_change", args=[desk_work["returned"].pk])
    assert html.index("Name the second source.") < html.index(returned_url) < html.index("A claim I am writing up.")
    assert section(response, "returned").rows == [desk_work["returned"]]
    assert section(response, "drafts").rows == [desk_work["draft"]]
    assert desk_work["assigned"] in section(response, "assigned").rows
    assert section(response, "unassigned").rows[0] == desk_work["fresh"]
    for work, name in [
        (desk_work["draft"], "verdict"),
        (desk_work["assigned"], "claim"),
        (desk_work["fresh"], "claim"),
    ]:
        assert reverse(f"admin:claims_{name}_change", args=[work.pk]) in html  # one click from its work


def test_an_editor_sees_what_waits_for_an_editor(client, editor, desk_work):
    client.force_login(editor)
    response = client.get(HOME)
    waiting = section(response, "waiting")
    in_review = Verdict.objects.filter(status=VerdictStatus.IN_REVIEW)
    assert desk_work["waiting"] in waiting.rows
    assert waiting.count == in_review.count() == 2
    assert [v.submitted_at for v in waiting.rows] == sorted(v.submitted_at for v in in_review)  # longest waiting first


def test_recent_decisions_say_published_corrected_or_retracted(client, reviewer, editor, demo_data):
    client.force_login(reviewer)
    html = client.get(HOME).content.decode()
    recent = html[html.index('id="desk-recent"') : html.index('id="desk-unassigned"')]
    assert "retracted" in recent and "published" in recent
    retracted = Verdict.objects.get(status=VerdictStatus.RETRACTED)
    assert reverse("admin:claims_verdict_change", args=[retracted.pk]) in recent


def test_counts_stop_at_the_cap_as_the_lists_do(client, reviewer, demo_data, monkeypatch):
    monkeypatch.setattr(desk, "LIMIT", 2)
    monkeypatch.setattr(desk, "COUNT_CAP", 5)
    client.force_login(reviewer)
    response = client.get(HOME)
    unassigned = section(response, "unassigned")
    assert len(unassigned.rows) == 2
    assert unassigned.count == 5 and unassigned.count_label == "5+"
    assert ">5+<" in response.content.decode()


def test_outsiders_get_the_plain_home(client, outsider):
    client.force_login(outsider)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "desk_sections" not in response.context


def test_the_home_costs_the_same_queries_however_much_work_there_is(client, editor, reviewer, demo_data, monkeypatch):
    monkeypatch.setattr(desk, "LIMIT", 3)
    client.force_login(editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    def add_work(round_: int) -> None:
        for number in range(12):
            verdict = graded(make_claim(text=f"Claim {round_}.{number} for the desk."), editor)
            if number % 2:
                services.verdict_submit(verdict=verdict, actor=editor)
            make_claim(text=f"Unassigned claim {round_}.{number}.")
            make_claim(text=f"Assigned claim {round_}.{number}.", assigned_to=editor)

    add_work(1)  # every list that can fill is full (more than desk.LIMIT rows)
    full = queries()
    add_work(2)
    assert queries() == full
    assert full <= 2 * 6 + 10  # a list and a capped count per section, and the page's own
