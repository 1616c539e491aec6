"""Webhooks: events sent to URLs registered by an administrator, signed, retried, logged.

Queuing happens in the transaction that makes the event (a flush hook watches documents and assignments: a
document published, an assignment put under control or closed), so an event that is rolled back is never sent;
«overdue» is found by the sender when a deadline has passed. Sending is never done inside a request:
`docflow webhooks send` (cron, every minute) takes due deliveries on a lease — two hosts running it at once take
different rows — posts each, and records the answer; a failure is retried after 1 min, 5 min, 30 min, 2 h, 12 h,
then marked failed (an administrator can send it again). Delivery is at least once: a sender that dies between
the receiver's answer and its own commit sends again after the lease; receivers drop repeats by the
X-Docflow-Delivery id.

Each request: POST, JSON body {"id", "event", "occurred_at", "data"}, headers X-Docflow-Event, X-Docflow-Delivery,
X-Docflow-Timestamp and X-Docflow-Signature: "sha256=" + HMAC-SHA256(secret, timestamp + "." + body).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, inspect, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Document, User
from webapp.models.assignment import OPEN_STATUSES
from webapp.models.webhooks import Webhook, WebhookDelivery
from webapp.services import policy
from webapp.services.audit import record_event
from webapp.services.errors import Invalid

EVENTS = {
    "document.published": "Документ опубликован",
    "assignment.created": "Поручение поставлено на контроль",
    "assignment.overdue": "Поручение просрочено",
    "assignment.closed": "Поручение снято с контроля (исполнено или отменено)",
}
RETRY_AFTER = (60, 300, 1800, 7200, 43200)  # seconds after the 1st, 2nd … failure; then failed
LEASE_SECONDS = 300
BATCH = 50
PUBLISHED = "published"
_CLOSED = ("done", "cancelled")


# --- registering ----------------------------------------------------------------------------------------------------


def _blocked_address(host: str) -> str | None:
    """Why a host may not be called: a private, loopback or link-local address (the service's own network),
    unless WEBHOOK_ALLOW_PRIVATE is set for an installation whose receivers live there."""
    if current_app.config.get("WEBHOOK_ALLOW_PRIVATE"):
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return f"адрес {host} не найден в DNS"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return f"{host} — адрес внутренней сети ({address})"
    return None


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 2000:
        raise Invalid("Адрес должен начинаться с https:// (или http://) и содержать имя сервера.")
    if parts.username or parts.password:
        raise Invalid("Адрес не должен содержать логин и пароль: подлинность запросов подтверждает подпись.")
    problem = _blocked_address(parts.hostname)
    if problem:
        raise Invalid(f"Этот адрес вызывать нельзя: {problem}.")
    return url


def create_webhook(actor: User, url: str, events: list[str], description: str | None = None
                   ) -> tuple[Webhook, str]:
    """A new subscription and its signing secret (shown to the administrator once)."""
    policy.ensure(actor, "administer")
    unknown = [event for event in events if event not in EVENTS]
    if not events or unknown:
        raise Invalid("Выберите хотя бы одно событие из списка.")
    secret = secrets.token_urlsafe(32)
    webhook = Webhook(url=check_url(url), events=list(dict.fromkeys(events)), description=description or None,
                      secret=secret, created_by_id=actor.id)
    db.session.add(webhook)
    db.session.flush()
    record_event(actor, "webhook.create", webhook, after={"url": webhook.url, "events": webhook.events})
    return webhook, secret


def set_active(actor: User, webhook: Webhook, active: bool) -> None:
    policy.ensure(actor, "administer")
    if webhook.active == active:
        return
    webhook.active = active
    if active:
        record_event(actor, "webhook.enable", webhook)
    else:
        record_event(actor, "webhook.disable", webhook)


def resend(actor: User, delivery: WebhookDelivery) -> None:
    """Send a failed (or delivered) delivery again at the next run."""
    policy.ensure(actor, "administer")
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, clock.now()
    delivery.leased_until = delivery.lease = None
    record_event(actor, "webhook.resend", delivery.webhook, after={"delivery": delivery.id})


# --- queuing --------------------------------------------------------------------------------------------------------


def _document_data(document: Document) -> dict:
    day = document.doc_date
    return {"id": document.id, "type": document.doc_type, "number": document.number,
            "date": day.isoformat() if day else None, "title": document.title, "state": document.state,
            "label": document.label}


def _assignment_data(assignment: Assignment) -> dict:
    return {"id": assignment.id, "document_id": assignment.document_id, "action": assignment.action,
            "deadline": assignment.deadline.isoformat() if assignment.deadline else None,
            "status": assignment.status, "lead_body_id": assignment.lead_body_id,
            "controller_id": assignment.controller_id}


def _changed_to(session: Session, obj, attribute: str) -> str | None:
    """The value an attribute was set to in this flush (a new object's value); None when it did not change. An
    attribute set without its old value loaded has no old value in its history: that counts as a change."""
    value = getattr(obj, attribute)
    if obj in session.new:
        return value
    history = inspect(obj).attrs[attribute].history
    return value if history.added and (not history.deleted or history.deleted[0] != value) else None


def _events_of(session: Session) -> list[tuple[str, int, str, dict]]:
    found = []
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Document) and _changed_to(session, obj, "state") == PUBLISHED:
            found.append(("document.published", obj.id, "", _document_data(obj)))
        elif isinstance(obj, Assignment):
            status = _changed_to(session, obj, "status")
            # «new» is where an assignment starts in force (made so, or its document published); taking it
            # makes it «in_work», never «new» again
            if status == "new" or (status == "in_work" and obj in session.new):
                found.append(("assignment.created", obj.id, "", _assignment_data(obj)))
            elif status in _CLOSED:
                found.append(("assignment.closed", obj.id, status, _assignment_data(obj)))
    return found


def _queue(connection, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(WebhookDelivery.__table__).on_conflict_do_nothing(), rows)


def _rows(webhooks: list[Webhook], events: list[tuple[str, int, str, dict]]) -> list[dict]:
    now = clock.now()
    return [{"webhook_id": hook.id, "event": event, "object_id": object_id, "key": key, "status": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now,
             "payload": {"id": str(uuid.uuid4()), "event": event, "occurred_at": now.isoformat(), "data": data}}
            for event, object_id, key, data in events for hook in webhooks if event in hook.events]


def _after_flush(session: Session, _context) -> None:
    events = _events_of(session)
    if not events:
        return
    connection = session.connection()
    hooks = [Webhook(id=row.id, events=row.events) for row in connection.execute(
        select(Webhook.__table__.c.id, Webhook.__table__.c.events).where(Webhook.__table__.c.active))]
    _queue(connection, _rows(hooks, events))


def install() -> None:
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def queue_overdue(today: date) -> int:
    """«assignment.overdue» for each open assignment whose deadline passed after its webhook was registered
    (a new webhook is not flooded with years of history)."""
    queued = 0
    for hook in db.session.scalars(select(Webhook).where(Webhook.active)):
        if "assignment.overdue" not in hook.events:
            continue
        since = clock.local_date(hook.created_at)
        overdue = db.session.scalars(select(Assignment).where(
            Assignment.status.in_(OPEN_STATUSES), Assignment.deadline < today, Assignment.deadline >= since))
        rows = _rows([hook], [("assignment.overdue", a.id, a.deadline.isoformat(), _assignment_data(a))
                              for a in overdue])
        _queue(db.session.connection(), rows)
        queued += len(rows)
    return queued


# --- sending --------------------------------------------------------------------------------------------------------


@dataclass
class SendReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is the receiver's error, never followed
        return None


def _post(webhook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """The receiver's status and, on failure, why."""
    parts = urlsplit(webhook.url)
    if parts.scheme not in ("https", "http"):
        return None, "not an http(s) address"
    problem = _blocked_address(parts.hostname or "")
    if problem:
        return None, problem
    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
    timestamp = str(int(clock.now().timestamp()))
    request = urllib.request.Request(webhook.url, data=body, method="POST", headers={  # noqa: S310 (http(s) only)
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Docflow-Webhooks/1",
        "X-Docflow-Event": delivery.event, "X-Docflow-Delivery": delivery.payload["id"],
        "X-Docflow-Timestamp": timestamp, "X-Docflow-Signature": signature(webhook.secret, timestamp, body)})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=current_app.config.get("WEBHOOK_TIMEOUT", 10)) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:500]


def _lease(now) -> tuple[str, list[int]]:
    """Take up to BATCH due deliveries for this sender and commit at once, so that other senders skip them. One
    UPDATE takes them (on SQLite it waits for the writer's lock instead of failing a read-then-write
    transaction; on PostgreSQL the rows another sender is taking are skipped, not waited for)."""
    lease = uuid.uuid4().hex
    table = WebhookDelivery.__table__
    free = or_(table.c.leased_until.is_(None), table.c.leased_until < now)
    due = select(table.c.id).where(table.c.status == "pending", table.c.next_attempt_at <= now, free
                                   ).order_by(table.c.id).limit(BATCH)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(update(table).where(table.c.id.in_(due.scalar_subquery()), free).values(
        lease=lease, leased_until=now + timedelta(seconds=LEASE_SECONDS)))
    db.session.commit()
    ids = list(db.session.scalars(select(table.c.id).where(table.c.lease == lease).order_by(table.c.id)))
    return lease, ids


def send_due() -> SendReport:
    """Send what is due, batch after batch, until nothing is left for this sender."""
    report = SendReport()
    while True:
        now = clock.now()
        lease, ids = _lease(now)
        if not ids:
            return report
        deliveries = db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.id.in_(ids), WebhookDelivery.lease == lease)).all()
        for delivery in deliveries:
            key, attempts = delivery.id, delivery.attempts  # the lease keeps both ours until the answer is written
            outcome, values = _answered(attempts, *_post(delivery.webhook, delivery))
            # The answer is the first statement of a transaction of its own, so on SQLite it waits for the writer's
            # lock like any write; written after this transaction's reads, it would fail at once ("database is
            # locked") whenever another sender had written in between.
            db.session.commit()
            table = WebhookDelivery.__table__
            db.session.execute(update(table).where(table.c.id == key, table.c.lease == lease).values(**values))
            db.session.commit()
            setattr(report, outcome, getattr(report, outcome) + 1)


def _answered(attempts: int, status: int | None, error: str | None) -> tuple[str, dict]:
    """Which of the report's counts the answer adds to, and the delivery's values it leaves (after `attempts`
    tries before it)."""
    attempts += 1
    values = {"attempts": attempts, "last_status": status, "last_error": error, "lease": None, "leased_until": None}
    if status is not None and 200 <= status < 300:
        return "delivered", {**values, "status": "delivered", "delivered_at": clock.now(), "last_error": None}
    if attempts > len(RETRY_AFTER):
        return "failed", {**values, "status": "failed"}
    return "retried", {**values, "next_attempt_at": clock.now() + timedelta(seconds=RETRY_AFTER[attempts - 1])}


def recent_deliveries(webhook: Webhook, limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


def delivery_counts() -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for hook_id, status, count in db.session.execute(select(
            WebhookDelivery.webhook_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.webhook_id, WebhookDelivery.status)):
        counts.setdefault(hook_id, {})[status] = count
    return counts

