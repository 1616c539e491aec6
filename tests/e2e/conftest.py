"""Browser fixtures: the demo app served on a free port, and a Chromium page driven by Playwright.

Tests here run when Playwright and a Chromium binary are present (CI installs Debian's chromium);
skipped otherwise, with the reason printed by pytest -ra.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from contextlib import contextmanager

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


class Chromium:
    """One Playwright driver and one Chromium for a worker's stretch of browser tests in a row (starting both cost
    2-4 s a test). Each test gets a fresh context of its own (cookies, storage, cache), so nothing passes between
    tests. Stopped when the worker goes on to a test outside tests/e2e: while Playwright's sync API is alive it
    marks an event loop running in the thread, which other tests' asyncio code must not see."""

    def __init__(self) -> None:
        self._playwright = None
        self._browser = None

    def context(self, **options):
        if self._browser is None or not self._browser.is_connected():  # first use, or a test crashed it
            self.stop()
            self._playwright = playwright.sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        return self._browser.new_context(**options)

    def stop(self) -> None:
        if self._playwright is not None:
            try:
                if self._browser is not None and self._browser.is_connected():
                    self._browser.close()
            finally:
                self._playwright.stop()
        self._playwright = self._browser = None


_CHROMIUM = Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """(Called for browser tests only, this conftest's.) After the last one of a row, Chromium goes."""
    try:
        return (yield)
    finally:
        if nextitem is None or not nextitem.path.is_relative_to(os.path.dirname(__file__)):
            _CHROMIUM.stop()


@pytest.fixture(scope="session")
def chromium():
    yield _CHROMIUM
    _CHROMIUM.stop()


@contextmanager
def new_page(chromium: Chromium, **options):
    """A page in a context of its own, closed after."""
    context = chromium.context(**options)
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
    finally:
        context.close()


@pytest.fixture
def page(live_server, chromium):
    with new_page(chromium) as page:
        yield page


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
