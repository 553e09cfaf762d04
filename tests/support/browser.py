"""Shared test helpers: browser."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from service.accounts.operations import find_by_email
from tests.factories import (
    PASSWORD,
    fresh_code,
)

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app, monkeypatch):
    """The app on 127.0.0.1 (a free port) in a daemon thread; emailed links point at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(app.config, "APP_BASE_URL", base_url)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(app, live_server):
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the end-to-end test needs it. Run `make setup` "
            "(it installs the system packages), then run the tests again."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server, locale="vi-VN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.app = app  # sign_in() reads an official's second factor from the tests' database
        page.problems = []  # uncaught script errors and server errors seen while the test runs
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on(
            "response",
            lambda r: page.problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None,
        )
        try:
            yield page
        finally:
            context.close()
            browser.close()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """The login form as a person fills it; an official then types the code his app shows (computed here
    from the secret the factories gave him, tests/factories.fresh_code)."""
    page.goto("/account/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
    if urlsplit(page.url).path != "/account/two-factor":
        return
    with page.app.app_context():
        code = fresh_code(find_by_email(email))
    page.get_by_label("Mã xác thực", exact=True).fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận", exact=True).click()
