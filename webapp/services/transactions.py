"""Transactions: which database errors are lock conflicts, and the small writes of pages that only read.

A page that only reads (GET) begins its transaction deferred on SQLite (see `webapp._sqlite_begin`): it takes no
lock, so readers never wait for one another. A write after the page's reads cannot wait for SQLite's writer lock:
when someone else wrote in between, the read snapshot cannot become a write and SQLite answers "database is locked"
at once. `write_apart` runs such a bookkeeping write (a session's last activity, notifications read on opening a
document) as the first statement of a transaction of its own, which waits for the lock like any write, and lets a
lock not had in time pass: the same write is made again on the next request."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from webapp.extensions import db

T = TypeVar("T")


def is_lock_conflict(exc: OperationalError) -> bool:
    """A lock not had in time: SQLite's writer lock, a PostgreSQL serialization failure, deadlock or lock timeout."""
    message = str(exc.orig).lower()
    return "database is locked" in message or getattr(exc.orig, "sqlstate", None) in ("40001", "40P01", "55P03")


def write_apart(work: Callable[[], T]) -> T | None:
    """End the current transaction (which must have nothing unsaved), run `work` in a new one and commit it; None,
    with nothing written, when the lock could not be had in time. Objects loaded before are expired, as by any
    commit: call it before loading what the page shows."""
    db.session.commit()
    try:
        result = work()
        db.session.commit()
    except OperationalError as exc:
        db.session.rollback()
        if not is_lock_conflict(exc):
            raise
        return None
    return result
