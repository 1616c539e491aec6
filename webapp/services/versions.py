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

import uuid

from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.extensions import db
from webapp.models import Assignment, Body, DeadlineChange, Document, Point, User
from webapp.models.assignment import assignment_coexecutor
from webapp.models.versions import DataVersion

#: The tables whose rows the figures are counted from (a change to any of their rows replaces the token).
TRACKED = frozenset({Assignment.__tablename__, assignment_coexecutor.name, Document.__tablename__,
                     Point.__tablename__, Body.__tablename__, DeadlineChange.__tablename__})
_CHANGED = "data_version_changed"  # the session's flag: a tracked change is pending in this transaction
_TRACKED_CLASSES = (Assignment, Document, Point, Body, DeadlineChange)


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


def _after_flush(session: Session, _context) -> None:
    if session.info.get(_CHANGED):
        return
    if any(isinstance(obj, _TRACKED_CLASSES) for obj in (*session.new, *session.dirty, *session.deleted)) or any(
            isinstance(obj, User) for obj in session.deleted):
        session.info[_CHANGED] = True


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk INSERT, UPDATE or DELETE run through the session on a tracked table."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in TRACKED or getattr(table, "name", None) == User.__tablename__:
        state.session.info[_CHANGED] = True


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
