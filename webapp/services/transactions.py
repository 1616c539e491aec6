"""Transactions: which database errors are lock conflicts, and the small writes of pages that only read.

A page that only reads (GET) begins its transaction deferred on SQLite (see `webapp._sqlite_begin`): it takes no
lock, so readers never wait for one another. A write after the page's reads cannot wait for SQLite's writer lock:
when someone else wrote in between, the read snapshot cannot become a write and SQLite answers "database is locked"
at once. `write_apart` runs such a bookkeeping write (a session's last activity, notifications read on opening a
document) as the first statement of a transaction of its own, which waits for the lock like any write, and lets a
lock not had in time pass: the same write is made again on the next request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import text
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


@contextmanager
def without_parallel_workers(applies: bool = True) -> Iterator[None]:
    """On PostgreSQL (and when `applies`), the statements inside run without parallel workers, for reads of a few
    rows through indexes where starting workers costs more than they save (search's LIMITed reads, a narrow
    dashboard). For the transaction only (SET LOCAL); an error rolls it back, and the setting with it."""
    serial = applies and db.engine.dialect.name == "postgresql"
    if serial:
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    yield
    if serial:
        db.session.execute(text("RESET max_parallel_workers_per_gather"))
