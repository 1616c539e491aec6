"""iCalendar (RFC 5545) feeds of open deadlines, per user or per body, behind revocable secret tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Date, and_, func, select

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Body, CalendarToken, Document, DocumentType, Event, Point, User
from webapp.models.assignment import OPEN_STATUSES
from webapp.models.document import TYPE_TITLES
from webapp.services.errors import NotFound
from webapp.services.planner import written
from webapp.services.policy import bodies_assignments, ensure, own_assignments, readable_of_bodies


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


#: The feed's window (issue 14): deadlines from PAST_DAYS ago to AHEAD_DAYS ahead, so its size and cost do not grow
#: with the years of data. Assignments overdue for longer are not in the calendar (nobody scrolls a calendar back
#: years to find them): they stay on «Мои задачи», the overdue list and the dashboard.
PAST_DAYS = 90
AHEAD_DAYS = 365


@dataclass(frozen=True)
class Feed:
    """What a feed shows, read in one query, and the validators a conditional GET compares."""

    name: str
    rows: list  #: (id, deadline, action, point number, document type, document number), by deadline and id
    base_url: str
    last_modified: datetime

    @property
    def etag(self) -> str:
        """A hash of everything the body shows (DTSTAMP aside, so the ETag is weak): computed from the rows, not the
        rendering, so an unchanged feed is answered 304 without building it."""
        digest = hashlib.sha256(repr((self.name, self.rows, self.base_url)).encode("utf-8"))
        return digest.hexdigest()[:32]


def _in_scope(row: CalendarToken, deadlines):
    """The feed's open assignments with a deadline in a range, as a WHERE clause: a body's (lead or co-executor, its
    subtree) that the owner may read, or the owner's own (their bodies' and those they control: is_responsible or
    is_controller). The ids come from a union of one query per relation, each driven by its own index (lead body,
    status and deadline; the co-executed ids read first and each assignment then by its key; the controller); a
    filter over the range's open assignments would read every body's (the plan both databases chose for an OR).
    Bodies that are the whole directory (a ministry's feed, or its staff's own) are a body at all, tested on each
    of the range's open assignments (policy.bodies_assignments, own_assignments).

    A body's feed holds what its owner may still read of the body's (policy.readable_of_bodies: nothing to test
    while the body is within her reach)."""
    wanted = and_(Assignment.status.in_(OPEN_STATUSES), deadlines)
    if row.body is None:
        return and_(own_assignments(row.owner, wanted), ~Assignment.is_series)
    return and_(bodies_assignments(row.body, wanted), ~Assignment.is_series,
                readable_of_bodies(row.owner, row.body.subtree_ids()))


def find(token: str, base_url: str) -> Feed:
    """The feed behind a token; NotFound for an unknown or revoked one (no hint which).

    Open assignments with a deadline in the window (a periodic series shows as its dated occurrences, which the
    daily `docflow remind` brings in; a GET writes nothing), filtered and sorted in SQL (see _in_scope). The
    window's days are written into the statement (planner.written): it is prepared, polled all day long, and
    PostgreSQL's generic plan, not knowing the dates, estimated 745 rows for a window of 33,000 at 1,000,000
    assignments and walked the deadline index (14 ms for a school's 28 co-executed ones instead of 0.4)."""
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or not row.owner.active:
        raise NotFound("Календарь не найден.")
    today = clock.today()
    since, until = today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS)
    rows = db.session.execute(
        select(Assignment.id, Assignment.deadline, Assignment.action, Point.number, Document.doc_type,
               Document.number, func.coalesce(Document.updated_at, Assignment.created_at), Assignment.created_at)
        .join(Document, Document.id == Assignment.document_id).outerjoin(Point, Point.id == Assignment.point_id)
        .where(_in_scope(row, Assignment.deadline.between(written(since, Date), written(until, Date))))
        .order_by(Assignment.deadline, Assignment.id)).all()
    # the newest event of each (grouped: a bare max(at) made PostgreSQL walk the whole trail backwards by time)
    changed = db.session.scalars(select(func.max(Event.at)).where(
        Event.object_type == "assignment", Event.object_id.in_([r[0] for r in rows]))
        .group_by(Event.object_id)).all() if rows else []
    moments = [m for r in rows for m in r[6:8]] + changed + [row.created_at]
    name = f"Поручения: {row.body.display_name}" if row.body is not None else f"Поручения: {row.owner.full_name}"
    return Feed(name=name, rows=[tuple(r[:6]) for r in rows], base_url=base_url,
                last_modified=max(_aware(m) for m in moments))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives back naive UTC


#: Bodies rendered by this process, by ETag (a hash of everything they show): a feed polled without If-None-Match
#: and unchanged is sent as rendered before (icalendar costs about 0.2 ms an event). Keyed by content, so never stale;
#: per process and bounded, so nothing another host must know. Bounded by their bytes as well as their number: a
#: ministry's feed at a region's size is 4,000 events, 1.9 MB (64 of those would have been 120 MB of a worker).
_RENDERED: OrderedDict[str, bytes] = OrderedDict()
RENDERED_KEPT = 64
RENDERED_BYTES = 8 * 1024 * 1024
_RENDERED_LOCK = threading.Lock()


def body(feed: Feed) -> bytes:
    """The feed's iCalendar body, rendered once per content (a body bigger than RENDERED_BYTES is not kept)."""
    with _RENDERED_LOCK:
        cached = _RENDERED.get(feed.etag)
        if cached is not None:
            _RENDERED.move_to_end(feed.etag)
            return cached
    rendered = render(feed)
    if len(rendered) > RENDERED_BYTES:
        return rendered
    with _RENDERED_LOCK:
        _RENDERED[feed.etag] = rendered
        kept = sum(map(len, _RENDERED.values()))
        while len(_RENDERED) > RENDERED_KEPT or kept > RENDERED_BYTES:
            kept -= len(_RENDERED.popitem(last=False)[1])
    return rendered


def render(feed: Feed) -> bytes:
    """The feed as an iCalendar (RFC 5545) body: one all-day event on each deadline."""
    from icalendar import Calendar  # loaded with the first feed, not at start
    from icalendar import Event as CalendarEvent

    calendar = Calendar()
    calendar.add("prodid", "-//Docflow//Assignment deadlines//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", feed.name)
    stamp = clock.now()
    base = feed.base_url.rstrip("/")
    for assignment_id, deadline, action, point, doc_type, number in feed.rows:
        event = CalendarEvent()
        event.add("uid", f"assignment-{assignment_id}@docflow")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline)
        event.add("dtend", deadline + timedelta(days=1))
        event.add("summary", f"Срок: {action[:120]}")
        event.add("description", f"{TYPE_TITLES[DocumentType(doc_type)]}{' № ' + number if number else ''}"
                                 f"{', п. ' + point if point else ''}\n{action}")
        event.add("url", f"{base}/assignments/{assignment_id}")
        calendar.add_component(event)
    return calendar.to_ical()
