"""The iCalendar feed at scale: a bounded window of deadlines around the frozen day, and conditional GETs (a weak
ETag over what the feed shows, 304 on a match, Cache-Control private) that a revoked token never gets past."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import TODAY, ZONE
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User
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
