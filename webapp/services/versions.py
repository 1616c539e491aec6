"""The data's version (models/versions.py): a token replaced by every commit that changes what the overseers'
figures are counted from — assignments and their co-executors, documents, points, bodies, extensions, a user
removed (their assignments' controller). Whatever a process counted after reading the token may be kept under it:
when the token read again is the same, no such change was committed since the count began.

Why it holds on both engines: the token is read before the figures (PostgreSQL's READ COMMITTED takes a snapshot
per statement, so the figures see at least what the token did; SQLite reads one snapshot for the transaction).
A writer replaces the token in the transaction that makes its changes, as its last statement (`before_commit`,
after the session's last flush and after the search index's own work), so the token and the changes commit
together, and the row lock PostgreSQL takes for it is held by a transaction that asks for no other lock after it:
writers wait on it in turn, never in a cycle. A random token, not a counter: copies of one database (a backup
restored, the tests' template copies) go on with different tokens, never one number for two states.

What changes the tables outside a session's flush is seen too: the ORM's bulk statements and Core statements run
through `Session.execute` (`do_orm_execute`); writers on a bare connection (gen-load, a backup's restore) call
`bump` themselves."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, event, func, insert, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.util import identity_key

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, ChangeStatus, DeadlineChange, Document, Point, User
from webapp.models.assignment import OPEN_STATUSES, assignment_coexecutor
from webapp.models.versions import DataVersion, KeptOverview
from webapp.workflow.engine import PUBLISHED

#: The tables whose rows the figures are counted from: a bulk statement on any of them replaces the token (its rows
#: are not seen), unless run for a draft's content (`drafting`).
TRACKED = frozenset({Assignment.__tablename__, assignment_coexecutor.name, Document.__tablename__,
                     Point.__tablename__, Body.__tablename__, DeadlineChange.__tablename__})
log = logging.getLogger(__name__)
_CHANGED = "data_version_changed"  # the session's flag: a tracked change is pending in this transaction
_DRAFTING = "data_version_drafting"  # the session's flag: statements now write a draft's content

#: An assignment's attributes no figure, list or filter of the overview reads (a change of only these keeps it).
_ASSIGNMENT_UNCOUNTED = frozenset({"controller_text", "start_date", "deadline_text", "original_deadline",
                                   "cancel_reason", "materialised_until", "reports", "deadline_changes",
                                   "occurrences", "series"})
#: A body's attributes the overview reads: its names and its place in the tree.
_BODY_COUNTED = frozenset({"name", "short_name", "parent_id", "parent", "children"})


def current() -> str | None:
    """The token as the session reads it now; None when nothing counted now may be kept: the row is missing, or
    this transaction has changed tracked rows it has not committed (which no other process sees, and which the
    token does not cover until the commit)."""
    token = db.session.scalar(select(DataVersion.token).where(DataVersion.id == 1))  # flushes first
    return None if db.session.info.get(_CHANGED) else token


def bump(connection: Connection) -> None:
    """A new token, written on `connection` in its transaction (the row is put back when missing)."""
    token = uuid.uuid4().hex
    if connection.execute(update(DataVersion).where(DataVersion.id == 1).values(token=token)).rowcount == 0:
        connection.execute(insert(DataVersion).values(id=1, token=token))


def shared() -> bool:
    """Whether counted figures are kept in the database for every process and host (PostgreSQL: several workers
    and hosts; SQLite's installations run one host, and its write lock is not worth a page's wait)."""
    return db.engine.dialect.name == "postgresql"


def kept(key: str, token: str) -> str | None:
    """What was kept under `key` for this token (None: nothing, or counted under another)."""
    return db.session.scalar(select(KeptOverview.payload).where(KeptOverview.key == key,
                                                                KeptOverview.token == token))


def latest(key: str) -> str | None:
    """The newest count kept under `key`, whatever its token (None: none)."""
    return db.session.scalar(select(KeptOverview.payload).where(KeptOverview.key == key))


def latest_at(key: str) -> datetime | None:
    """When the newest count kept under `key` began (None: none kept), without reading the count."""
    return db.session.scalar(select(KeptOverview.counted_at).where(KeptOverview.key == key))


#: Kept counts of other filters older than this go as a count is kept (each set of filters keeps its newest).
KEPT_FOR = timedelta(days=1)


def keep(key: str, token: str, payload: str, counted_at: datetime, looked_at: datetime | None = None) -> bool:
    """Keep `payload`, counted under `token` from `counted_at` on, as the newest count under `key` (unless a
    count that began later is kept there already), on a connection and transaction of its own (the page's own
    transaction only reads); other keys' counts older than KEPT_FOR go. A count under a token that is no longer
    the current one is kept too: it is still the newest there is (`latest`), never the current one (`kept`). Best
    effort (`_best_effort`). `looked_at`: a page asked for it then (the worker's count keeps the row's).
    Whether it was kept."""
    def write(connection: Connection) -> None:
        connection.execute(delete(KeptOverview).where(KeptOverview.counted_at < clock.now() - KEPT_FOR))
        table = KeptOverview.__table__
        upsert = postgresql_insert(table).values(key=key, token=token, payload=payload, counted_at=counted_at,
                                                 looked_at=looked_at)
        connection.execute(upsert.on_conflict_do_update(index_elements=[table.c.key], set_={
            "token": upsert.excluded.token, "payload": upsert.excluded.payload,
            "counted_at": upsert.excluded.counted_at,
            "looked_at": func.coalesce(upsert.excluded.looked_at, table.c.looked_at)},
            where=table.c.counted_at <= upsert.excluded.counted_at))

    return _best_effort(write, "an overview was not kept")


def _best_effort(write: Callable[[Connection], object], failure: str) -> bool:
    """`write` on a connection and transaction of its own, beside the page's reading transaction: a lock held
    longer than 200 ms by another process's write, a read-only connection, any error of the database — nothing is
    written, `failure` is logged with the error, and the page goes on. Whether it was written."""
    try:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            write(connection)
        return True
    except DBAPIError as error:
        log.info("%s: %s", failure, error.orig)
        return False


#: A page's look is noted in `kept_overview` at most this often per set of filters and process.
LOOK_NOTED = timedelta(minutes=1)


def looked(key: str, moment: datetime) -> None:
    """Note that a page asked for the count kept under `key` at `moment` (on a connection of its own; best
    effort, as `keep`)."""
    _best_effort(lambda connection: connection.execute(update(KeptOverview).where(
        KeptOverview.key == key, or_(KeptOverview.looked_at.is_(None), KeptOverview.looked_at < moment))
        .values(looked_at=moment)), "a look was not noted")


def looked_since(moment: datetime, limit: int, token: str | None = None) -> list[str]:
    """The payloads of at most `limit` counts (kept under another token than `token`, when given) whose figures a
    page asked for at `moment` or later, the most recently looked at first."""
    query = select(KeptOverview.payload).where(KeptOverview.looked_at >= moment)
    if token is not None:
        query = query.where(KeptOverview.token != token)
    return list(db.session.scalars(query.order_by(KeptOverview.looked_at.desc()).limit(limit)))


def _changed(obj) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def _values(obj, key: str) -> set:
    """The values an attribute held in this flush: before and after a change, or its one value (none: not loaded,
    which is taken to count)."""
    history = inspect(obj).attrs[key].history
    return {getattr(value, "value", value) for value in (*history.deleted, *history.added, *history.unchanged)}


def _counts(session: Session, obj, change: str) -> bool:
    """Whether a flushed change of `obj` ("new", "dirty" or "deleted") can change what the overview counts or
    shows. What cannot: a draft document or its draft assignments and points (drafts are not counted); an
    assignment moving between open statuses (taken, reported, returned: open all the same) or changing only text
    the overview does not show; an extension requested or rejected (only approved ones move a deadline); a body's
    letterhead, address and other requisites. In doubt (an attribute not loaded), it counts."""
    if isinstance(obj, Assignment):
        statuses = _values(obj, "status")
        if statuses == {AssignmentStatus.draft.value}:
            return False  # a draft's assignment, and still one
        if change != "dirty":
            return True
        changed = _changed(obj) - _ASSIGNMENT_UNCOUNTED
        if statuses <= {status.value for status in OPEN_STATUSES}:
            changed.discard("status")
        return bool(changed)
    if isinstance(obj, Document):
        states = _values(obj, "state")
        return not states or PUBLISHED in states
    if isinstance(obj, Point):
        document = session.identity_map.get(identity_key(Document, obj.document_id)) \
            if obj.document_id is not None else None
        return document is None or _counts(session, document, "dirty")
    if isinstance(obj, DeadlineChange):
        statuses = _values(obj, "status")
        return not statuses or ChangeStatus.approved.value in statuses
    if isinstance(obj, Body):
        return change != "dirty" or bool(_changed(obj) & _BODY_COUNTED)
    return isinstance(obj, User) and change == "deleted"


def _after_flush(session: Session, _context) -> None:
    if session.info.get(_CHANGED):
        return
    for change, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        if any(_counts(session, obj, change) for obj in objects):
            session.info[_CHANGED] = True
            return


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk INSERT, UPDATE or DELETE run through the session on a tracked table (but a draft's content)."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(_DRAFTING):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in TRACKED or name == User.__tablename__:
        state.session.info[_CHANGED] = True


@contextmanager
def drafting() -> Iterator[None]:
    """The statements inside write a draft document's content (its points, and its assignments as drafts), which
    the overview does not count: they keep the token. The draft's own changes are still judged at the flush."""
    session = db.session()
    session.info[_DRAFTING] = session.info.get(_DRAFTING, 0) + 1
    try:
        yield
    finally:
        session.info[_DRAFTING] -= 1


def _before_commit(session: Session) -> None:
    """The token replaced at the outer transaction's commit (a savepoint's release leaves the flag for it). A flag
    left by a transaction rolled back costs one needless new token at a later commit, never a missed one."""
    if session.in_nested_transaction():
        return
    session.flush()  # the transaction's last changes, which may set the flag
    if session.info.pop(_CHANGED, False):
        bump(session.connection())


def install() -> None:
    """Replace the token at every commit of a tracked change. Installed after the search index's listeners, so
    that its `before_commit` (which writes the index) runs first and the token's update is the transaction's
    last statement."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
