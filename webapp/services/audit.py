"""The audit trail: record an event into the SHA-256 chain, and verify the chain."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.models import AuditHead, Document, Event, User

GENESIS = "0" * 64


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def _timestamp(at: datetime) -> str:
    """Databases differ in what they give back (SQLite drops the zone): hash one canonical form."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: Event) -> str:
    payload = {
        "id": event.id, "at": _timestamp(event.at), "actor_id": event.actor_id, "action": event.action,
        "object_type": event.object_type, "object_id": event.object_id, "document_id": event.document_id,
        "before": event.before, "after": event.after, "comment": event.comment, "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _locked_head() -> AuditHead:
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
        db.session.flush()
    return head


def record_event(actor: User | None, action: str, obj=None, *, before: dict | None = None,
                 after: dict | None = None, comment: str | None = None,
                 document: Document | None = None) -> Event:
    """Append one event. The head row is locked until commit, so concurrent writers queue up."""
    head = _locked_head()
    if document is None and isinstance(obj, Document):
        document = obj
    event = Event(
        at=clock.now(),
        actor_id=actor.id if isinstance(actor, User) else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        document_id=document.id if document is not None else None,
        before=_jsonable(before), after=_jsonable(after), comment=comment,
        prev_hash=head.last_hash, hash=uuid.uuid4().hex,  # replaced below, once the id is known
    )
    db.session.add(event)
    db.session.flush()  # gives the id, which is part of the hash
    event.hash = event_hash(event)
    head.last_id, head.last_hash = event.id, event.hash
    db.session.flush()
    return event


@dataclass
class ChainProblem:
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "chain head"
        return f"{where}: {self.problem}"


def verify_chain() -> ChainProblem | None:
    """The first row that was changed, inserted or deleted, or None when the chain is intact."""
    previous_hash, previous_id = GENESIS, 0
    for event in db.session.scalars(select(Event).order_by(Event.id)).yield_per(500):
        if event.prev_hash != previous_hash:
            return ChainProblem(event.id, f"does not follow event {previous_id or 'genesis'}: "
                                          "a row before it was deleted or inserted")
        if event_hash(event) != event.hash:
            return ChainProblem(event.id, "its content does not match its hash: the row was changed")
        previous_hash, previous_id = event.hash, event.id
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.last_id, head.last_hash) != (previous_id, previous_hash):
        return ChainProblem(head.last_id, f"the newest event recorded was {head.last_id}, the table ends at "
                                          f"{previous_id}: rows at the end were deleted or changed")
    return None
