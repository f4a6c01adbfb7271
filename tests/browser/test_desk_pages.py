"""Every desk page at 1280x800: nothing scrolls sideways, no console error, no serious axe finding.

And the day's story through the desk home: a reviewer grades a claim from their queue, an
editor publishes it from "Waiting for an editor", corrects it, then retracts it.

Real Chromium, real HTTP against a live server, the demo accounts and data. With
SCREENSHOTS=<dir> (``make screenshots``) the main screens are saved there as PNG files.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from claims.choices import VerdictStatus
from claims.models import Claim, Verdict
from tests.browser.test_review_flow import log_in, log_out

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}
CLAIM = "The Russian military is suffering from severe supply shortages"
QUOTE = "the Russian military continues to suffer from severe supply shortages in Ukraine"
AXE = Axe()


class Desk:
    """A page at the desk's window size that checks each screen it is shown."""

    def __init__(self, browser, base_url):
        self.page = browser.new_page(viewport=VIEWPORT)
        self.page.set_default_timeout(15_000)
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "response", lambda r: self.errors.append(f"{r.status} for {r.url}") if r.status >= 400 else None
        )
        self.checked: list[str] = []

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def check(self, name: str) -> None:
        """The page as shown now fits the window, logged no error and has no serious axe violation."""
        page = self.page
        page.wait_for_load_state("networkidle")
        where = f"{name} ({page.url})"
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{where} scrolls sideways: {widths[0]}px in a {widths[1]}px window"
        assert self.errors == [], f"{where}: console errors {self.errors}"
        results = AXE.run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{where}: {serious}"
        self.checked.append(name)
        shots = os.environ.get("SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"))


def test_the_day_through_the_desk_home(demo_desk, live_server, browser, tmp_path, settings):
    settings.FACTCHECK_SUBMIT_MIN_EVIDENCE = 1
    claim = Claim.objects.get(text__startswith=CLAIM)
    desk = Desk(browser, live_server.url)
    page = desk.page
    try:
        # The reviewer's home: their queue, with the claim one click away.
        log_in(page, live_server.url, "reviewer")
        desk.go("/admin/")
        desk.check("01-desk-reviewer")
        page.click(f"#desk-assigned a:has-text('{CLAIM}')")
        expect(page.locator(".field-text textarea")).to_contain_text(CLAIM)
        desk.check("02-claim")

        # Grades it (a POST), tries to submit too early, then completes it.
        page.click("#grade-claim")
        expect(page.locator(".claim-context")).to_contain_text(QUOTE)
        page.get_by_role("radio", name=re.compile(r"\bUnverifiable\b")).check()
        page.fill("#id_headline", "Supply shortages: an unnamed official's assessment")
        page.click("#save-and-submit")
        expect(page.locator(".errornote")).to_have_count(1)
        expect(page.locator(".field-explanation .errorlist")).to_contain_text("an explanation")
        desk.check("03-verdict-missing-fields")
        page.fill("#id_explanation", "The only source is an anonymous US intelligence official.")
        page.click("#evidence-group .add-row a")
        page.click("#evidence-group .dynamic-evidence .select2-selection")
        page.fill(".select2-search__field", "Russia to buy")
        page.click(".select2-results__option >> text=Russia to buy rockets")
        page.select_option("#id_evidence-0-stance", "context")
        page.fill("#id_evidence-0-quote", QUOTE)
        desk.check("04-verdict-form")
        page.click("#save-and-submit")
        expect(page.locator(".messagelist")).to_contain_text("Submitted for review.")
        verdict = claim.verdicts.get()
        assert verdict.status == VerdictStatus.IN_REVIEW
        desk.go("/admin/claims/claim/")
        desk.check("05-claim-list")
        desk.go(f"/admin/claims/claim/{claim.pk}/history/")
        desk.check("06-claim-history")
        log_out(page)

        # The editor returns it with a comment; the reviewer sees the comment first on their home.
        log_in(page, live_server.url, "editor")
        desk.go("/admin/")
        desk.check("07-desk-editor")
        page.click(f"#desk-waiting a:has-text('{CLAIM}')")
        expect(page.locator("a.workflow-publish")).to_be_visible()
        desk.check("08-verdict-in-review")
        page.click("a.workflow-return")
        page.fill("#id_comment", "Say which official, and when.")
        desk.check("09-return")
        page.click("#confirm-transition")
        log_out(page)
        log_in(page, live_server.url, "reviewer")
        desk.go("/admin/")
        expect(page.locator("#desk-returned .desk-comment")).to_contain_text("Say which official, and when.")
        page.click(f"#desk-returned a:has-text('{CLAIM}')")
        expect(page.locator("#returned-note")).to_contain_text("Say which official, and when.")
        page.fill("#id_explanation", "The only source is an anonymous US intelligence official, in September 2022.")
        page.click("#save-and-submit")
        expect(page.locator(".messagelist")).to_contain_text("Submitted for review.")
        log_out(page)

        # The editor publishes it from the home, corrects it, then retracts it.
        log_in(page, live_server.url, "editor")
        desk.go("/admin/")
        page.click(f"#desk-waiting a:has-text('{CLAIM}')")
        page.click("a.workflow-publish")
        desk.check("10-publish")
        page.click("#confirm-transition")
        expect(page.locator(".messagelist")).to_contain_text("Publish: done.")
        page.click("a.workflow-correct")
        page.get_by_role("radio", name=re.compile(r"\bMostly true\b")).check()
        page.fill("#id_public_note", "Re-rated after a second report.")
        desk.check("11-correction")
        page.click("#confirm-correction")
        expect(page.locator(".messagelist")).to_contain_text("The correction is published")
        page.click("a.workflow-retract")
        page.fill("#id_public_note", "Withdrawn: the report was not confirmed.")
        desk.check("12-retract")
        page.click("#confirm-transition")
        expect(page.locator(".messagelist")).to_contain_text("Retract: done.")
        desk.check("13-verdict-retracted")
        desk.go(f"/admin/claims/verdict/{claim.verdicts.get(status=VerdictStatus.RETRACTED).pk}/history/")
        desk.check("14-verdict-history")
        desk.go("/admin/claims/claim/?status=retracted")
        expect(page.locator("#result_list")).to_contain_text(CLAIM)
        desk.check("15-claim-list-retracted")
        desk.go("/admin/")
        expect(page.locator("#desk-recent")).to_contain_text("retracted")
        desk.go("/admin/claims/verdict/")
        desk.check("16-verdict-list")
        desk.go("/admin/claims/verdict/import/")
        desk.check("17-import")
        desk.go("/admin/claims/reviewqueue/")
        desk.check("18-review-queue")
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'failure.png'}")
        raise

    statuses = sorted(Verdict.objects.filter(claim=claim).values_list("status", flat=True))
    assert statuses == [VerdictStatus.RETRACTED, VerdictStatus.SUPERSEDED]
    assert len(desk.checked) == 18
