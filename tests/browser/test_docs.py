"""The API documentation pages work under the site's Content-Security-Policy.

The browser fixture fails the test on any policy violation; these pages load the most
third-party code (Swagger UI, Redoc), so they are where a too-strict or too-loose policy
would show.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_operations(demo_desk, live_server, browser):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/claims/")


def test_redoc_renders_the_reference(demo_desk, live_server, browser):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.locator("redoc")).to_contain_text("factcheck API")
    expect(page.locator("redoc")).to_contain_text("/api/v1/claims/")
