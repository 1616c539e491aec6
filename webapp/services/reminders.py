"""Reminders by e-mail: before a deadline, the day after it passes, a weekly digest to controllers.

Each (person, assignment, reason, key) is sent once: a `sent` log row is never sent again; a failed
send stays `failed` and is tried again on the next run. Several hosts may run `docflow remind` at once: a run
claims a message before sending it (inserts its log row as `sending`, which the unique key lets only one run do,
or turns a `failed` row `sending` with a conditional UPDATE) and commits the claim first, so no other run sends it;
a claim older than CLAIM_LEASE (a run that died mid-send) is taken over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Membership, Notification, Point, ReminderLog, User
from webapp.models.document import TYPE_TITLES, DocumentType
from webapp.ru.dates import format_date_short
from webapp.services.assignments import days_overdue, is_overdue, open_dated_query
from webapp.services.notifications import assignment_label, compose, outbox

CLAIM_LEASE = timedelta(minutes=10)  #: a `sending` row older than this belongs to a run that died: taken over


@dataclass
class Message:
    user: User
    reason: str
    key: str
    subject: str
    body: str
    assignment: Assignment | None = None
    lines: list[str] = field(default_factory=list)


def _members(assignment: Assignment) -> list[User]:
    people: dict[int, User] = {}
    for body in assignment.bodies:
        for membership in body.memberships:
            user = membership.user
            if user.active and user.email:
                people[user.id] = user
    return list(people.values())


def _label(doc_type: str, number: str | None, point_number: str | None, action: str) -> str:
    """«Приказ № 7, п. 1.2: Создать службу.»"""
    number = f" № {number}" if number else ""
    point = f", п. {point_number}" if point_number else ""
    return f"{TYPE_TITLES[DocumentType(doc_type)]}{number}{point}: {action}"


def _near(as_of: date, before: int, after: int) -> list[Assignment]:
    """The open dated assignments whose deadline is within `after` days after the day or passed at most `before`
    days ago, with what their messages name (document, point) and who gets them (the bodies' members) loaded in
    a fixed number of statements."""
    members = (selectinload(Body.memberships).selectinload(Membership.user))
    query = (open_dated_query()
             .where(Assignment.deadline >= as_of - timedelta(days=before),
                    Assignment.deadline <= as_of + timedelta(days=after))
             .options(selectinload(Assignment.document), selectinload(Assignment.lead_body).options(members),
                      selectinload(Assignment.coexecutors).options(members)))
    return list(db.session.scalars(query))


def plan(as_of: date) -> list[Message]:
    """Every reminder due on `as_of` (whether or not it was sent already): REMIND_DAYS before a deadline; the
    overdue notice from the day after it to OVERDUE_NOTICE_DAYS after (a run missed is made up; an older
    overdue one is in the weekly digest, the dashboard and the overdue list, not mailed again to each member —
    at 1,000,000 assignments the notices of every overdue one of fifteen years were 556,000 e-mails); the
    weekly digest to controllers."""
    days = sorted(current_app.config["REMIND_DAYS"])
    messages: list[Message] = []
    for a in _near(as_of, int(current_app.config["OVERDUE_NOTICE_DAYS"]), max(days, default=0)):
        left = (a.deadline - as_of).days
        key, deadline = a.deadline.isoformat(), format_date_short(a.deadline)
        label = _label(a.document.doc_type, a.document.number, a.point_number, a.action)
        if is_overdue(a, as_of):
            reason = "overdue"
            subject = f"Просрочено поручение (срок {deadline})"
            text = f"Срок исполнения поручения истёк {days_overdue(a, as_of)} дн. назад.\n\n{label}\n"
        else:
            due = [n for n in days if 0 < left <= n]
            if not due:
                continue
            reason = f"before_{min(due)}"
            subject = f"Срок поручения через {left} дн. ({deadline})"
            text = f"Срок исполнения поручения: {deadline}.\n\n{label}\n"
        for user in _members(a):
            messages.append(Message(user, reason, key, subject, text, a))
    if as_of.weekday() == current_app.config["DIGEST_WEEKDAY"]:
        messages += _digests(as_of)
    return messages


def _digests(as_of: date) -> list[Message]:
    """Each active controller with an e-mail: her open dated assignments, earliest deadline first, read as the
    columns the lines show (a region's controllers hold a hundred thousand of them)."""
    week = f"{as_of.isocalendar().year}-W{as_of.isocalendar().week:02d}"
    rows = db.session.execute(
        select(Assignment.controller_id, Assignment.deadline, Document.doc_type, Document.number, Point.number,
               Assignment.action)
        .select_from(Assignment).join(Document, Document.id == Assignment.document_id)
        .outerjoin(Point, Point.id == Assignment.point_id)
        .where(open_dated_query().whereclause, Assignment.controller_id.in_(
            select(User.id).where(User.active.is_(True), User.email.is_not(None), User.email != "")))
        .order_by(Assignment.controller_id, Assignment.deadline, Assignment.id))
    lines: dict[int, list[tuple[bool, str]]] = {}
    for controller_id, deadline, doc_type, number, point_number, action in rows:
        late = as_of > deadline
        lines.setdefault(controller_id, []).append((late, ("ПРОСРОЧЕНО " if late else "")
                                                    + f"{format_date_short(deadline)} — "
                                                    + _label(doc_type, number, point_number, action)))
    controllers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(lines)))} if lines else {}
    return [Message(controllers[user_id], "digest", week,
                    f"Поручения на контроле: {len(items)}, просрочено: {sum(late for late, _ in items)}",
                    "\n".join(text for _, text in items) + "\n", None, [text for _, text in items])
            for user_id, items in lines.items()]


LogKey = tuple[int, str, str, int | None]


def _key(message: Message) -> LogKey:
    return message.user.id, message.reason, message.key, message.assignment.id if message.assignment else None


def _log(messages: list[Message]) -> dict[LogKey, ReminderLog]:
    """The log rows of these messages' reasons and keys, read in one query."""
    if not messages:
        return {}
    rows = db.session.scalars(select(ReminderLog).where(ReminderLog.key.in_({m.key for m in messages})))
    return {(r.user_id, r.reason, r.key, r.assignment_id): r for r in rows}


def _unsent(as_of: date) -> tuple[list[Message], dict[LogKey, ReminderLog]]:
    messages = plan(as_of)
    log = _log(messages)
    return [m for m in messages if getattr(log.get(_key(m)), "status", None) != "sent"], log


def pending(as_of: date) -> list[Message]:
    """The planned reminders that were not sent yet (never sent, or failed before)."""
    return _unsent(as_of)[0]


@dataclass(frozen=True)
class _Outgoing:
    """A message as the run sends it, everything read from the database before the first claim: then each claim and
    each outcome is the first statement of its transaction, which on SQLite waits for the writer's lock — a
    transaction that read first could not turn into a writing one once another process had written in between
    ("database is locked" at once)."""
    key: LogKey
    logged: int | None  # the message's log row (a failed send), if any
    email: EmailMessage
    notice: str | None  # a deadline reminder or an overdue notice is also a notification on the site
    document_id: int | None  # (the notice's)

    @classmethod
    def of(cls, message: Message, row: ReminderLog | None) -> _Outgoing:
        user, a = message.user, message.assignment
        email = compose(user.email, message.subject, f"{user.full_name}!\n\n{message.body}\n— Docflow\n")
        return cls(_key(message), row.id if row is not None else None, email,
                   f"{message.subject}: {assignment_label(a)}." if a else None, a.document_id if a else None)


def _claim(out: _Outgoing) -> int | None:
    """Take the message for this run (its log row's id), or None when another run has it (or has sent it
    meanwhile). A new log row comes with the message's notification on the site (made once with it, already
    mailed: this command mails it itself)."""
    now = clock.now()
    user_id, reason, key, assignment_id = out.key
    if out.logged is None:
        row = ReminderLog(user_id=user_id, reason=reason, key=key, status="sending", attempts=0, updated_at=now,
                          assignment_id=assignment_id)
        try:
            with db.session.begin_nested():  # two runs insert the same key: one wins, the other skips the message
                db.session.add(row)
        except IntegrityError:
            return None
        if out.notice is not None:
            db.session.add(Notification(user_id=user_id, document_id=out.document_id,
                                        assignment_id=assignment_id, text=out.notice, mailed_at=now))
        return row.id
    taken = db.session.execute(
        update(ReminderLog)
        .where(ReminderLog.id == out.logged, or_(ReminderLog.status == "failed", and_(
            ReminderLog.status == "sending", ReminderLog.updated_at < now - CLAIM_LEASE)))
        .values(status="sending", updated_at=now).execution_options(synchronize_session=False))
    return out.logged if taken.rowcount == 1 else None


def send_pending(as_of: date, after_each: Callable[[], None] | None = None) -> tuple[int, int]:
    """Send what is due and not yet sent; record each outcome. Returns (sent, failed).

    `after_each` (the CLI commits there) runs after the reads, after each claim, before its e-mail goes, so
    another run sees the claim, and after every message, so a crash mid-run never forgets a message that went
    out."""
    messages, log = _unsent(as_of)
    if not messages:
        return 0, 0
    outgoing = [_Outgoing.of(message, log.get(_key(message))) for message in messages]
    if after_each is not None:
        after_each()  # the reads end here
    sent = failed = 0
    with outbox() as send:
        for out in outgoing:
            row_id = _claim(out)
            if row_id is None:
                continue
            if after_each is not None:
                after_each()
            error = send(out.email)
            sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
            db.session.execute(update(ReminderLog).where(ReminderLog.id == row_id).values(
                attempts=func.coalesce(ReminderLog.attempts, 0) + 1, status="failed" if error else "sent",
                error=error).execution_options(synchronize_session=False))
            if after_each is not None:
                after_each()
    db.session.flush()
    return sent, failed
