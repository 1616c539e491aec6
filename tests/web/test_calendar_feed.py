"""The iCalendar feed at scale: a bounded window of deadlines around the frozen day, and conditional GETs (a weak
ETag over what the feed shows, 304 on a match, Cache-Control private) that a revoked token never gets past."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event, select

from tests.conftest import TODAY, ZONE
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Membership, User
from webapp.services import calendar

# (name, days from TODAY, status): the window is TODAY-90 .. TODAY+365, open assignments only
ROWS = [("old", -91, "in_work"), ("first", -90, "in_work"), ("today", 0, "new"), ("last", 365, "reported"),
        ("far", 366, "new"), ("closed", 10, "done"), ("returned", -5, "returned")]


@pytest.fixture
def feed(app, make_user):
    """An executor of a school with the school's assignments of ROWS, and the address of their feed."""
    with app.app_context():
        school = Body(name="Школа № 7")
        document = Document(doc_type="order", title="О мерах", state="published", number="12", issuing_body=school)
        db.session.add_all([school, document])
        db.session.flush()
        ids = {}
        for name, days, status in ROWS:
            row = Assignment(document=document, lead_body=school, action=f"Поручение {name}", status=status,
                             deadline_kind="by", deadline=TODAY + timedelta(days=days))
            db.session.add(row)
            db.session.flush()
            ids[name] = row.id
        db.session.commit()
    make_user("exe", "executor", bodies=["Школа № 7"])
    with app.app_context():
        token = calendar.create_token(db.session.scalar(select(User).where(User.login == "exe")))
        db.session.commit()
    return {"url": f"/calendar/{token}.ics", "ids": ids}


def _shown(response) -> set[str]:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    return {str(e["summary"]).removeprefix("Срок: Поручение ") for e in events}


def test_the_window_runs_from_90_days_ago_to_a_year_ahead(client, feed, frozen_clock):
    assert _shown(client.get(feed["url"])) == {"first", "today", "last", "returned"}
    frozen_clock.move_to(TODAY + timedelta(days=1))  # the window moves with the day
    assert _shown(client.get(feed["url"])) == {"today", "last", "far", "returned"}


def test_an_unchanged_feed_is_answered_304(client, feed):
    first = client.get(feed["url"])
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Last-Modified"]
    assert "private" in first.headers["Cache-Control"] and "no-store" not in first.headers["Cache-Control"]
    again = client.get(feed["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(feed["url"], headers={"If-None-Match": 'W/"something-else"'}).status_code == 200


@pytest.mark.parametrize("change", ["deadline", "action", "closed", "added"])
def test_a_changed_assignment_changes_the_etag(app, client, feed, change):
    etag = client.get(feed["url"]).headers["ETag"]
    with app.app_context():
        row = db.session.get(Assignment, feed["ids"]["today"])
        if change == "deadline":
            row.deadline += timedelta(days=7)  # as an approved extension moves it
        elif change == "action":
            row.action = "Поручение уточнено"
        elif change == "closed":
            row.status = "done"
        else:
            db.session.add(Assignment(document_id=row.document_id, lead_body_id=row.lead_body_id, action="Новое",
                                      status="new", deadline_kind="by", deadline=TODAY + timedelta(days=3)))
        db.session.commit()
    response = client.get(feed["url"], headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_a_revoked_token_is_404_even_with_its_etag(app, client, feed):
    etag = client.get(feed["url"]).headers["ETag"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "exe"))
        calendar.revoke(user, calendar.tokens_of(user)[0].id)
        db.session.commit()
    assert client.get(feed["url"], headers={"If-None-Match": etag}).status_code == 404
    assert client.get(feed["url"]).status_code == 404


def test_an_unchanged_feed_is_rendered_once(app, client, feed, frozen_clock):
    """Asked again without If-None-Match (some calendar programs never send it), later the same day: the body
    rendered before, DTSTAMP and all; once an assignment changes, a new one."""
    first = client.get(feed["url"]).data
    frozen_clock.move_to(datetime.combine(TODAY, time(15), ZONE))  # five hours on: DTSTAMP would differ
    assert client.get(feed["url"]).data == first
    with app.app_context():
        db.session.get(Assignment, feed["ids"]["today"]).action = "Поручение уточнено"
        db.session.commit()
    changed = client.get(feed["url"]).data
    assert changed != first and "уточнено" in changed.decode()


def test_the_rendered_bodies_kept_are_bounded_by_their_bytes(app, client, feed, monkeypatch):
    """Two feeds' bodies under a bound that holds one: the older is let go, the newest kept; a body bigger than
    the bound is sent, not kept."""
    monkeypatch.setattr(calendar, "_RENDERED", calendar.OrderedDict())
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "exe"))
        school = db.session.scalar(select(Body).where(Body.name == "Школа № 7"))
        other = f"/calendar/{calendar.create_token(user, school)}.ics"
        db.session.commit()
    size = len(client.get(feed["url"]).data)
    monkeypatch.setattr(calendar, "RENDERED_BYTES", size + size // 2)
    assert len(client.get(other).data) > size // 2
    assert len(calendar._RENDERED) == 1 and sum(map(len, calendar._RENDERED.values())) <= size + size // 2
    monkeypatch.setattr(calendar, "RENDERED_BYTES", size // 2)
    calendar._RENDERED.clear()
    assert client.get(feed["url"]).status_code == 200 and not calendar._RENDERED


def test_the_window_s_days_are_written_into_the_statement(app, client, feed, frozen_clock):
    """The feed's statement is prepared on PostgreSQL (polled all day); with the window's days as parameters its
    generic plan took the window for a few hundred rows and read 33,000 assignments at 1M for a school's feed. The
    days are written in: the statement holds them, and no parameter is a date; the next day, that day's."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for day in (TODAY, TODAY + timedelta(days=1)):
            frozen_clock.move_to(day)
            seen.clear()
            assert _shown(client.get(feed["url"]))
            (statement, parameters), = [(s, p) for s, p in seen if "FROM assignment JOIN document" in s]
            since, until = day - timedelta(days=90), day + timedelta(days=365)
            assert f"'{since.isoformat()}'" in statement and f"'{until.isoformat()}'" in statement
            values = parameters.values() if isinstance(parameters, dict) else parameters
            assert not any(isinstance(value, date) for value in values), parameters
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_department_s_feed_and_what_its_owner_may_still_read(app, client, make_user):
    """A department's feed: its schools' assignments, led or co-executed (each co-executed one read by its key),
    not another department's. Its owner moved to another department keeps the address, but the feed shows only
    what she may still read: the assignment she controls, and the one her new department's school leads."""
    with app.app_context():
        department, other = Body(name="Отдел образования"), Body(name="Другой отдел")
        school, second = Body(name="Школа № 1", parent=department), Body(name="Школа № 2", parent=department)
        foreign = Body(name="Школа № 9", parent=other)
        document = Document(doc_type="order", title="О мерах", state="published", number="5", issuing_body=department)
        db.session.add_all([department, other, school, second, foreign, document])
        db.session.flush()

        def assignment(name: str, lead: Body, *coexecutors: Body) -> Assignment:
            row = Assignment(document=document, lead_body=lead, action=f"Поручение {name}", status="new",
                             deadline_kind="by", deadline=TODAY + timedelta(days=10), coexecutors=list(coexecutors))
            db.session.add(row)
            return row

        assignment("школы", school)
        assignment("второй школы", second)
        assignment("с соисполнителем", foreign, second)
        controlled = assignment("под контролем", second)
        assignment("чужое", foreign)
        db.session.commit()
        controlled, department, other = controlled.id, department.id, other.id
    owner = make_user("clerk", "controller", bodies=["Отдел образования"])
    with app.app_context():
        user = db.session.get(User, owner)
        db.session.get(Assignment, controlled).controller = user
        url = f"/calendar/{calendar.create_token(user, db.session.get(Body, department))}.ics"
        db.session.commit()
    assert _shown(client.get(url)) == {"школы", "второй школы", "под контролем", "с соисполнителем"}
    with app.app_context():
        for membership in db.session.get(User, owner).memberships:
            db.session.delete(membership)
        db.session.add(Membership(user_id=owner, body_id=other))
        db.session.commit()
    assert _shown(client.get(url)) == {"под контролем", "с соисполнителем"}
