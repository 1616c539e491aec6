"""Reminders by e-mail: before a deadline, the day after it passes, a weekly digest to controllers.

Each (person, assignment, reason, key) is sent once: a `sent` log row is never sent again; a failed
send stays `failed` and is tried again on the next run. Several hosts may run `docflow remind` at once: a run
claims a message before sending it (inserts its log row as `sending`, which the unique key lets only one run do,
or turns a `failed` row `sending` with a conditional UPDATE) and commits the claim first, so no other run sends it;
a claim older than CLAIM_LEASE (a run that died mid-send) is taken over."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Notification, ReminderLog, User
from webapp.ru.dates import format_date_short
from webapp.services.assignments import days_overdue, is_overdue, open_dated_query
from webapp.services.notifications import assignment_label, compose, smtp_connect

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


def _label(a: Assignment) -> str:
    doc = a.document
    number = f" № {doc.number}" if doc.number else ""
    point = f", п. {a.point_number}" if a.point_number else ""
    return f"{doc.type_title}{number}{point}: {a.action}"


def plan(as_of: date) -> list[Message]:
    """Every reminder due on `as_of` (whether or not it was sent already)."""
    days = sorted(current_app.config["REMIND_DAYS"])
    rows = list(db.session.scalars(open_dated_query()))
    messages: list[Message] = []
    for a in rows:
        left = (a.deadline - as_of).days
        key, deadline = a.deadline.isoformat(), format_date_short(a.deadline)
        if is_overdue(a, as_of):
            reason = "overdue"
            subject = f"Просрочено поручение (срок {deadline})"
            text = f"Срок исполнения поручения истёк {days_overdue(a, as_of)} дн. назад.\n\n{_label(a)}\n"
        else:
            due = [n for n in days if 0 < left <= n]
            if not due:
                continue
            reason = f"before_{min(due)}"
            subject = f"Срок поручения через {left} дн. ({deadline})"
            text = f"Срок исполнения поручения: {deadline}.\n\n{_label(a)}\n"
        for user in _members(a):
            messages.append(Message(user, reason, key, subject, text, a))
    if as_of.weekday() == current_app.config["DIGEST_WEEKDAY"]:
        week = f"{as_of.isocalendar().year}-W{as_of.isocalendar().week:02d}"
        by_controller: dict[int, list[Assignment]] = {}
        for a in rows:
            if a.controller and a.controller.active and a.controller.email:
                by_controller.setdefault(a.controller_id, []).append(a)
        for items in by_controller.values():
            controller = items[0].controller
            lines = [("ПРОСРОЧЕНО " if is_overdue(a, as_of) else "") + f"{format_date_short(a.deadline)} — "
                     + _label(a) for a in sorted(items, key=lambda x: x.deadline)]
            late = sum(1 for a in items if is_overdue(a, as_of))
            messages.append(Message(controller, "digest", week,
                                    f"Поручения на контроле: {len(items)}, просрочено: {late}",
                                    "\n".join(lines) + "\n", None, lines))
    return messages


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


def _tell_in_the_service(message: Message) -> None:
    """A deadline reminder or an overdue notice is also a notification on the site, made once with its log row
    (already mailed: this command mails it itself)."""
    if message.assignment is None:
        return
    a = message.assignment
    db.session.add(Notification(user_id=message.user.id, document_id=a.document_id, assignment_id=a.id,
                                text=f"{message.subject}: {assignment_label(a)}.", mailed_at=clock.now()))


def _claim(message: Message, row: ReminderLog | None) -> ReminderLog | None:
    """Take the message for this run, or None when another run has it (or has sent it meanwhile)."""
    now = clock.now()
    if row is None:
        row = ReminderLog(user_id=message.user.id, reason=message.reason, key=message.key, status="sending",
                          attempts=0, updated_at=now,
                          assignment_id=message.assignment.id if message.assignment else None)
        try:
            with db.session.begin_nested():  # two runs insert the same key: one wins, the other skips the message
                db.session.add(row)
        except IntegrityError:
            return None
        _tell_in_the_service(message)
        return row
    taken = db.session.execute(
        update(ReminderLog)
        .where(ReminderLog.id == row.id, or_(ReminderLog.status == "failed", and_(
            ReminderLog.status == "sending", ReminderLog.updated_at < now - CLAIM_LEASE)))
        .values(status="sending", updated_at=now).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    db.session.refresh(row)
    return row


def send_pending(as_of: date, after_each: Callable[[], None] | None = None) -> tuple[int, int]:
    """Send what is due and not yet sent; record each outcome. Returns (sent, failed).

    `after_each` (the CLI commits there) runs after each claim, before its e-mail goes, so another run sees the
    claim, and after every message, so a crash mid-run never forgets a message that went out."""
    messages, log = _unsent(as_of)
    if not messages:
        return 0, 0
    sent = failed = 0
    try:
        smtp = smtp_connect()
    except (OSError, smtplib.SMTPException) as exc:
        smtp, connect_error = None, f"{type(exc).__name__}: {exc}"
    for message in messages:
        row = _claim(message, log.get(_key(message)))
        if row is None:
            continue
        if after_each is not None:
            after_each()
        row.attempts = (row.attempts or 0) + 1
        if smtp is None:
            row.status, row.error = "failed", connect_error
            failed += 1
        else:
            email = compose(message.user.email, message.subject,
                            f"{message.user.full_name}!\n\n{message.body}\n— Docflow\n")
            try:
                smtp.send_message(email)
                row.status, row.error = "sent", None
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                row.status, row.error = "failed", f"{type(exc).__name__}: {exc}"
                failed += 1
        db.session.flush()
        if after_each is not None:
            after_each()
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    db.session.flush()
    return sent, failed
