"""A reviewer grades a claim and submits it; an editor publishes it; the public sees it.

Real Chromium, real HTTP against a live server, the demo accounts and data.
"""

import re

import pytest
from playwright.sync_api import expect

from claims.choices import VerdictStatus
from claims.models import Claim

pytestmark = pytest.mark.browser

CLAIM = "The Russian military is suffering from severe supply shortages"
QUOTE = "the Russian military continues to suffer from severe supply shortages in Ukraine"


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", username)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username, ignore_case=True)


def log_out(page):
    page.click("#logout-form button")
    expect(page.locator("h1")).to_contain_text("Logged out")


def test_reviewer_grades_and_submits_editor_publishes(demo_desk, live_server, browser, tmp_path):
    # demo_desk first: the test database is then set up before the live server starts and
    # dropped only after it stops, when its request threads have closed their connections.
    page = browser.new_page()
    page.set_default_timeout(15_000)
    try:
        # The reviewer finds the claim in their queue and opens it.
        log_in(page, live_server.url, "reviewer")
        page.click("text=Claims in my review queue")
        page.click(f"text={CLAIM}")
        expect(page.locator(".field-text textarea")).to_contain_text(CLAIM)

        # Grades it: rating from the desk's scale, headline, explanation, one piece of evidence.
        page.click("#grade-claim")
        expect(page.locator(".claim-context")).to_contain_text(QUOTE)
        page.get_by_role("radio", name=re.compile(r"\bUnverifiable\b")).check()
        page.fill("#id_headline", "Supply shortages: an unnamed official's assessment")
        page.fill("#id_explanation", "The only source is an anonymous US intelligence official.")
        page.click("#evidence-group .add-row a")
        page.click("#evidence-group .dynamic-evidence .select2-selection")
        page.fill(".select2-search__field", "Russia to buy")
        page.click(".select2-results__option >> text=Russia to buy rockets")
        page.select_option("#id_evidence-0-stance", "context")
        page.fill("#id_evidence-0-quote", QUOTE)
        page.click("#save-and-submit")
        expect(page.locator(".messagelist")).to_contain_text("Submitted for review.")
        log_out(page)

        claim = Claim.objects.get(text__startswith=CLAIM)
        verdict = claim.verdicts.get()
        assert verdict.status == VerdictStatus.IN_REVIEW
        assert verdict.evidence.get().quote == QUOTE

        # The editor finds it among the verdicts in review and publishes it.
        log_in(page, live_server.url, "editor")
        page.goto(f"{live_server.url}/admin/claims/verdict/?status__exact=in_review")
        page.click(f"text={CLAIM}")
        page.click("a.workflow-publish")
        page.click("#confirm-transition")
        expect(page.locator(".messagelist")).to_contain_text("Publish: done.")

        # The published verdict now shows in the admin's claim list...
        page.goto(f"{live_server.url}/admin/claims/claim/?status=published")
        row = page.locator("#result_list tr", has_text=CLAIM)
        expect(row).to_contain_text("published")
        expect(row).to_contain_text("Unverifiable")
        log_out(page)

        # ...on the claim's public fact-check page, and in the public API, for anyone.
        claim_id = Claim.objects.get(text__startswith=CLAIM).pk
        page.goto(f"{live_server.url}/fact-checks/{claim_id}/")
        expect(page.locator(".verdict .rating")).to_have_text("Unverifiable")
        expect(page.locator("h1")).to_have_text("Supply shortages: an unnamed official's assessment")
        api = page.request.get(f"{live_server.url}/api/v1/claims/{claim_id}/")
        assert api.status == 200
        assert api.json()["verdict"]["rating"]["slug"] == "unverifiable"
        assert api.json()["verdict"]["evidence"][0]["quote"] == QUOTE
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'failure.png'}")
        raise

    verdict.refresh_from_db()
    assert verdict.status == VerdictStatus.PUBLISHED
    assert verdict.editor.username == "editor"
