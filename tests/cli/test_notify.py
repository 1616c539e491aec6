"""Notifications of assignments' events, and `docflow notify send` against a real SMTP server (aiosmtpd): each
notification mailed exactly once (also with two senders at once), a daily digest for those who chose it, failures
retried; the choice made on the account page."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from email import message_from_string, policy

import pytest
from sqlalchemy import func, select, update

from tests.cli.test_remind import _free_port, smtp_inbox, write_elsewhere_while_sending
from tests.conftest import ZONE
from tests.web.test_api import Api, _ok, make_token
from webapp.extensions import db
from webapp.models import Notification, User
from webapp.services import notifications


@pytest.fixture
def smtp(demo_app):
    with demo_app.app_context():  # what the demo's own loading said is not this test's business
        db.session.execute(update(Notification).values(mailed_at=func.now()))
        db.session.commit()
    with smtp_inbox(demo_app) as inbox:
        yield inbox


@pytest.fixture
def api(demo_app, client):
    return lambda login: Api(client, make_token(demo_app, login))


def _send(app):
    return app.test_cli_runner().invoke(args=["notify", "send"])


def _texts(api, login: str) -> list[str]:
    return [n["text"] for n in _ok(api(login).get("/notifications?limit=200"))["items"]]


def _subjects(inbox) -> list[tuple[str, str]]:
    return [(to[0], str(message_from_string(content, policy=policy.default)["Subject"]))
            for to, content in inbox.messages]


def _an_assignment(api) -> tuple[int, int]:
    """The controller adds an assignment for the executor's body to the demo's protocol in force."""
    controller = api("controller")
    body = _ok(controller.get("/me"))  # the controller's own user; the executor's body from the directory
    executor = next(u for u in _ok(controller.get("/users")) if u["login"] == "executor")
    protocol = next(d for d in _ok(controller.get("/documents?type=protocol&limit=200"))["items"]
                    if d["state"] == "published")
    made = _ok(controller.post(f"/documents/{protocol['id']}/assignments", json={
        "action": "Представить анализ работы методических объединений.", "lead_body_id": executor["body_ids"][0],
        "deadline_text": "в срок до 1 декабря 2030 года"}), 201)
    return made["id"], body["id"]


def test_each_step_of_an_assignment_tells_whom_it_concerns(api):
    assignment_id, _ = _an_assignment(api)
    assert any(t.startswith("Новое поручение вашему органу: Протокол № ") and "1 декабря 2030" not in t
               and "01.12.2030" in t for t in _texts(api, "executor"))
    executor = api("executor")
    _ok(executor.post(f"/assignments/{assignment_id}/take"))
    _ok(executor.post(f"/assignments/{assignment_id}/report", json={"text": "Анализ представлен."}))
    told = _texts(api, "controller")
    assert told[0].startswith("Представлен отчёт об исполнении поручения (") and "методических объединений" in told[0]
    _ok(api("controller").post(f"/assignments/{assignment_id}/return", json={"comment": "Добавьте цифры"}))
    assert _texts(api, "executor")[0].startswith("Отчёт возвращён на доработку: ")
    assert _texts(api, "executor")[0].endswith("Комментарий: Добавьте цифры")
    _ok(executor.post(f"/assignments/{assignment_id}/extension", json={"reason": "Нет данных",
                                                                      "new_date": "2030-12-20"}))
    assert _texts(api, "controller")[0].startswith("Запрошен перенос срока поручения (")
    _ok(api("controller").post(f"/assignments/{assignment_id}/extension/decision", json={"approve": True}))
    assert _texts(api, "executor")[0].startswith("Срок поручения перенесён на 20.12.2030: ")
    _ok(executor.post(f"/assignments/{assignment_id}/report", json={"text": "Анализ дополнен цифрами."}))
    _ok(api("controller").post(f"/assignments/{assignment_id}/accept", json={"comment": "Принято"}))
    assert _texts(api, "executor")[0].startswith("Отчёт принят, поручение исполнено: ")
    # Nobody is told of what they did themselves.
    assert not any("Представлен отчёт" in t for t in _texts(api, "executor"))


def test_publishing_tells_each_body_how_many_assignments_it_got(api):
    from tests.web.test_api import publish_order

    publish_order(api)
    told = [t for t in _texts(api, "executor") if "поставлено на контроль" in t]
    assert len(told) == 1 and told[0].startswith("Приказ № ") and told[0].endswith("поручений — 1.")


def test_each_notification_is_mailed_once_and_a_failure_is_retried(demo_app, api, smtp):
    _an_assignment(api)
    result = _send(demo_app)
    assert result.exit_code == 0, result.output
    assert "sent: 1 (carrying 1 notification(s)); failed, will be retried: 0." in result.output
    [(to, subject)] = _subjects(smtp)
    assert to == "executor@docflow.example" and len(subject) <= 100
    assert subject.startswith("Новое поручение вашему органу: Протокол № 1 от 10.06.2021: Представить анализ")
    assert "sent: 0" in _send(demo_app).output  # run again: nothing new
    working_port = demo_app.config["MAIL_PORT"]
    demo_app.config["MAIL_PORT"] = _free_port()  # nobody listens there
    _an_assignment(api)
    result = _send(demo_app)
    assert result.exit_code == 1 and "failed, will be retried: 1" in result.output
    with demo_app.app_context():
        row = db.session.scalar(select(Notification).order_by(Notification.id.desc()))
        assert row.mailed_at is None and row.mail_attempts == 1 and "Connection" in row.mail_error
        assert row.mail_claim is None  # released for the next run
    demo_app.config["MAIL_PORT"] = working_port
    assert "sent: 1" in _send(demo_app).output
    assert len(smtp.messages) == 2


def test_two_senders_at_once_send_each_notification_once(demo_app, api, smtp):
    for _ in range(6):
        _an_assignment(api)
    with demo_app.app_context():
        unmailed = db.session.scalar(select(func.count(Notification.id)).where(Notification.mailed_at.is_(None)))
    assert unmailed == 6
    start = threading.Barrier(2)
    runs = []

    def sender():
        with demo_app.app_context():
            start.wait()
            runs.append(notifications.send_mail())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in runs) == 6 and len(smtp.messages) == 6


def test_another_write_while_an_email_is_sent_does_not_fail_the_sender(demo_app, api, smtp, monkeypatch):
    """While the sender talks to the SMTP server another process commits a write (another sender's claim, a
    page's save): its marks must not come from a transaction that read before that write — on SQLite such a
    transaction cannot write any more ("database is locked" at once: CI's two senders failed so)."""
    for _ in range(2):
        _an_assignment(api)
    write_elsewhere_while_sending(monkeypatch)
    with demo_app.app_context():
        run = notifications.send_mail()
        assert run.sent == 2 and run.failed == 0
        assert db.session.scalar(select(func.count(Notification.id)).where(Notification.mailed_at.is_(None))) == 0
    assert len(smtp.messages) == 2


def test_digest_once_a_day_from_the_digest_hour(demo_app, api, client, auth, smtp, frozen_clock):
    auth.login("executor", "demo")
    page = client.get("/account/mail")
    assert page.status_code == 200 and "executor@docflow.example" in page.get_data(as_text=True)
    answer = client.post("/account/mail", data={"mode": "digest", "csrf_token": _csrf(page)})
    assert answer.status_code == 302
    assert client.post("/account/mail", data={"mode": "weekly", "csrf_token": _csrf(page)}).status_code == 400
    day = date(2026, 11, 24)
    frozen_clock.move_to(datetime.combine(day, time(7, 30), ZONE))
    _an_assignment(api)
    _an_assignment(api)
    assert "sent: 0" in _send(demo_app).output  # before 8:00: the digest waits
    frozen_clock.move_to(datetime.combine(day, time(8, 5), ZONE))
    assert "sent: 1 (carrying 2 notification(s))" in _send(demo_app).output
    assert _subjects(smtp) == [("executor@docflow.example", "Docflow: уведомлений за день — 2")]
    body = message_from_string(smtp.messages[0][1], policy=policy.default).get_content()
    assert body.count("Новое поручение вашему органу") == 2
    _an_assignment(api)
    frozen_clock.move_to(datetime.combine(day, time(17), ZONE))
    assert "sent: 0" in _send(demo_app).output  # one digest a day
    frozen_clock.move_to(datetime.combine(date(2026, 11, 25), time(8, 1), ZONE))
    assert "sent: 1 (carrying 1 notification(s))" in _send(demo_app).output


def test_none_means_no_mail_and_a_user_without_address_gets_none(demo_app, api, client, auth, smtp):
    auth.login("executor", "demo")
    page = client.get("/account/mail")
    client.post("/account/mail", data={"mode": "none", "csrf_token": _csrf(page)})
    _an_assignment(api)
    assert "sent: 0" in _send(demo_app).output
    with demo_app.app_context():
        db.session.scalar(select(User).where(User.login == "executor")).email = None
        db.session.commit()
    assert 'id="no-address"' in client.get("/account/mail").get_data(as_text=True)


def _csrf(page) -> str:
    import re

    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_the_route_tells_the_author_of_each_approval_and_the_next_approver_of_her_turn(api):
    from tests.web.test_api import ORDER

    secretary = api("secretary")
    directory = {u["login"]: u["id"] for u in _ok(secretary.get("/users"))}
    draft = _ok(secretary.post("/documents", json={**ORDER, "points": [{"number": "1", "text": "Утвердить план."}]}),
                201)
    doc_id = draft["id"]
    for login in ("approver", "approver2"):
        _ok(secretary.post(f"/documents/{doc_id}/approvers", json={"user_id": directory[login]}))
    _ok(secretary.put(f"/documents/{doc_id}/approval-mode", json={"mode": "sequential"}))
    doc = _ok(secretary.get(f"/documents/{doc_id}"))
    _ok(secretary.post(f"/documents/{doc_id}/transitions", json={"transition": "submit", "version": doc["version"]}))
    turn_before = [t for t in _texts(api, "approver2") if t.startswith("Ваша очередь")]
    doc = _ok(api("approver").get(f"/documents/{doc_id}"))
    _ok(api("approver").post(f"/documents/{doc_id}/approval", json={"decision": "approved", "version": doc["version"]}))
    assert [t for t in _texts(api, "approver2") if t.startswith("Ваша очередь")] == [
        "Ваша очередь согласовать: Приказ от 20.11.2026 «Об организации методической работы»."] and turn_before == []
    assert _texts(api, "secretary")[0] == ("Приказ от 20.11.2026 «Об организации методической работы» согласован "
                                           "(Иванова Ольга Петровна).")
    doc = _ok(api("approver2").get(f"/documents/{doc_id}"))
    _ok(api("approver2").post(f"/documents/{doc_id}/approval", json={
        "decision": "approved_with_remarks", "comment": "Уточнить сроки", "version": doc["version"]}))
    told = _texts(api, "secretary")[:2]
    assert told[0] == ("Приказ от 20.11.2026 «Об организации методической работы»: согласование завершено, все "
                       "согласующие согласовали.")
    assert told[1].endswith("согласован с замечаниями (Сидоров Алексей Викторович). Замечания: Уточнить сроки")
