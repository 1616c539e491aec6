"""Webhooks: registered by an administrator (pages, Russian messages, secret shown once), queued in the
transaction of the event (never for a rolled-back one), sent by `docflow webhooks send` with a valid HMAC
signature to a real HTTP server, exactly once even with two senders, retried with back-off, failed after the
last try and sent again on request; «overdue» only for deadlines passed since the webhook exists."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Document, User, Webhook, WebhookDelivery
from webapp.services import webhooks

ALL_EVENTS = list(webhooks.EVENTS)


class Receiver:
    """A real HTTP server on localhost that records what it is sent and answers with the statuses it is told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[tuple[str, int]]:
        return [(json.loads(r["body"])["event"], json.loads(r["body"])["data"]["id"]) for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hook(demo_app, receiver):
    demo_app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the receiver is on localhost
    with demo_app.app_context():
        admin = db.session.scalar(select(User).where(User.login == "admin"))
        webhook, secret = webhooks.create_webhook(admin, receiver.url, ALL_EVENTS, "Портал")
        db.session.commit()
        return {"id": webhook.id, "secret": secret}


def _send(app) -> str:
    result = app.test_cli_runner().invoke(args=["webhooks", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def _publish_a_draft(app) -> int:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.state != "published").order_by(Document.id))
        document.state, document.number = "published", "77"
        db.session.commit()
        return document.id


def test_an_event_is_delivered_once_and_signed(demo_app, receiver, hook):
    document_id = _publish_a_draft(demo_app)
    assert "1 delivered" in _send(demo_app)
    assert receiver.events() == [("document.published", document_id)]
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    expected = "sha256=" + hmac.new(hook["secret"].encode(), headers["X-Docflow-Timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert headers["X-Docflow-Signature"] == expected and headers["X-Docflow-Event"] == "document.published"
    payload = json.loads(body)
    assert payload["id"] == headers["X-Docflow-Delivery"] and payload["data"]["number"] == "77"
    assert "0 delivered" in _send(demo_app) and len(receiver.requests) == 1  # never twice


def test_assignments_created_and_closed(demo_app, receiver, hook):
    with demo_app.app_context():
        published = db.session.scalar(select(Document).where(Document.state == "published"))
        assignment = Assignment(document_id=published.id, action="Подготовить справку", status="new",
                                deadline=date(2026, 12, 31), deadline_kind="by")
        db.session.add(assignment)
        db.session.commit()
        assignment.status = "done"
        db.session.commit()
        assignment_id = assignment.id
    _send(demo_app)
    assert sorted(receiver.events()) == [("assignment.closed", assignment_id), ("assignment.created", assignment_id)]


def test_a_rolled_back_event_is_never_sent(demo_app, receiver, hook):
    with demo_app.app_context():
        document = db.session.scalar(select(Document).where(Document.state != "published"))
        document.state = "published"
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert "0 delivered" in _send(demo_app) and receiver.requests == []


def test_failures_are_retried_with_back_off_then_failed_and_resent(demo_app, receiver, hook, frozen_clock):
    receiver.statuses = [500] * 6
    _publish_a_draft(demo_app)
    assert "1 to retry" in _send(demo_app)
    assert "0 delivered, 0 to retry" in _send(demo_app) and len(receiver.requests) == 1  # not due yet
    for wait in webhooks.RETRY_AFTER[:-1]:
        frozen_clock.move_to(clock.now() + timedelta(seconds=wait + 1))
        _send(demo_app)
    frozen_clock.move_to(clock.now() + timedelta(seconds=webhooks.RETRY_AFTER[-1] + 1))
    assert "1 failed" in _send(demo_app)
    assert len(receiver.requests) == 6
    with demo_app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 6, 500)
        delivery_id = delivery.id
    client = demo_app.test_client()
    client.post("/login", data={"login": "admin", "password": "demo", "csrf_token": _csrf(client, "/login")})
    page = client.get(f"/admin/webhooks/{hook['id']}").get_data(as_text=True)
    assert "не доставлена" in page and "HTTP 500" in page
    response = client.post(f"/admin/webhooks/deliveries/{delivery_id}/resend",
                           data={"csrf_token": _csrf(client, f"/admin/webhooks/{hook['id']}")})
    assert response.status_code == 302
    assert "1 delivered" in _send(demo_app) and len(receiver.requests) == 7


def test_overdue_only_after_the_webhook_exists(demo_app, receiver, hook, frozen_clock):
    with demo_app.app_context():
        published = db.session.scalar(select(Document).where(Document.state == "published"))
        soon = Assignment(document_id=published.id, action="Скоро", status="in_work", deadline=date(2026, 11, 25),
                          deadline_kind="by")
        long_ago = Assignment(document_id=published.id, action="Давно", status="in_work",
                              deadline=date(2025, 1, 10), deadline_kind="by")
        db.session.add_all([soon, long_ago])
        db.session.commit()
        soon_id = soon.id
    receiver.requests.clear()
    frozen_clock.move_to(date(2026, 11, 27))
    _send(demo_app)
    overdue = [e for e in receiver.events() if e[0] == "assignment.overdue"]
    assert overdue == [("assignment.overdue", soon_id)]
    _send(demo_app)
    assert [e for e in receiver.events() if e[0] == "assignment.overdue"] == overdue


def test_senders_at_once_send_each_delivery_once(demo_app, receiver, hook):
    """Four senders (cron on several hosts) over 60 deliveries: each answer is written although the others write
    in between (on SQLite an answer written after its transaction's reads failed with «database is locked»)."""
    with demo_app.app_context():
        published = db.session.scalar(select(Document).where(Document.state == "published"))
        db.session.add_all([Assignment(document_id=published.id, action=f"Поручение {n}", status="new",
                                       deadline=date(2026, 12, 31), deadline_kind="by") for n in range(60)])
        db.session.commit()

    errors = []

    def sender():
        try:
            with demo_app.app_context():
                webhooks.send_due()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    ids = [json.loads(r["body"])["id"] for r in receiver.requests]
    assert len(ids) == 60 and len(set(ids)) == 60
    with demo_app.app_context():
        assert set(db.session.scalars(select(WebhookDelivery.status))) == {"delivered"}


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_an_administrator_registers_a_webhook(demo_app, client, auth, receiver):
    demo_app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    auth.login("admin", "demo")
    response = client.post("/admin/webhooks", data={"csrf_token": auth.csrf("/admin/webhooks"), "url": receiver.url,
                                                    "events": ["document.published", "assignment.overdue"],
                                                    "description": "Портал"})
    page = response.get_data(as_text=True)
    secret = re.search(r'id="webhook-secret">[^<]*<code>([^<]+)</code>', page).group(1)
    with demo_app.app_context():
        webhook = db.session.scalar(select(Webhook))
        assert webhook.secret == secret and webhook.events == ["document.published", "assignment.overdue"]
    assert secret not in client.get("/admin/webhooks").get_data(as_text=True)  # shown once
    response = client.post(f"/admin/webhooks/{webhook.id}/active",
                           data={"csrf_token": auth.csrf(f"/admin/webhooks/{webhook.id}")})
    assert response.status_code == 302
    _publish_a_draft(demo_app)
    _send(demo_app)
    assert receiver.requests == []  # turned off


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.org/x", "должен начинаться с https://"),
    ("https://user:pw@example.org/x", "не должен содержать логин"),
    ("http://127.0.0.1:9/x", "адрес внутренней сети"),
    ("http://10.0.0.5/x", "адрес внутренней сети"),
])
def test_bad_addresses_are_refused_and_nothing_is_saved(demo_app, client, auth, url, message):
    auth.login("admin", "demo")
    page = client.post("/admin/webhooks", data={"csrf_token": auth.csrf("/admin/webhooks"), "url": url,
                                                "events": ["document.published"]}).get_data(as_text=True)
    assert message in page
    page = client.post("/admin/webhooks", data={"csrf_token": auth.csrf("/admin/webhooks"),
                                                "url": "https://example.org/x"}).get_data(as_text=True)
    assert "Выберите хотя бы одно событие" in page
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_only_administrators_see_webhooks(demo_app, client, auth):
    auth.login("auditor", "demo")
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data={"csrf_token": auth.csrf("/documents"),
                                                "url": "https://example.org/x",
                                                "events": ["document.published"]}).status_code == 403
