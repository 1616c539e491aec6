"""Browser fixtures: the demo app served on a free port, and a Chromium page driven by Playwright.

Tests here run when Playwright and a Chromium binary are present (CI installs Debian's chromium);
skipped otherwise, with the reason printed by pytest -ra.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
CHROMIUM = os.environ.get("DOCFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(config, items):
    # When Chromium drops a connection while the threaded dev server streams a static file,
    # werkzeug leaves that file to the garbage collector; the ResourceWarning it raises there
    # belongs to the test server, not to the service under test.
    for item in items:
        if item.path.is_relative_to(os.path.dirname(__file__)):
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))


@pytest.fixture
def live_server(demo_app):
    from werkzeug.serving import make_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(live_server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def login_as(page, base: str, login: str) -> None:
    """Log in as a demo user (password «demo»), logging out whoever is logged in first."""
    page.goto(base + "/login")
    if page.locator("#current-user").count():
        # Wait for the logout's own navigation to finish before loading the form again:
        # a goto racing the POST's redirect can leave the old page in place.
        with page.expect_navigation():
            page.click("text=Выйти")
        page.goto(base + "/login")
    page.fill("#login", login)
    page.fill("#password", "demo")
    with page.expect_navigation():
        page.click("#submit")
    expect(page.locator("#current-user")).to_have_count(1)
