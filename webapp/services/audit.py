"""The audit trail: record an event into the keyed (HMAC-SHA256) chain, verify the chain, anchor its head outside."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from webapp import clock
from webapp.config import create_once
from webapp.extensions import db
from webapp.models import AuditHead, Document, Event, User

GENESIS = "0" * 64
KEY_FILE = "audit_key"  # in the instance folder, when AUDIT_KEY is not set
MIN_KEY_LENGTH = 32
KEY_ADVICE = "make one with: python -c 'import secrets; print(secrets.token_hex(32))'"


class AuditKeyError(RuntimeError):
    """The audit key is missing, unusable, or not the one the chain was made with: nothing is recorded."""


class AnchorFormatError(ValueError):
    """An anchor file that is not lines of `<time> <event id> <hash>`."""


# --- the key ----------------------------------------------------------------------------------------------


def persistent_audit_key(instance_path: Path, *, create: bool) -> str:
    """The key in instance/audit_key, made once (mode 0600) when asked to and absent.

    Made by config.create_once: two processes starting at once end up with the same key."""
    path = instance_path / KEY_FILE
    if not path.exists():
        if not create:
            raise AuditKeyError(f"no audit key: AUDIT_KEY is not set and {path} does not exist. Restore the key the "
                                "audit trail was made with (the file, or DOCFLOW_AUDIT_KEY)")
        create_once(path, secrets.token_hex(32))
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"cannot read the audit key {path}: {exc}") from exc


def _audit_key(create: bool) -> tuple[bytes, str]:
    configured = current_app.config.get("AUDIT_KEY")
    if configured is None or configured == "":
        path = Path(current_app.instance_path) / KEY_FILE
        key, source = persistent_audit_key(path.parent, create=create).encode("ascii"), str(path)
    elif isinstance(configured, str | bytes):
        key, source = configured.encode("utf-8") if isinstance(configured, str) else configured, "AUDIT_KEY"
    else:
        # DOCFLOW_AUDIT_KEY=12345 arrives as a number, =yes as a boolean: neither is a key
        raise AuditKeyError(f"AUDIT_KEY must be a string, not {type(configured).__name__}; {KEY_ADVICE}")
    if len(key) < MIN_KEY_LENGTH:
        raise AuditKeyError(f"the audit key in {source} is {len(key)} characters long, at least {MIN_KEY_LENGTH} "
                            f"are needed; {KEY_ADVICE}")
    return key, source


def audit_key(*, create: bool = False) -> bytes:
    """The chain's HMAC key: the setting AUDIT_KEY, else instance/audit_key (made only when `create`).

    Never in the database: whoever can write the database must not be able to recompute the chain."""
    return _audit_key(create)[0]


def audit_key_source() -> str:
    """Where the key comes from, for messages: 'AUDIT_KEY' or the key file's path."""
    return _audit_key(False)[1]


# --- hashing ----------------------------------------------------------------------------------------------


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


def _canonical(event, prev_hash: str) -> bytes:
    """The event's content as canonical JSON; `event` is an Event or a row with the same names."""
    payload = {
        "id": event.id, "at": _timestamp(event.at), "actor_id": event.actor_id, "action": event.action,
        "object_type": event.object_type, "object_id": event.object_id, "document_id": event.document_id,
        "before": event.before, "after": event.after, "comment": event.comment, "prev_hash": prev_hash,
    }
    acting_for_id = getattr(event, "acting_for_id", None)
    if acting_for_id is not None:  # only events of a deputy carry it: every earlier event hashes as before
        payload["acting_for_id"] = acting_for_id
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _digest(canonical: bytes, key: bytes | None) -> str:
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def event_hash(event, key: bytes | None) -> str:
    """HMAC-SHA256 of the event's canonical JSON under `key`; with None, the plain SHA-256 that chained events
    before migration 0007 (for re-hashing and diagnosis only)."""
    return _digest(_canonical(event, event.prev_hash), key)


# --- recording --------------------------------------------------------------------------------------------


def _locked_head() -> AuditHead:
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
        db.session.flush()
    return head


def _appending_key(head: AuditHead) -> bytes:
    """The key, checked against the newest event before the chain grows: a lost key file, another server's key
    or a database that was not migrated would otherwise start a chain no key verifies."""
    if head.last_id == 0:
        return audit_key(create=True)
    key, source = _audit_key(False)
    newest = db.session.get(Event, head.last_id)
    if newest is None or event_hash(newest, key) != head.last_hash:
        raise AuditKeyError(f"the newest audit event ({head.last_id}) does not match the chain's head under the "
                            f"key in {source}: the key is not the one the chain was made with, the database was "
                            "not migrated (docflow db upgrade), or the trail was tampered with "
                            "(docflow audit verify tells which). Nothing was recorded")
    return key


def record_event(actor: User | None, action: str, obj=None, *, before: dict | None = None,
                 after: dict | None = None, comment: str | None = None,
                 document: Document | None = None) -> Event:
    """Append one event. The head row is locked until commit, so concurrent writers queue up."""
    head = _locked_head()
    key = _appending_key(head)
    if document is None and isinstance(obj, Document):
        document = obj
    acting_for = getattr(actor, "acting_as", None)  # a deputy's action: «actor за acting_for» (policy.ensure)
    event = Event(
        at=clock.now(),
        actor_id=actor.id if isinstance(actor, User) else None,
        acting_for_id=acting_for.id if isinstance(acting_for, User) else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        document_id=document.id if document is not None else None,
        before=_jsonable(before), after=_jsonable(after), comment=comment,
        prev_hash=head.last_hash, hash=uuid.uuid4().hex,  # replaced below, once the id is known
    )
    db.session.add(event)
    db.session.flush()  # gives the id, which is part of the hash
    event.hash = event_hash(event, key)
    head.last_id, head.last_hash = event.id, event.hash
    db.session.flush()
    return event


# --- anchors: the head written down outside the database --------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """The chain's head at a moment: `<UTC time> <event id> <hash>`, one line, kept outside the database."""

    event_id: int
    hash: str
    taken_at: datetime
    source: str = "the head"  # where it was read, for messages: "anchors.txt line 3"

    @property
    def taken(self) -> str:
        return f"{self.taken_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"

    def line(self) -> str:
        return f"{self.taken} {self.event_id} {self.hash}"


_HASH = re.compile(r"[0-9a-fA-F]{64}")


def _parse_anchor(line: str, source: str) -> Anchor:
    fields = line.split()
    if len(fields) != 3:
        raise ValueError(f"{len(fields)} fields")
    taken, event_id, digest = fields
    if not (event_id.isascii() and event_id.isdigit()):
        raise ValueError(f"the event id {event_id!r} is not a number")
    if not _HASH.fullmatch(digest):
        raise ValueError("the hash is not 64 hexadecimal digits")
    if int(event_id) == 0 and digest != GENESIS:
        raise ValueError("event 0 (the empty trail) has the hash 000...0")
    try:
        taken_at = datetime.fromisoformat(taken)
    except ValueError:
        raise ValueError(f"the time {taken!r} is not ISO 8601") from None
    if taken_at.tzinfo is None:
        taken_at = taken_at.replace(tzinfo=UTC)
    return Anchor(int(event_id), digest.lower(), taken_at, source)


def parse_anchors(text: str, name: str) -> list[Anchor]:
    """Every anchor line of a file; blank lines and lines starting with # are skipped."""
    anchors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            anchors.append(_parse_anchor(line, f"{name} line {number}"))
        except ValueError as exc:
            shown = line if len(line) <= 100 else line[:100] + "..."
            raise AnchorFormatError(f"{name} line {number}: expected '<time> <event id> <hash>', {exc}: "
                                    f"{shown!r}") from None
    if not anchors:
        raise AnchorFormatError(f"{name} holds no anchor lines ('<time> <event id> <hash>')")
    return anchors


def head_anchor() -> Anchor:
    """The chain's head now (event 0 and the genesis hash while the trail is empty). Verify before trusting it."""
    head = _head_state()
    last_id, last_hash = (head.last_id, head.last_hash) if head is not None else (0, GENESIS)
    return Anchor(last_id, last_hash, clock.now())


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Append the anchor's line to a file, after a newline if someone left the last line open."""
    with path.open("a+b") as fh:
        if fh.tell() > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        fh.write(anchor.line().encode("ascii") + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


# --- verifying --------------------------------------------------------------------------------------------


@dataclass
class ChainProblem:
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "chain head"
        return f"{where}: {self.problem}"


def _head_state():
    """The head's columns as stored now (a column query: never a stale object from the session)."""
    return db.session.execute(select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)).first()


def _events():
    """Every event in order, streamed (a server-side cursor on PostgreSQL: close it when leaving early)."""
    query = select(Event).order_by(Event.id).execution_options(yield_per=500, populate_existing=True)
    return db.session.scalars(query)


def _content_problem(event: Event, key: bytes, first: bool) -> ChainProblem:
    """Why a row's hash does not match: a plain SHA-256 or a whole chain made with another key say more than
    'changed'."""
    if event_hash(event, None) == event.hash:
        return ChainProblem(event.id, "its hash is a plain SHA-256 made without the audit key: the row was "
                                      "rewritten by someone without the key, or the database predates the keyed "
                                      "chain (docflow db upgrade)")
    if first:
        with closing(_events()) as events:
            if not any(event_hash(later, key) == later.hash for later in events):
                return ChainProblem(event.id, f"no event matches its hash under the audit key in "
                                              f"{audit_key_source()}: it is not the key the trail was made with, "
                                              "or every row was rewritten")
    return ChainProblem(event.id, "its content does not match its hash: the row was changed")


def verify_chain(anchors: Iterable[Anchor] = ()) -> ChainProblem | None:
    """The first row that was changed, inserted or deleted, or that an anchor taken earlier no longer finds as
    it was; None when the chain is intact."""
    pending = sorted(anchors, key=lambda anchor: anchor.event_id)
    head = _head_state()  # read first: events appended while the walk runs come after it
    with closing(_events()) as events:
        return _walk(events, pending, head)


def _walk(events, pending: list[Anchor], head) -> ChainProblem | None:
    key = None
    previous_hash, previous_id, head_seen = GENESIS, 0, False
    for event in events:
        key = key or audit_key()
        if event.prev_hash != previous_hash:
            return ChainProblem(event.id, f"does not follow event {previous_id or 'genesis'}: "
                                          "a row before it was deleted or inserted")
        if event_hash(event, key) != event.hash:
            return _content_problem(event, key, first=previous_id == 0)
        while pending and pending[0].event_id <= event.id:
            anchor = pending.pop(0)
            if anchor.event_id == 0:
                continue  # the genesis: every chain starts there
            if anchor.event_id < event.id:
                return ChainProblem(anchor.event_id, f"{anchor.source} (taken {anchor.taken}) names it, "
                                                     "but it is missing: it was deleted")
            if anchor.hash != event.hash:
                return ChainProblem(event.id, f"{anchor.source} (taken {anchor.taken}) has the hash "
                                              f"{anchor.hash}, the event now has {event.hash}: the trail was "
                                              "rewritten from here on")
        if head is not None and event.id == head.last_id:
            head_seen = True
            if event.hash != head.last_hash:
                return ChainProblem(None, f"it names event {head.last_id} with the hash {head.last_hash}, the event "
                                          f"has {event.hash}: the head was changed")
        previous_hash, previous_id = event.hash, event.id
    for anchor in pending:
        if anchor.event_id != 0:
            return ChainProblem(anchor.event_id, f"{anchor.source} (taken {anchor.taken}) names it, "
                                                 f"but the table ends at event {previous_id or 'genesis'}: events at "
                                                 "the end were deleted")
    if head is None:
        if previous_id:
            return ChainProblem(None, f"the head row is missing, the table goes on to event {previous_id}")
        return None
    if head.last_id > previous_id:
        return ChainProblem(head.last_id, f"the newest event recorded was {head.last_id}, the table ends at "
                                          f"{previous_id}: rows at the end were deleted or changed")
    if head.last_id and not head_seen:
        return ChainProblem(None, f"it names event {head.last_id}, which does not exist")
    if head.last_id < previous_id:
        now = _head_state()  # events appended during the walk moved it on; a head that stayed behind was moved back
        if now is None or now.last_id < previous_id:
            return ChainProblem(None, f"it names event {head.last_id}, but the table goes on to event "
                                      f"{previous_id}: the head was moved back")
    return None


# --- re-hashing (migration 0007) --------------------------------------------------------------------------

# Only the columns re-hashing reads, as they were at migration 0007: later changes to the models must not
# change what that migration does.
_event_table = sa.table(
    "audit_event", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer), sa.column("action", sa.String), sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer), sa.column("document_id", sa.Integer), sa.column("before", sa.JSON),
    sa.column("after", sa.JSON), sa.column("comment", sa.Text), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_head_table = sa.table("audit_head", sa.column("id", sa.Integer), sa.column("last_id", sa.Integer),
                       sa.column("last_hash", sa.String))


@dataclass
class Rehashed:
    events: int
    broken: list[int]  # events that did not verify under the old key: left as they were, so they still fail


def rehash_chain(connection: Connection, old_key: bytes | None, new_key: bytes | None, batch: int = 1000) -> Rehashed:
    """Re-hash the whole chain from `old_key` to `new_key` (None: plain SHA-256) and move the head along.

    A row that does not verify under the old key keeps its stored hash (and a broken link its stored prev_hash):
    re-hashing must not launder a change made before it, so `audit verify` reports the same first problem
    afterwards as it would have before."""
    head = connection.execute(select(_head_table.c.last_id, _head_table.c.last_hash)
                              .where(_head_table.c.id == 1).with_for_update()).first()
    set_hashes = (update(_event_table).where(_event_table.c.id == bindparam("b_id"))
                  .values(prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")))
    previous_old, previous_new, after_id = GENESIS, GENESIS, 0
    new_head_hash, count, broken = None, 0, []
    while rows := connection.execute(select(_event_table).where(_event_table.c.id > after_id)
                                     .order_by(_event_table.c.id).limit(batch)).all():
        changes = []
        for row in rows:
            linked = row.prev_hash == previous_old
            intact = _digest(_canonical(row, row.prev_hash), old_key) == row.hash
            new_prev = previous_new if linked else row.prev_hash
            new_hash = _digest(_canonical(row, new_prev), new_key) if intact else row.hash
            if not (linked and intact):
                broken.append(row.id)
            if head is not None and (row.id, row.hash) == (head.last_id, head.last_hash):
                new_head_hash = new_hash
            changes.append({"b_id": row.id, "b_prev": new_prev, "b_hash": new_hash})
            previous_old, previous_new = row.hash, new_hash
        connection.execute(set_hashes, changes)
        count += len(rows)
        after_id = rows[-1].id
    if new_head_hash is not None:
        connection.execute(update(_head_table).where(_head_table.c.id == 1).values(last_hash=new_head_hash))
    return Rehashed(count, broken)
