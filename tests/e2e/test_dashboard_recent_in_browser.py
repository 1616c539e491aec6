"""Real browser: after a change, the auditor's dashboard shows its earlier count with its time while it is counted
again; the page's script (under the CSP) asks until the newer count is kept and then offers it, and following
the offer shows the change."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM, expect, login_as
from tests.web.test_dashboard_recent import _accept_one
from webapp.services import dashboard

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_the_earlier_count_then_the_offer_of_the_newer(page, live_server, demo_app, monkeypatch):
    demo_app.config.update(DASHBOARD_RECENT_SECONDS=300, DASHBOARD_SLOW_COUNT_MS=0, DASHBOARD_RECOUNT_SPACING=0)
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/dashboard")
    expect(page.locator("#recounting")).to_have_count(0)
    done = int(page.locator("#total-done").inner_text())
    _accept_one(demo_app)
    page.goto(live_server + "/assignments/dashboard")
    expect(page.locator("#recounting-text")).to_contain_text("Показатели посчитаны")
    expect(page.locator("#total-done")).to_have_text(str(done))  # the earlier count
    expect(page.locator("#recounted")).to_be_visible()  # asked every 2 seconds until the newer is kept
    expect(page.locator("#recounting-text")).to_have_text("Показатели пересчитаны с учётом изменений.")
    expect(page.locator("#recount-now")).to_be_hidden()
    with page.expect_navigation():
        page.click("#recounted")
    expect(page.locator("#recounting")).to_have_count(0)
    expect(page.locator("#total-done")).to_have_text(str(done + 1))
    dashboard.join_recounts()
    assert [line for line in console if "Content Security Policy" in line or "Refused to" in line] == []


def test_count_now_reloads_the_page_with_the_new_count(page, live_server, demo_app, monkeypatch):
    """«Пересчитать сейчас» counts in the background (a look alone would not today: spaced by 10**9 counts'
    durations); the page it opens asks every second and reloads itself, without `exact`, when the count is kept."""
    demo_app.config.update(DASHBOARD_RECENT_SECONDS=300, DASHBOARD_SLOW_COUNT_MS=0, DASHBOARD_RECOUNT_SPACING=10**9)
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/dashboard")
    done = int(page.locator("#total-done").inner_text())
    _accept_one(demo_app)
    page.goto(live_server + "/assignments/dashboard")
    expect(page.locator("#total-done")).to_have_text(str(done))  # the earlier count, not counted again
    with page.expect_navigation():
        page.click("#recount-now")
    expect(page.locator("#recounting")).to_have_count(0)  # reloaded by itself once the count was kept
    expect(page.locator("#total-done")).to_have_text(str(done + 1))
    assert "exact" not in page.url
    dashboard.join_recounts()


def test_a_first_count_expected_slow_reloads_the_page_when_counted(page, live_server, demo_app, monkeypatch):
    """Another day's figures after a slow count of today's: «считаются», then the page reloads itself with them."""
    demo_app.config.update(DASHBOARD_RECENT_SECONDS=300, DASHBOARD_SLOW_COUNT_MS=0, DASHBOARD_RECOUNT_SPACING=0)
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/dashboard")
    expect(page.locator("#total-all")).to_be_visible()
    monkeypatch.setattr(dashboard, "_overview", _slowed(dashboard._overview))
    page.goto(live_server + "/assignments/dashboard?as_of=01.03.2022")
    expect(page.locator("#recounting-text")).to_contain_text("Показатели на 01.03.2022 считаются")
    expect(page.locator("#total-all")).to_be_visible(timeout=10_000)  # reloaded by itself
    expect(page.locator("#recounting")).to_have_count(0)
    dashboard.join_recounts()


def _slowed(count):
    """A count a second slower: the page is seen waiting before it reloads."""
    import time

    def slower(*args, **kwargs):
        time.sleep(1.0)
        return count(*args, **kwargs)
    return slower
