"""`docflow remind` against a real SMTP server on localhost (aiosmtpd): each reminder exactly once,
failures retried on the next run."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Notification, ReminderLog, User


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_inbox(app) -> Iterator[Inbox]:
    """A real SMTP server on a free local port, the app's mail settings pointed at it; what it received."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="docflow@example.org")
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(app):
    with smtp_inbox(app) as inbox:
        yield inbox


@pytest.fixture
def assignment(app, make_user):
    with app.app_context():
        db.session.add(Body(name="Отдел образования", dative="Отделу образования"))
        db.session.commit()
    exe = make_user("exe", "executor", bodies=["Отдел образования"])
    ctl = make_user("ctl", "controller")
    with app.app_context():
        db.session.get(User, exe).email = "exe@example.org"
        db.session.get(User, ctl).email = "ctl@example.org"
        body = db.session.scalar(select(Body))
        doc = Document(doc_type="order", title="Об организации работы", state="published", number="7")
        a = Assignment(document=doc, lead_body=body, controller_id=ctl, action="Создать службу.",
                       deadline=date(2026, 12, 10), deadline_kind="by", status="in_work")
        db.session.add_all([doc, a])
        db.session.commit()
        return a.id


def _remind(app, *args):
    return app.test_cli_runner().invoke(args=["remind", *args])


def test_each_reminder_is_sent_exactly_once(app, smtp, assignment):
    assert _remind(app, "--as-of", "2026-12-02").output == "Reminders sent: 0, failed (will be retried): 0\n"
    result = _remind(app, "--as-of", "2026-12-03")  # seven days before
    assert result.exit_code == 0 and "sent: 1" in result.output
    assert _remind(app, "--as-of", "2026-12-03").output.startswith("Reminders sent: 0")  # run again: nothing
    with app.app_context():  # also said on the site, once, and not mailed a second time by `notify send`
        told = db.session.scalars(select(Notification)).all()
        assert [(n.text, n.assignment_id, n.mailed_at is not None) for n in told] == [
            ("Срок поручения через 7 дн. (10.12.2026): Приказ № 7: Создать службу.", assignment, True)]
    assert _remind(app, "--as-of", "2026-12-04").output.startswith("Reminders sent: 0")  # still the 7-day one
    assert "sent: 1" in _remind(app, "--as-of", "2026-12-09").output  # the day before
    assert _remind(app, "--as-of", "2026-12-10").output.startswith("Reminders sent: 0")  # the deadline day
    assert "sent: 1" in _remind(app, "--as-of", "2026-12-11").output  # the day after it passed
    assert _remind(app, "--as-of", "2026-12-12").output.startswith("Reminders sent: 0")
    recipients = [to for to, _ in smtp.messages]
    assert recipients == [["exe@example.org"]] * 3
    subjects = [str(make_header(decode_header(message_from_string(content)["Subject"])))
                for _, content in smtp.messages]
    assert subjects == ["Срок поручения через 7 дн. (10.12.2026)", "Срок поручения через 1 дн. (10.12.2026)",
                        "Просрочено поручение (срок 10.12.2026)"]


def test_weekly_digest_to_controllers(app, smtp, assignment):
    result = _remind(app, "--as-of", "2026-12-07")  # a Monday: the digest, and the 7-day reminder
    assert result.exit_code == 0 and "sent: 2" in result.output
    assert sorted(to[0] for to, _ in smtp.messages) == ["ctl@example.org", "exe@example.org"]
    assert _remind(app, "--as-of", "2026-12-08").output.startswith("Reminders sent: 0")  # same week: no digest
    assert "sent: 2" in _remind(app, "--as-of", "2026-12-14").output  # next Monday: overdue notice and digest
    with app.app_context():
        reasons = sorted((r.reason, r.key) for r in db.session.scalars(select(ReminderLog)))
    assert reasons == [("before_7", "2026-12-10"), ("digest", "2026-W50"), ("digest", "2026-W51"),
                       ("overdue", "2026-12-10")]
    digest = message_from_string(smtp.messages[-1][1])
    assert "просрочено: 1" in str(make_header(decode_header(digest["Subject"])))


def test_two_runs_at_once_send_each_reminder_once(app, smtp, assignment):
    """Two hosts' cron: a second run starts while the first holds its first message (claimed, not yet sent)."""
    from webapp.services import reminders

    second: list[tuple[int, int]] = []

    def commit_and_let_the_other_host_run():
        db.session.commit()
        if not second:
            with app.app_context():  # another session, as another process would have
                second.append(reminders.send_pending(date(2026, 12, 7), after_each=db.session.commit))
                db.session.commit()

    with app.app_context():
        first = reminders.send_pending(date(2026, 12, 7), after_each=commit_and_let_the_other_host_run)
        db.session.commit()
        rows = db.session.scalars(select(ReminderLog)).all()
    assert first[0] + second[0][0] == 2 and first[1] == second[0][1] == 0  # the 7-day reminder and the digest
    assert sorted(to[0] for to, _ in smtp.messages) == ["ctl@example.org", "exe@example.org"]
    assert sorted((r.reason, r.status, r.attempts) for r in rows) == [("before_7", "sent", 1), ("digest", "sent", 1)]


def test_failed_send_is_retried_next_run(app, smtp, assignment):
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _free_port()  # nobody listens there
    result = _remind(app, "--as-of", "2026-12-03")
    assert result.exit_code == 1 and "failed (will be retried): 1" in result.output
    with app.app_context():
        row = db.session.scalar(select(ReminderLog))
        assert row.status == "failed" and row.attempts == 1 and "Connection" in row.error
    assert smtp.messages == []
    app.config["MAIL_PORT"] = working_port
    assert "sent: 1" in _remind(app, "--as-of", "2026-12-04").output
    assert len(smtp.messages) == 1
    with app.app_context():
        row = db.session.scalar(select(ReminderLog))
        assert row.status == "sent" and row.attempts == 2


def test_dry_run_sends_and_records_nothing(app, smtp, assignment):
    result = _remind(app, "--as-of", "2026-12-03", "--dry-run")
    assert "before_7" in result.output and "exe@example.org" in result.output
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalar(select(ReminderLog)) is None


def test_an_overdue_notice_is_made_up_for_a_week_then_left_to_the_digest(app, smtp, assignment):
    """The notice goes the day after the deadline, or on a later run within OVERDUE_NOTICE_DAYS (7) of it; an
    older overdue assignment is not mailed to each member (a region's fifteen years of them were 556,000
    e-mails on the first run), but stays in the controller's weekly digest."""
    assert _remind(app, "--as-of", "2026-12-18").output.startswith("Reminders sent: 0")  # 8 days after: none
    assert "sent: 1" in _remind(app, "--as-of", "2026-12-17").output  # 7 days after: made up
    assert "sent: 1" in _remind(app, "--as-of", "2026-12-21").output  # Monday: the digest still lists it
    subjects = [str(make_header(decode_header(message_from_string(content)["Subject"])))
                for _, content in smtp.messages]
    assert [to for to, _ in smtp.messages] == [["exe@example.org"], ["ctl@example.org"]]
    assert subjects == ["Просрочено поручение (срок 10.12.2026)", "Поручения на контроле: 1, просрочено: 1"]
    digest = message_from_string(smtp.messages[1][1]).get_payload(decode=True).decode("utf-8")
    assert "ПРОСРОЧЕНО 10.12.2026 — Приказ № 7: Создать службу." in digest


def test_planning_reads_as_many_statements_for_30_assignments_as_for_3(app, assignment, make_user):
    """Reminders of assignments due soon, each of its own document, point and body with a member, and a Monday's
    digest: the same statements for 3 and for 30 (each assignment's document, point and members were read one by
    one: 90 s at 1,000,000 assignments)."""
    from tests.conftest import counted_statements
    from webapp.models import Point
    from webapp.services import reminders

    def add(first: int, last: int) -> list[str]:
        with app.app_context():
            ctl = db.session.scalar(select(User).where(User.login == "ctl"))
            for n in range(first, last):
                body = Body(name=f"Школа {n}")
                doc = Document(doc_type="protocol", title=f"Протокол {n}", state="published", number=str(n))
                point = Point(document=doc, position=0, number=f"{n}.1", text="Сделать")
                db.session.add_all([body, doc, point, Assignment(
                    document=doc, point=point, lead_body=body, controller_id=ctl.id, action=f"Сделать {n}.",
                    deadline=date(2026, 12, 8 + n % 7), deadline_kind="by", status="in_work")])
            db.session.commit()
        for n in range(first, last):
            make_user(f"member{n}", "executor", bodies=[f"Школа {n}"])
        with app.app_context():
            for user in db.session.scalars(select(User).where(User.email.is_(None))):
                user.email = f"{user.login}@example.org"
            db.session.commit()
        with counted_statements(app) as seen, app.app_context():
            messages = reminders.plan(date(2026, 12, 7))  # a Monday
        assert len([m for m in messages if m.reason != "digest"]) == 1 + last  # 7 days before, or fewer
        assert len([m for m in messages if m.reason == "digest"]) == 1  # the controller's, of them all
        return seen

    assert len(add(0, 3)) == len(add(3, 30))


def write_elsewhere_while_sending(monkeypatch) -> None:
    """The senders' SMTP connections (notifications.outbox) commit a write on another connection before each
    e-mail goes, as another process would while a sender talks to the SMTP server."""
    from webapp.services import notifications, versions

    connect = notifications.smtp_connect

    def connected():
        smtp_connection = connect()
        send = smtp_connection.send_message

        def send_and_write_elsewhere(message):
            with db.engine.begin() as connection:  # another connection of the pool: committed at once
                versions.bump(connection)
            return send(message)
        smtp_connection.send_message = send_and_write_elsewhere
        return smtp_connection
    monkeypatch.setattr(notifications, "smtp_connect", connected)


def test_another_write_while_a_reminder_is_sent_does_not_fail_the_run(app, smtp, assignment, monkeypatch):
    """While `docflow remind` talks to the SMTP server another process commits a write: the run's record of each
    message must not come from a transaction that read before that write (on SQLite it could not write any more:
    "database is locked" at once)."""
    write_elsewhere_while_sending(monkeypatch)
    result = _remind(app, "--as-of", "2026-12-07")  # the 7-day reminder and the digest
    assert result.exit_code == 0 and "sent: 2" in result.output, result.output
    assert len(smtp.messages) == 2
