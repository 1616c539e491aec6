"""The worker keeps today's slow dashboards counted (`docflow dashboard keep-fresh`, every minute in the worker's
schedule): after a change, the sets of filters a page asked for in the last DASHBOARD_KEEP_FRESH_SECONDS are
counted again, so that the next look shows current figures without counting on the page. Quick counts, other
days' figures and filters nobody looked at lately are left alone; on PostgreSQL another host's looks count."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from tests.conftest import TODAY, ZONE, moment
from tests.web.test_dashboard_recent import _accept_one, _counting, _page
from webapp.extensions import db
from webapp.services import dashboard


@pytest.fixture
def fresh(demo_app, monkeypatch):
    """Every count taken as slow, kept fresh for an hour after a look; in a process that has counted and seen
    nothing (a PostgreSQL copy is used again by later tests, under its URL)."""
    demo_app.config.update(DASHBOARD_RECENT_SECONDS=300, DASHBOARD_SLOW_COUNT_MS=0, DASHBOARD_RECOUNT_SPACING=0,
                           DASHBOARD_KEEP_FRESH_SECONDS=3600)
    _forget(monkeypatch)
    yield demo_app
    dashboard.join_recounts()


def _forget(monkeypatch) -> None:
    """This process's memory of counts and looks emptied: as another host's worker would start."""
    for name in ("_OVERVIEWS", "_LATEST", "_LOOKED", "_NOTED"):
        monkeypatch.setattr(dashboard, name, {})


def _keep_fresh(runner) -> int:
    result = runner.invoke(args=["dashboard", "keep-fresh"])
    assert result.exit_code == 0, result.output
    return int(result.output.removeprefix("Dashboards counted: ").rstrip(".\n"))


def test_after_a_change_the_worker_counts_what_was_looked_at(fresh, client, auth, runner):
    auth.login("auditor", "demo")
    first, _ = _page(client)
    overdue, _ = _page(client, "/assignments/dashboard?overdue=y")
    assert _keep_fresh(runner) == 0  # nothing changed since
    _accept_one(fresh)
    assert _keep_fresh(runner) == 2  # both sets of filters the auditor looked at
    (shown, page), counting = _counting(fresh, lambda: _page(client))
    assert counting == 0 and 'id="recounting"' not in page  # current figures, counted by the worker
    assert shown == {**first, "open": first["open"] - 1, "done": first["done"] + 1}
    assert _keep_fresh(runner) == 0  # and counted once


def test_filters_nobody_looked_at_lately_are_left_to_the_page(fresh, client, auth, runner, frozen_clock):
    auth.login("auditor", "demo")
    _page(client)
    _accept_one(fresh)
    frozen_clock.move_to(moment(TODAY) + timedelta(seconds=3601))
    assert _keep_fresh(runner) == 0
    fresh.config["DASHBOARD_KEEP_FRESH_SECONDS"] = 0  # the setting's «never»
    frozen_clock.move_to(moment(TODAY))
    assert _keep_fresh(runner) == 0


def test_quick_counts_and_other_days_are_left_to_the_page(fresh, client, auth, runner):
    auth.login("auditor", "demo")
    _page(client, f"/assignments/dashboard?as_of={(TODAY - timedelta(days=30)).isoformat()}")
    fresh.config["DASHBOARD_SLOW_COUNT_MS"] = 60_000
    _page(client)  # quick: counted in far less than a minute
    _accept_one(fresh)
    assert _keep_fresh(runner) == 0


def test_on_postgresql_the_worker_counts_what_another_hosts_pages_looked_at(fresh, client, auth, runner,
                                                                         monkeypatch, frozen_clock):
    with fresh.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("looks are noted for every host in kept_overview on PostgreSQL only")
    auth.login("auditor", "demo")
    first, _ = _page(client)  # counted and kept, looked at now
    frozen_clock.move_to(moment(TODAY) + timedelta(minutes=50))
    auth.login("auditor", "demo")  # the session idle for so long has ended
    _page(client)  # the kept count shown: the look is noted all the same
    _accept_one(fresh)
    frozen_clock.move_to(moment(TODAY) + timedelta(minutes=65))  # over an hour since the count, not since the look
    _forget(monkeypatch)  # the worker's host: it has seen no page
    assert _keep_fresh(runner) == 1
    _forget(monkeypatch)  # a third host's page: reads the worker's count from the database
    (shown, page), counting = _counting(fresh, lambda: _page(client))
    assert counting == 0 and 'id="recounting"' not in page and shown["done"] == first["done"] + 1


def _looked_at_yesterday(client, auth, frozen_clock) -> None:
    """Yesterday's figures looked at yesterday (all, only overdue, and a month before: not yesterday's), and the
    clock a minute after midnight (in Moscow, the organisation's zone)."""
    auth.login("auditor", "demo")
    _page(client)
    _page(client, "/assignments/dashboard?overdue=y")
    month_ago = client.get(f"/assignments/dashboard?as_of={(TODAY - timedelta(days=30)).isoformat()}")
    assert month_ago.status_code == 200  # counted in the background (expected slow, as today's whole organisation)
    dashboard.join_recounts()
    frozen_clock.move_to(datetime.combine(TODAY + timedelta(days=1), time(0, 1), ZONE))
    auth.login("auditor", "demo")


def test_after_midnight_the_worker_counts_today_s_figures_of_what_was_looked_at_yesterday(fresh, client, auth,
                                                                                        runner, frozen_clock,
                                                                                        monkeypatch):
    """The dashboard opens on today's date: the first runs of a day count today's figures of the filters whose
    figures of yesterday a page asked for (slow ones), so that the morning's first look counts nothing."""
    _looked_at_yesterday(client, auth, frozen_clock)
    with fresh.app_context():
        if db.engine.dialect.name == "postgresql":
            _forget(monkeypatch)  # the worker's host has seen no page: the looks noted in kept_overview
    assert _keep_fresh(runner) == 2
    (shown, page), counting = _counting(fresh, lambda: _page(client))
    assert counting == 0 and 'id="recounting"' not in page
    with fresh.test_request_context():
        totals = dashboard.overview(dashboard.Filters(as_of=TODAY + timedelta(days=1)), exact=True).totals
    assert shown == {key: totals[key] for key in shown}


def test_yesterday_s_figures_are_counted_as_today_s_once(fresh, client, auth, runner, frozen_clock):
    """After a change, today's figures counted that night are counted again only if a page asks for them today;
    meanwhile the morning's look shows the night's count while it counts again in the background."""
    _looked_at_yesterday(client, auth, frozen_clock)
    assert _keep_fresh(runner) == 2
    _accept_one(fresh)
    assert _keep_fresh(runner) == 0
    (shown, page), counting = _counting(fresh, lambda: _page(client))
    assert counting == 0 and 'id="recounting"' in page


def test_yesterday_s_quick_figures_are_left_to_the_morning_s_page(fresh, client, auth, runner, frozen_clock):
    fresh.config["DASHBOARD_SLOW_COUNT_MS"] = 60_000
    auth.login("auditor", "demo")
    _page(client)
    frozen_clock.move_to(datetime.combine(TODAY + timedelta(days=1), time(0, 1), ZONE))
    assert _keep_fresh(runner) == 0
