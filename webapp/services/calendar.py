"""iCalendar (RFC 5545) feeds of open deadlines, per user or per body, behind revocable secret tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.models import Body, CalendarToken, User
from webapp.models.assignment import OPEN_STATUSES
from webapp.services import occurrences
from webapp.services.assignments import visible_query
from webapp.services.errors import NotFound
from webapp.services.policy import ensure, is_controller, is_responsible


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, body: Body | None = None) -> str:
    """A new feed for the user's own assignments, or for a body they belong to. The token is shown once."""
    if body is not None:
        ensure(user, "body_calendar", body)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarToken(token_hash=_hash(token), owner_id=user.id, body_id=body.id if body else None))
    db.session.flush()
    return token


def revoke(user: User, token_id: int) -> None:
    row = db.session.get(CalendarToken, token_id)
    if row is None or row.owner_id != user.id:
        raise NotFound("Нет такой ссылки на календарь.")
    row.revoked_at = clock.now()
    db.session.flush()


def tokens_of(user: User) -> list[CalendarToken]:
    return list(db.session.scalars(select(CalendarToken).where(CalendarToken.owner_id == user.id)
                                   .order_by(CalendarToken.id)))


def feed(token: str, base_url: str) -> bytes:
    """The calendar behind a token; NotFound for an unknown or revoked one (no hint which)."""
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or not row.owner.active:
        raise NotFound("Календарь не найден.")
    occurrences.catch_up(clock.today())  # a subscribed calendar sees the next due dates of periodic assignments
    rows = [a for a in db.session.scalars(visible_query(row.owner)) if a.status in OPEN_STATUSES and a.deadline
            and not a.is_series]  # a periodic series shows as its dated occurrences
    if row.body is not None:
        ids = row.body.subtree_ids()
        rows = [a for a in rows if {b.id for b in a.bodies} & ids]
        name = f"Поручения: {row.body.display_name}"
    else:
        rows = [a for a in rows if is_responsible(row.owner, a) or is_controller(row.owner, a)]
        name = f"Поручения: {row.owner.full_name}"
    calendar = Calendar()
    calendar.add("prodid", "-//Docflow//Assignment deadlines//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for a in sorted(rows, key=lambda x: (x.deadline, x.id)):
        event = Event()
        event.add("uid", f"assignment-{a.id}@docflow")
        event.add("dtstamp", clock.now())
        event.add("dtstart", a.deadline)
        event.add("dtend", a.deadline + timedelta(days=1))
        event.add("summary", f"Срок: {a.action[:120]}")
        doc = a.document
        event.add("description", f"{doc.type_title}{' № ' + doc.number if doc.number else ''}"
                                 f"{', п. ' + a.point_number if a.point_number else ''}\n{a.action}")
        event.add("url", f"{base_url.rstrip('/')}/assignments/{a.id}")
        calendar.add_component(event)
    return calendar.to_ical()


