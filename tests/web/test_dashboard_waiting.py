"""The first count of some filters is not waited for on the page when it is expected to be slow — they are not
narrow and today's whole organisation's count was slow: the page says the figures are being counted, counts them
in the background and reloads itself when they are kept (dashboard.js). A narrow or a quick first count, and the
whole organisation's own first one, are counted on the page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.web.test_dashboard_recent import _counting, _page
from webapp.extensions import db
from webapp.models import Body
from webapp.services import dashboard

MONTH_AGO = f"/assignments/dashboard?as_of={(TODAY - timedelta(days=30)).isoformat()}"


@pytest.fixture
def recent(demo_app, monkeypatch):
    """Every count taken as slow, counted again at once; in a process that has counted nothing."""
    demo_app.config.update(DASHBOARD_RECENT_SECONDS=300, DASHBOARD_SLOW_COUNT_MS=0, DASHBOARD_RECOUNT_SPACING=0)
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    yield demo_app
    dashboard.join_recounts()


def _waiting(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_first_count_expected_slow_is_counted_in_the_background(recent, client, auth):
    auth.login("auditor", "demo")
    (_, page), counting = _counting(recent, lambda: _page(client))  # the whole organisation's own first count
    assert counting == 1
    page, counting = _counting(recent, lambda: _waiting(client, MONTH_AGO))
    assert counting == 0 and 'id="total-all"' not in page and 'data-reload="1"' in page
    assert re.search(r"Показатели на \d\d\.\d\d\.\d{4} считаются", page)
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="5;url=([^"]+)"></noscript>', page)
    assert refresh and "as_of=" in refresh.group(1)  # without JavaScript: every 5 seconds
    poll = re.search(r'data-poll-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    dashboard.join_recounts()
    assert client.get(poll).get_json() == {"counted": True}
    (shown, page), counting = _counting(recent, lambda: _page(client, MONTH_AGO))
    assert counting == 0 and 'id="recounting"' not in page
    with recent.test_request_context():
        totals = dashboard.overview(dashboard.Filters(as_of=TODAY - timedelta(days=30)), exact=True).totals
    assert shown == {key: totals[key] for key in shown}


def test_a_narrow_first_count_is_counted_on_the_page(recent, client, auth):
    auth.login("auditor", "demo")
    _page(client)
    with recent.app_context():
        body = db.session.scalar(select(Body.id).where(Body.parent_id.is_not(None)).order_by(Body.id))
    (_, page), counting = _counting(recent, lambda: _page(client, f"/assignments/dashboard?body={body}"))
    assert counting == 1 and 'id="recounting"' not in page


def test_a_first_count_is_counted_on_the_page_when_the_whole_organisation_s_was_quick(recent, client, auth):
    recent.config["DASHBOARD_SLOW_COUNT_MS"] = 60_000
    auth.login("auditor", "demo")
    _page(client)
    (_, page), counting = _counting(recent, lambda: _page(client, MONTH_AGO))
    assert counting == 1 and 'id="recounting"' not in page


def test_a_first_count_with_nothing_counted_before_is_expected_slow_in_a_big_organisation(recent, client, auth):
    """Nothing counted tells (a process just started): past DASHBOARD_SLOW_ASSIGNMENTS assignments even the
    whole organisation's own first count is left to the background."""
    recent.config["DASHBOARD_SLOW_ASSIGNMENTS"] = 0  # the demo's assignments are «many»
    auth.login("auditor", "demo")
    page, counting = _counting(recent, lambda: _waiting(client, "/assignments/dashboard"))
    assert counting == 0 and 'id="total-all"' not in page and 'data-reload="1"' in page
    dashboard.join_recounts()
    (shown, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 0 and shown["all"] > 0
