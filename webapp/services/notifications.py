"""Notifications: what the service tells a user (shown in the UI, and mailed by `docflow notify send`).

Documents' workflow events are written by services/transitions.py; assignments' events here (`about_assignment`,
`assignments_created`), called by the assignment verbs. Each says in one Russian sentence what happened and to
what, naming the document by type, number and date.

E-mail (`send_mail`): each user chooses (MailSetting) every notification by e-mail, one digest a day, or none.
A run claims the rows it will send with an UPDATE that only takes rows nobody holds (or whose claim has expired),
so two hosts running the command at once never send the same notification; a row is marked mailed only after the
SMTP server took it, and a failed send releases the row for the next run."""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, or_, select, update

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Body, MailSetting, Membership, Notification, User
from webapp.models.notices import MAIL_MODES
from webapp.ru.dates import format_date_short
from webapp.services import paging
from webapp.services.policy import acting_for

# Headers are not folded (SMTP allows 998 characters a line): Python 3.11 drops the space between two encoded
# words when it folds a Cyrillic subject («за день— 2»).
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
MAIL_LEASE = timedelta(minutes=10)  #: a claim older than this (a sender that died) is taken over
MODE_TITLES = {"each": "Каждое уведомление", "digest": "Сводка раз в день", "none": "Не присылать"}


# --- what is said ---------------------------------------------------------------------------------------------


def assignment_label(assignment: Assignment) -> str:
    """«Протокол № 1 от 10.06.2021, п. 1.2.1: Создать …» — the document by type, number and date."""
    point = f", п. {assignment.point_number}" if assignment.point_number else ""
    action = assignment.action.strip().rstrip(".;:")  # the sentence the label goes into ends it
    if len(action) > 120:
        action = action[:119].rstrip() + "…"
    return f"{assignment.document.label}{point}: {action}"


def notify(recipients: Iterable[int], text: str, *, actor: User | None = None, document_id: int | None = None,
           assignment_id: int | None = None) -> int:
    """One notification for each recipient except the one who acted; returns how many were made."""
    made = 0
    for user_id in sorted(set(recipients) - ({actor.id} if actor is not None else set())):
        db.session.add(Notification(user_id=user_id, document_id=document_id, assignment_id=assignment_id, text=text))
        made += 1
    return made


def members(bodies: Iterable[Body]) -> set[int]:
    """The active users who are members of the bodies."""
    ids = [b.id for b in bodies]
    if not ids:
        return set()
    return set(db.session.scalars(select(Membership.user_id).join(User, User.id == Membership.user_id)
                                  .where(Membership.body_id.in_(ids), User.active.is_(True))))


def _deadline(assignment: Assignment) -> str:
    return f" Срок — {format_date_short(assignment.deadline)}." if assignment.deadline else ""


def _with(comment: str | None, title: str) -> str:
    return f" {title}: {comment.strip()}" if comment and comment.strip() else ""


def about_assignment(actor: User, assignment: Assignment, event: str, comment: str | None = None) -> int:
    """Tell whom an assignment's event concerns: its controller of a report or an extension request, the members
    of its responsible bodies of everything the controller decides."""
    label = assignment_label(assignment)
    executors = members(assignment.bodies)
    controller = {assignment.controller_id} if assignment.controller_id else set()
    said = {
        "add": (executors, f"Новое поручение вашему органу: {label}.{_deadline(assignment)}"),
        "report": (controller, f"Представлен отчёт об исполнении поручения ({actor.full_name}): {label}."),
        "accept": (executors, f"Отчёт принят, поручение исполнено: {label}.{_with(comment, 'Комментарий')}"),
        "return": (executors, f"Отчёт возвращён на доработку: {label}.{_with(comment, 'Комментарий')}"),
        "cancel": (executors, f"Поручение снято с контроля: {label}.{_with(comment, 'Причина')}"),
        "extension_request": (controller, f"Запрошен перенос срока поручения ({actor.full_name}): {label}."
                                          f"{_with(comment, 'Причина')}"),
        "extension_approved": (executors, f"Срок поручения перенесён на {format_date_short(assignment.deadline)}: "
                                          f"{label}.{_with(comment, 'Комментарий')}" if assignment.deadline else ""),
        "extension_rejected": (executors, f"В переносе срока отказано: {label}.{_with(comment, 'Комментарий')}"),
    }
    recipients, text = said[event]
    made = notify(recipients, text, actor=actor, document_id=assignment.document_id, assignment_id=assignment.id)
    if event == "add" and assignment.controller_id and assignment.controller_id != actor.id:
        made += notify(controller, f"Вы назначены контролёром поручения: {label}.{_deadline(assignment)}",
                       document_id=assignment.document_id, assignment_id=assignment.id)
    return made


def assignments_created(actor: User, assignments: list[Assignment]) -> int:
    """A document put under control: one notification per person, not one per point — members of each
    responsible body learn how many assignments their body got, each controller how many they control."""
    if not assignments:
        return 0
    document = assignments[0].document
    per_user: dict[int, int] = {}
    controls: dict[int, int] = {}
    for assignment in assignments:
        for user_id in members(assignment.bodies):
            per_user[user_id] = per_user.get(user_id, 0) + 1
        if assignment.controller_id:
            controls[assignment.controller_id] = controls.get(assignment.controller_id, 0) + 1
    made = 0
    for user_id, count in per_user.items():
        made += notify([user_id], f"{document.label}: вашему органу поставлено на контроль поручений — {count}.",
                       actor=actor, document_id=document.id)
    for user_id, count in controls.items():
        made += notify([user_id], f"{document.label}: вы назначены контролёром поручений — {count}.",
                       actor=actor, document_id=document.id)
    return made


# --- read ---------------------------------------------------------------------------------------------------


def inbox_page(user: User, *, unread: bool = False, after: str | None = None, size: int = 50) -> paging.Page:
    """One keyset page of the user's notifications, newest first (a deputy's include her principals'), only the
    unread ones when asked."""
    query = select(Notification).where(Notification.user_id.in_([person.id for person in acting_for(user)]))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return paging.keyset(query, paging.newest(Notification.id), Notification.id, after=after, size=size,
                         message="Неверная ссылка на страницу уведомлений: откройте их заново.")


def _unread(user: User, ids: Iterable[int] | None, document_ids: Iterable[int] | None) -> list:
    conditions = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if ids is not None:
        conditions.append(Notification.id.in_(list(ids)))
    if document_ids is not None:
        conditions.append(Notification.document_id.in_(list(document_ids)))
    return conditions


def unread_count(user_ids: list[int]):
    """How many notifications of these users are unread, as a scalar subquery (the menu's figure: a deputy's
    counts her principals' too)."""
    return (select(func.count(Notification.id))
            .where(Notification.user_id.in_(user_ids), Notification.read_at.is_(None)).scalar_subquery())


def has_unread(user: User, ids: Iterable[int] | None = None, document_ids: Iterable[int] | None = None) -> bool:
    """Whether mark_read with the same arguments would mark anything."""
    return db.session.scalar(select(select(Notification.id).where(*_unread(user, ids, document_ids)).exists()))


def mark_read(user: User, ids: Iterable[int] | None = None, document_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those with the given ids, or about the given documents, or all
    of them. Another user's ids are ignored, as are unknown ones; the number marked is returned."""
    query = update(Notification).where(*_unread(user, ids, document_ids))
    return db.session.execute(query.values(read_at=clock.now())).rowcount or 0


# --- e-mail ---------------------------------------------------------------------------------------------------


def mail_mode(user: User) -> str:
    setting = db.session.get(MailSetting, user.id)
    return setting.mode if setting is not None else "each"


def set_mail_mode(user: User, mode: str) -> None:
    if mode not in MAIL_MODES:
        raise ValueError(f"unknown mail mode {mode!r}")
    setting = db.session.get(MailSetting, user.id)
    if setting is None:
        db.session.add(MailSetting(user_id=user.id, mode=mode))
    else:
        setting.mode = mode


def smtp_connect() -> smtplib.SMTP:
    """A connection to the configured SMTP server (MAIL_* settings)."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    smtp = (smtplib.SMTP_SSL(host, port, timeout=timeout) if config["MAIL_USE_SSL"]
            else smtplib.SMTP(host, port, timeout=timeout))
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


@contextmanager
def outbox() -> Iterator[Callable[[EmailMessage], str | None]]:
    """A run's connection to the SMTP server: `send(email)` answers None when the e-mail went, else why not (for
    every e-mail, when the server could not be reached); the connection is closed after."""
    try:
        smtp, unreachable = smtp_connect(), None
    except (OSError, smtplib.SMTPException) as exc:
        smtp, unreachable = None, f"{type(exc).__name__}: {exc}"

    def send(email: EmailMessage) -> str | None:
        if smtp is None:
            return unreachable
        try:
            smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            return f"{type(exc).__name__}: {exc}"
        return None
    try:
        yield send
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass


@dataclass
class MailRun:
    sent: int = 0  #: e-mails that left (a digest counts once)
    notifications: int = 0  #: notifications they carried
    failed: int = 0  #: e-mails the server refused or could not take; their notifications wait for the next run


def _due_users(now) -> tuple[list[int], list[int]]:
    """Users with unmailed notifications and an address: those who get each one, and those whose daily digest is
    due (the digest goes at the first run on or after DIGEST_HOUR of the organisation's day)."""
    today, hour = clock.local(now).date(), clock.local(now).hour
    rows = db.session.execute(
        select(User.id, MailSetting.mode, MailSetting.digest_on).distinct()
        .join(Notification, Notification.user_id == User.id)
        .outerjoin(MailSetting, MailSetting.user_id == User.id)
        .where(Notification.mailed_at.is_(None), User.active.is_(True), User.email.is_not(None), User.email != ""))
    each, digest = [], []
    for user_id, mode, digest_on in rows:
        if mode in (None, "each"):
            each.append(user_id)
        elif mode == "digest" and hour >= int(current_app.config["DIGEST_HOUR"]) and (
                digest_on is None or digest_on < today):
            digest.append(user_id)
    return each, digest


def _claim(user_ids: list[int], now) -> list[Notification]:
    """Take the unmailed notifications of these users that nobody holds; committed at once, so another sender
    sees the claim. Returns the rows this run holds."""
    if not user_ids:
        return []
    claim = secrets.token_hex(16)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id.in_(user_ids), Notification.mailed_at.is_(None),
               or_(Notification.mail_claim.is_(None), Notification.mail_claimed_at < now - MAIL_LEASE))
        .values(mail_claim=claim, mail_claimed_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(Notification).where(Notification.mail_claim == claim)
                                   .order_by(Notification.user_id, Notification.id)))


def compose(to: str, subject: str, text: str) -> EmailMessage:
    """An e-mail from the service: 7-bit clean (quoted-printable), so any relay passes it as it is."""
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"], email["To"], email["Subject"] = current_app.config["MAIL_FROM"], to, subject
    email.set_content(text, cte="quoted-printable")
    return email


def _message(user: User, subject: str, lines: list[str]) -> EmailMessage:
    body = "\n\n".join(lines)
    return compose(user.email, subject, f"{user.full_name}!\n\n{body}\n\n— Docflow\n")


def _subject(text: str) -> str:
    return text if len(text) <= 100 else text[:99].rstrip() + "…"


def send_mail() -> MailRun:
    """Send what is due: each notification of `each` users, one digest to `digest` users whose digest is due.
    Each e-mail's rows are marked mailed (or released after a failure) and committed before the next one.

    The e-mails are written before the first is sent and the reads end there: each e-mail's marks are then the
    first statement of a transaction of their own, which on SQLite waits for the writer's lock like any write —
    a transaction that read first could not turn into a writing one once another sender had written in between
    ("database is locked" at once: two senders at once failed so)."""
    now = clock.now()
    each, digest = _due_users(now)
    db.session.commit()  # end the read: SQLite refuses to turn a reading transaction into a writing one mid-way
    rows = _claim(each + digest, now)
    run = MailRun()
    if not rows:
        return run
    digest_users = set(digest)
    by_user: dict[int, list[Notification]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    batches: list[tuple[int, EmailMessage, list[int]]] = []  # the user, the e-mail, its notifications
    for user_id, items in by_user.items():
        user = db.session.get(User, user_id)
        if user_id in digest_users:
            batches.append((user_id, _message(user, f"Docflow: уведомлений за день — {len(items)}",
                                              [item.text for item in items]), [item.id for item in items]))
        else:
            batches.extend((user_id, _message(user, _subject(item.text), [item.text]), [item.id]) for item in items)
    db.session.commit()  # the reads end: nothing below reads before it writes
    with outbox() as send:
        for user_id, message, ids in batches:
            error = send(message)
            db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(
                mail_attempts=Notification.mail_attempts + 1, mail_claim=None, mail_claimed_at=None,
                mail_error=error, mailed_at=None if error else now).execution_options(synchronize_session=False))
            if error:
                run.failed += 1
            else:
                run.sent += 1
                run.notifications += len(ids)
                if user_id in digest_users:
                    set_mail_mode(db.session.get(User, user_id), "digest")
                    db.session.get(MailSetting, user_id).digest_on = clock.local(now).date()
            db.session.commit()
    return run
