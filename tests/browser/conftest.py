import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connection, connections

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail(
            f"Chromium not found at {path}: install Debian's chromium package (make test does it when run as root) "
            "or set CHROMIUM_PATH."
        )
    return path


class CSPWatchedBrowser:
    """The browser, with pages that record every Content-Security-Policy violation."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        # Injected by the browser itself, so the page's policy does not apply to it.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.documentURI));"
        )
        page.on(
            "console",
            lambda message: self.violations.append(message.text) if "CSP violation" in message.text else None,
        )
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        watched = CSPWatchedBrowser(browser)
        yield watched
        browser.close()
        # Everything the test showed ran under the Content-Security-Policy without a violation.
        assert watched.violations == [], watched.violations
        # The test ran inside Playwright's context, with database connections of its own;
        # close them here, where they are visible, before the database is cleaned up.
        connections.close_all()


@pytest.fixture
def demo_desk(django_db_serialized_rollback, settings):
    """The demo data and demo accounts, as `make demo` sets them up."""
    call_command("loaddata", "demo", verbosity=0)
    call_command("demo_accounts", force=True, verbosity=0)
    yield
    # The live server answers keep-alive connections in daemon threads that keep their
    # database session until the process ends; end them so the test database can be dropped.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
