"""After a change, an overview whose count was slow is shown from its newest count — with the time it was counted
and «Пересчитать сейчас» — while a thread counts it again; once that count is kept, the page shows it. A count
older than DASHBOARD_RECENT_SECONDS, or «Пересчитать сейчас», counts at once in the background, and the page reloads
itself when it is kept; a quick count is counted on the page itself."""

from __future__ import annotations

import html
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import Engine

from tests.conftest import TODAY, moment
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus
from webapp.models.assignment import OPEN_STATUSES
from webapp.services import dashboard, versions


@pytest.fixture
def recent(demo_app, monkeypatch):
    """Every count taken as slow, recent for 5 minutes, counted again at once; in a process that has counted
    nothing (a PostgreSQL copy is used again by later tests, under its URL)."""
    demo_app.config.update(DASHBOARD_RECENT_SECONDS=300, DASHBOARD_SLOW_COUNT_MS=0, DASHBOARD_RECOUNT_SPACING=0)
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    yield demo_app
    dashboard.join_recounts()


def _page(client, path="/assignments/dashboard"):
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    totals = {key: int(re.search(rf'id="total-{key}"[^>]*>(\d+)<', page).group(1))
              for key in ("all", "open", "done", "cancelled")}
    return totals, page


def _accept_one(app) -> None:
    """An open assignment accepted (a commit that moves the figures), as another process's write would be."""
    with app.app_context():
        aid = db.session.scalar(select(Assignment.id).where(Assignment.status.in_(OPEN_STATUSES),
                                                            ~Assignment.is_series).order_by(Assignment.id))
        db.session.execute(update(Assignment).where(Assignment.id == aid)
                           .values(status=AssignmentStatus.done, completed_on=TODAY))
        db.session.commit()


#: The statements each recording thread ran (_counting), by thread
_RECORDING: dict[int, list[str]] = {}


def _record(_conn, _cursor, statement, *_args) -> None:
    seen = _RECORDING.get(threading.get_ident())
    if seen is not None:
        seen.append(statement)


# Listened to once, for every engine, from the module's import on: a listener added and removed around each page
# changed the engine's listeners while a background count iterated them («deque mutated during iteration»: the
# count failed, and the test after it found nothing counted; CI, one run in many)
event.listen(Engine, "before_cursor_execute", _record)


def _counting(app, look) -> tuple[object, int]:
    """What `look()` returns and how many statements counting the figures this thread ran (not the background
    count's thread)."""
    here = threading.get_ident()
    seen = _RECORDING[here] = []
    try:
        result = look()
    finally:
        _RECORDING.pop(here, None)
    return result, sum("snapshot" in statement for statement in seen)


def test_after_a_change_the_last_count_shows_with_its_time_until_the_background_count_is_kept(recent, client,
                                                                                              auth):
    auth.login("auditor", "demo")
    (first, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 1 and 'id="recounting"' not in page
    _accept_one(recent)
    (shown, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 0  # the page counted nothing itself
    assert shown == first and 'id="recounting"' in page and "Пересчитать сейчас" in page
    assert re.search(r"Показатели посчитаны \d\d\.\d\d\.\d{4} \d\d:\d\d", page)
    dashboard.join_recounts()
    (after, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 0 and 'id="recounting"' not in page  # the background count, kept
    assert after == {**first, "open": first["open"] - 1, "done": first["done"] + 1}


def test_count_now_of_a_slow_count_counts_in_the_background_at_once_and_the_page_reloads_itself(recent, client,
                                                                                              auth, frozen_clock):
    """«Пересчитать сейчас» does not wait for a slow count on the page (1.5-3.6 s at 1M), however old the newest
    count is and whatever the spacing: the count begins in the background at once, and the page — the newest count
    with its time — says it will reload itself when the count is kept (dashboard.js)."""
    recent.config["DASHBOARD_RECOUNT_SPACING"] = 10**9  # a look alone would not count again today
    auth.login("auditor", "demo")
    first, _ = _page(client)
    _accept_one(recent)
    frozen_clock.move_to(moment(TODAY) + timedelta(seconds=301))  # older than DASHBOARD_RECENT_SECONDS too
    (shown, page), counting = _counting(recent, lambda: _page(client, "/assignments/dashboard?exact=1"))
    assert counting == 0 and shown == first
    assert 'data-reload="1"' in page and "страница обновится сама" in page
    assert 'id="recount-now"' not in page  # asked already
    refresh = re.search(r'<meta http-equiv="refresh" content="5;url=([^"]+)">', page)  # without JavaScript
    assert refresh and "exact" not in refresh.group(1)
    dashboard.join_recounts()
    for path in ("/assignments/dashboard", "/assignments/dashboard?exact=1"):  # kept: counted since the change
        (now, page), counting = _counting(recent, lambda path=path: _page(client, path))
        assert counting == 0 and 'id="recounting"' not in page
        assert now == {**first, "open": first["open"] - 1, "done": first["done"] + 1}


@pytest.mark.parametrize("setting", [("DASHBOARD_SLOW_COUNT_MS", 60_000), ("DASHBOARD_RECENT_SECONDS", 0)],
                         ids=["a quick count", "every look counts"])
def test_count_now_counts_on_the_page(recent, client, auth, setting):
    """A quick count, or DASHBOARD_RECENT_SECONDS 0 (every look counts on the page): «Пересчитать сейчас» too."""
    recent.config[setting[0]] = setting[1]
    auth.login("auditor", "demo")
    first, _ = _page(client)
    _accept_one(recent)
    (now, page), counting = _counting(recent, lambda: _page(client, "/assignments/dashboard?exact=1"))
    assert counting == 1 and 'id="recounting"' not in page and now["done"] == first["done"] + 1


def test_a_count_older_than_the_recent_seconds_is_shown_until_the_one_begun_at_once_is_kept(recent, client, auth,
                                                                                           frozen_clock):
    """After a quiet spell the newest count is too old to be read as current: it is shown only until the count
    begun at once (whatever the spacing) is kept, and the page reloads itself then."""
    recent.config["DASHBOARD_RECOUNT_SPACING"] = 10**9
    auth.login("auditor", "demo")
    first, _ = _page(client)
    _accept_one(recent)
    (shown, page), counting = _counting(recent, lambda: _page(client))  # within the 5 minutes: offered later
    assert counting == 0 and shown == first and 'id="recount-now"' in page and 'data-reload' not in page
    dashboard.join_recounts()
    assert _page(client)[0] == first  # spaced: no count began
    frozen_clock.move_to(moment(TODAY) + timedelta(seconds=301))
    (shown, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 0 and shown == first and 'data-reload="1"' in page and 'id="recount-now"' not in page
    dashboard.join_recounts()
    (shown, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 0 and 'id="recounting"' not in page and shown["done"] == first["done"] + 1


def test_a_quick_count_is_counted_again_on_the_page(recent, client, auth):
    recent.config["DASHBOARD_SLOW_COUNT_MS"] = 60_000
    auth.login("auditor", "demo")
    first, _ = _page(client)
    _accept_one(recent)
    (shown, page), counting = _counting(recent, lambda: _page(client))
    assert counting == 1 and 'id="recounting"' not in page and shown["done"] == first["done"] + 1


def test_another_process_shows_the_newest_count_kept_in_the_database(recent, monkeypatch):
    with recent.test_request_context():
        if not versions.shared():
            pytest.skip("kept for other processes on PostgreSQL only")
        f = dashboard.Filters(as_of=TODAY)
        first = dashboard.overview(f)
    _accept_one(recent)
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})  # a process of its own: nothing kept in its memory
    monkeypatch.setattr(dashboard, "_LATEST", {})
    with recent.test_request_context():
        shown, counting = _counting(recent, lambda: dashboard.overview(dashboard.Filters(as_of=TODAY)))
        assert counting == 0 and shown.recounting and shown.totals == first.totals
    dashboard.join_recounts()
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    with recent.test_request_context():
        after, counting = _counting(recent, lambda: dashboard.overview(dashboard.Filters(as_of=TODAY)))
        assert counting == 0 and not after.recounting  # the other process's background count, read back
        assert after.totals["done"] == first.totals["done"] + 1


def test_on_postgresql_one_process_of_the_installation_counts_again_at_a_time(recent, client, auth):
    with recent.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("an advisory lock of PostgreSQL's")
        engine = db.engine
    auth.login("auditor", "demo")
    first, _ = _page(client)
    _accept_one(recent)
    with recent.test_request_context():
        lock = int(dashboard._Keeping.of(dashboard.Filters(as_of=TODAY)).digest[:15], 16)
    with engine.connect() as other:  # another process counting it: holds the lock
        other.execute(select(func.pg_advisory_lock(lock)))
        shown, page = _page(client)
        dashboard.join_recounts()
        again, page = _page(client)
        assert again == shown == first and 'id="recounting"' in page  # this process did not count it too
        other.execute(select(func.pg_advisory_unlock(lock)))
    _page(client)  # the lock free: this look starts the count
    dashboard.join_recounts()
    after, page = _page(client)
    assert 'id="recounting"' not in page and after["done"] == first["done"] + 1


def _poll_url(page: str) -> str:
    return html.unescape(re.search(r'data-poll-url="([^"]+)"', page).group(1))


def test_the_page_asks_whether_a_newer_count_is_kept(recent, client, auth, monkeypatch):
    auth.login("auditor", "demo")
    _page(client)
    _accept_one(recent)
    _, page = _page(client)  # the earlier count shown, a thread counting again
    poll = _poll_url(page)
    assert poll.startswith("/assignments/dashboard/counted?") and "after=" in poll
    dashboard.join_recounts()
    assert client.get(poll).get_json() == {"counted": True}
    # another worker of the installation, which counted nothing (SQLite keeps counts per process): it starts the
    # count itself when asked, and says so once it is kept
    monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
    monkeypatch.setattr(dashboard, "_LATEST", {})
    answer = client.get(poll).get_json()
    with recent.app_context():
        if not versions.shared():  # on PostgreSQL the other worker's count is read from the database at once
            assert answer == {"counted": False}
    dashboard.join_recounts()
    assert client.get(poll).get_json() == {"counted": True}


def test_a_count_no_newer_than_the_moment_asked_about_is_not_offered(recent, client, auth):
    auth.login("auditor", "demo")
    _page(client)  # counted now, under the current token: nothing to count again
    ask = "/assignments/dashboard/counted"
    assert client.get(ask, query_string={"after": "2099-01-01T00:00:00+00:00"}).get_json() == {"counted": False}
    assert client.get(ask, query_string={"after": "2000-01-01T00:00:00+00:00"}).get_json() == {"counted": True}
    assert not any(thread.is_alive() for thread in dashboard._RECOUNTS.values())  # and started no count


def test_the_question_is_the_overseers_and_needs_a_time_with_its_zone(recent, client, auth):
    auth.login("auditor", "demo")
    for after, message in (("", "after: an ISO date and time is required"), ("вчера", "after: an ISO date and "
                           "time is required"), ("2026-11-23T10:00:00", "after: the time zone is required")):
        response = client.get("/assignments/dashboard/counted", query_string={"after": after})
        assert response.status_code == 400 and response.get_json() == {"error": message}
    response = client.get("/assignments/dashboard/counted",
                          query_string={"after": "2026-11-23T10:00:00+00:00", "as_of": "31.02.2026"})
    assert response.status_code == 400 and response.get_json()["error"].startswith("bad filters")
    auth.logout()
    auth.login("executor", "demo")
    assert client.get("/assignments/dashboard/counted",
                      query_string={"after": "2026-11-23T10:00:00+00:00"}).status_code == 403


def test_a_count_again_waits_its_spacing_after_the_newest_began(recent, client, auth):
    recent.config["DASHBOARD_RECOUNT_SPACING"] = 10**9  # the newest count's duration times this: not today
    auth.login("auditor", "demo")
    first, _ = _page(client)
    _accept_one(recent)
    for _ in range(2):
        shown, page = _page(client)
        dashboard.join_recounts()
        assert shown == first and 'id="recounting"' in page  # no count began
    shown, page = _page(client, "/assignments/dashboard?exact=1")  # «Пересчитать сейчас» does not wait
    dashboard.join_recounts()
    assert shown == first and 'data-reload="1"' in page
    shown, page = _page(client)
    assert shown["done"] == first["done"] + 1 and 'id="recounting"' not in page
