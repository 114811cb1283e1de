"""A real headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download cannot run here (and should not be
needed), so the tests launch the system Chromium by path. Where it is
missing the tests skip with the reason, or fail when REQUIRE_BROWSER is set
(CI sets it, so a missing browser can never pass silently).
"""

import os
import shutil

import pytest

# Playwright's sync API keeps an event loop running in the test thread; the
# ORM calls the tests make for set-up are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no internet: keep Chromium from calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        reason = "No Chromium found: install Debian's 'chromium' package or set CHROMIUM_PATH."
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        # A laptop without Chromium still runs everything else; the skip and
        # its reason show in the summary (-ra). CI sets REQUIRE_BROWSER.
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Log in through the real log-in page."""

    def log_in_as(user, password=None):
        page.goto("/accounts/login/")
        page.get_by_label("Username or email").fill(user.username)
        page.get_by_label("Password:", exact=True).fill(password or f"pw-{user.username}-123")
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/")
        return page

    return log_in_as
