"""A fact-check embedded in a page on another origin renders; other pages refuse to be framed."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.integrations.helpers import published_fact_check

pytestmark = pytest.mark.browser


@pytest.fixture
def other_origin():
    """A page on another origin (another host and port) that frames the pages it is given."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", pages
    server.shutdown()
    server.server_close()


def test_embed_renders_on_another_origin_and_nothing_else_can_be_framed(
    transactional_db, live_server, browser, other_origin, reviewer, editor
):
    verdict = published_fact_check("Russia is buying shells from North Korea.", reviewer=reviewer, editor=editor)
    # The live server answers as localhost; the framing page is on 127.0.0.1 with another port.
    site = live_server.url.replace("127.0.0.1", "localhost")
    embed_url = f"{site}/fact-checks/{verdict.claim_id}/embed/"
    page_url = f"{site}/fact-checks/{verdict.claim_id}/"
    origin, pages = other_origin
    pages["/article.html"] = (
        "<!DOCTYPE html><html><body><h1>A newsroom article</h1>"
        f'<iframe id="embed" name="embed" src="{embed_url}" width="560" height="320"></iframe>'
        f'<iframe id="page" name="page" src="{page_url}" width="560" height="320"></iframe>'
        "</body></html>"
    ).encode()

    # A context of its own: the refused frame is reported as a policy violation, which is the point here.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{origin}/article.html")
    embed = page.frame_locator("#embed")
    expect(embed.locator(".embed-claim")).to_have_text("Russia is buying shells from North Korea.")
    expect(embed.locator(".rating")).to_have_text("False")
    expect(embed.locator("a")).to_have_attribute("href", page_url)
    page.screenshot(path="/tmp/embed-on-another-origin.png")

    # Chromium replaces a refused frame with its own error page: nothing of ours is shown.
    refused = page.frame(name="page")
    for _ in range(50):
        if refused.url.startswith("chrome-error://"):
            break
        page.wait_for_timeout(100)
    assert refused.url.startswith("chrome-error://"), refused.url
    assert "North Korea" not in refused.content()
    assert page.frame(name="embed").locator(".embed-headline").inner_text() == verdict.headline
    context.close()
