"""An editor imports another fact-checker's ClaimReview through the admin: upload, dry run, confirm.

Real Chromium, real HTTP against a live server, the demo accounts and data.
"""

import json

import pytest
from playwright.sync_api import expect

from claims.models import Verdict
from tests.browser.test_review_flow import log_in
from tests.importer.helpers import AFP, POLITIFACT, data_feed
from tests.jobs import run_jobs

pytestmark = pytest.mark.browser


def test_editor_imports_a_feed_after_checking_the_dry_run(demo_desk, live_server, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    feed = tmp_path / "partners.json"
    feed.write_text(json.dumps(data_feed(POLITIFACT, AFP)))
    before = Verdict.objects.count()
    page = browser.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server.url, "editor")
        page.goto(f"{live_server.url}/admin/claims/verdict/")
        page.click("text=Import ClaimReview")
        page.set_input_files("#id_files", str(feed))
        page.click("#check-import")
        # The dry run is a background job: the page says it waits for a worker, which runs it.
        expect(page.locator("#import-progress")).to_contain_text("Waiting for a worker")
        assert run_jobs() == 1

        # The dry run says what will happen; nothing is written yet.
        summary = page.locator("#import-summary")
        expect(summary).to_contain_text("Dry run: nothing written. 2 record(s) read, 2 review(s) imported")
        expect(summary).to_contain_text("reviews      2 created")
        assert Verdict.objects.count() == before

        page.click("#confirm-import")
        expect(page.locator("#import-progress")).to_contain_text("Waiting for a worker")
        assert run_jobs() == 1
        expect(page.locator("#import-result")).to_contain_text("2 review(s) imported")
        assert Verdict.objects.count() == before + 2

        # The imported review is public at once, credited to its fact-checker.
        imported = Verdict.objects.get(review_url=POLITIFACT["url"])
        api = page.request.get(f"{live_server.url}/api/v1/claims/{imported.claim_id}/")
        assert api.status == 200
        assert api.json()["verdict"]["reviewed_by"]["name"] == "PolitiFact"
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'failure.png'}")
        raise
