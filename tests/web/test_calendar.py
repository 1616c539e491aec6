"""The iCalendar feed: created behind a secret token, parsed back by `icalendar`, revocable."""

from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.web.test_assignments import _as, setup  # noqa: F401 - the shared fixture
from webapp.extensions import db
from webapp.models import Body


def _create(client, body=""):
    token = AuthActions(client).csrf("/calendar")
    response = client.post("/calendar", data={"csrf_token": token, "body": body})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r"(http://localhost/calendar/[\w-]+\.ics)", page).group(1)


def _events(client, url):
    response = client.get(url.replace("http://localhost", ""))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return [c for c in Calendar.from_ical(response.data).walk("VEVENT")]


def test_user_feed_lists_open_deadlines_and_can_be_revoked(app, client, auth, setup):  # noqa: F811
    _as(client, auth, "exe")
    url = _create(client)
    auth.logout()  # calendar programs do not log in
    events = _events(client, url)
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == date(2026, 12, 1) and event.decoded("dtend") == date(2026, 12, 2)
    assert str(event["summary"]) == "Срок: Создать службу."
    assert str(event["uid"]) == f"assignment-{setup['assignment']}@docflow"
    assert str(event["url"]).endswith(f"/assignments/{setup['assignment']}")

    _as(client, auth, "exe")
    page = client.get("/calendar").get_data(as_text=True)
    token_id = re.search(r'/calendar/(\d+)/revoke', page).group(1)
    client.post(f"/calendar/{token_id}/revoke", data={"csrf_token": auth.csrf("/calendar")})
    auth.logout()
    assert client.get(url.replace("http://localhost", "")).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_body_feed_and_who_may_have_one(app, client, auth, setup):  # noqa: F811
    with app.app_context():
        dept = db.session.scalar(select(Body).where(Body.name == "Отдел образования")).id
    _as(client, auth, "stranger")  # a member of another body
    token = auth.csrf("/calendar")
    assert client.post("/calendar", data={"csrf_token": token, "body": dept}).status_code == 403
    assert _events(client, _create(client)) == []  # their own feed is empty
    _as(client, auth, "exe")
    assert len(_events(client, _create(client, str(dept)))) == 1
