"""Reminders by e-mail: before a deadline, the day after it passes, a weekly digest to controllers.

Each (person, assignment, reason, key) is sent once: a `sent` log row is never sent again; a failed
send stays `failed` and is tried again on the next run."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Document, ReminderLog, User
from webapp.services.assignments import DATED_KINDS, OPEN, days_overdue, is_overdue


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
    days = sorted(current_app.config.get("REMIND_DAYS") or [7, 1])
    rows = list(db.session.scalars(select(Assignment).join(Document).where(
        Assignment.status.in_(OPEN), Assignment.deadline.is_not(None), Assignment.deadline_kind.in_(DATED_KINDS))))
    messages: list[Message] = []
    for a in rows:
        left = (a.deadline - as_of).days
        key = a.deadline.isoformat()
        if is_overdue(a, as_of):
            reason = "overdue"
            subject = f"Просрочено поручение (срок {a.deadline.strftime('%d.%m.%Y')})"
            text = f"Срок исполнения поручения истёк {days_overdue(a, as_of)} дн. назад.\n\n{_label(a)}\n"
        else:
            due = [n for n in days if 0 < left <= n]
            if not due:
                continue
            reason = f"before_{min(due)}"
            subject = f"Срок поручения через {left} дн. ({a.deadline.strftime('%d.%m.%Y')})"
            text = f"Срок исполнения поручения: {a.deadline.strftime('%d.%m.%Y')}.\n\n{_label(a)}\n"
        for user in _members(a):
            messages.append(Message(user, reason, key, subject, text, a))
    if as_of.weekday() == current_app.config.get("DIGEST_WEEKDAY", 0):
        week = f"{as_of.isocalendar().year}-W{as_of.isocalendar().week:02d}"
        by_controller: dict[int, list[Assignment]] = {}
        for a in rows:
            if a.controller and a.controller.active and a.controller.email:
                by_controller.setdefault(a.controller_id, []).append(a)
        for items in by_controller.values():
            controller = items[0].controller
            lines = [("ПРОСРОЧЕНО " if is_overdue(a, as_of) else "") + f"{a.deadline.strftime('%d.%m.%Y')} — "
                     + _label(a) for a in sorted(items, key=lambda x: x.deadline)]
            late = sum(1 for a in items if is_overdue(a, as_of))
            messages.append(Message(controller, "digest", week,
                                    f"Поручения на контроле: {len(items)}, просрочено: {late}",
                                    "\n".join(lines) + "\n", None, lines))
    return messages


def _log_row(message: Message) -> ReminderLog | None:
    query = select(ReminderLog).where(ReminderLog.user_id == message.user.id, ReminderLog.reason == message.reason,
                                      ReminderLog.key == message.key)
    if message.assignment is None:
        query = query.where(ReminderLog.assignment_id.is_(None))
    else:
        query = query.where(ReminderLog.assignment_id == message.assignment.id)
    return db.session.scalar(query)


def pending(as_of: date) -> list[Message]:
    """The planned reminders that were not sent yet (never sent, or failed before)."""
    result = []
    for message in plan(as_of):
        row = _log_row(message)
        if row is None or row.status != "sent":
            result.append(message)
    return result


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config.get("MAIL_SERVER") or "localhost", int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 20)
    smtp = (smtplib.SMTP_SSL(host, port, timeout=timeout) if config.get("MAIL_USE_SSL")
            else smtplib.SMTP(host, port, timeout=timeout))
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def send_pending(as_of: date, after_each: Callable[[], None] | None = None) -> tuple[int, int]:
    """Send what is due and not yet sent; record each outcome. Returns (sent, failed).

    `after_each` runs after every message (the CLI commits there), so a crash mid-run never
    forgets a message that went out."""
    messages = pending(as_of)
    if not messages:
        return 0, 0
    sender = current_app.config.get("MAIL_FROM") or "docflow@localhost"
    sent = failed = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        smtp, connect_error = None, f"{type(exc).__name__}: {exc}"
    for message in messages:
        row = _log_row(message) or ReminderLog(user_id=message.user.id, reason=message.reason, key=message.key,
                                                assignment_id=message.assignment.id if message.assignment else None)
        db.session.add(row)
        row.attempts = (row.attempts or 0) + 1
        if smtp is None:
            row.status, row.error = "failed", connect_error
            failed += 1
            continue
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = sender, message.user.email, message.subject
        email.set_content(f"{message.user.full_name}!\n\n{message.body}\n— Docflow\n")
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
