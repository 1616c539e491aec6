"""The service's PostgreSQL connections: statements stay prepared from one request to the next.

psycopg prepares a statement run five times on a connection, and PostgreSQL then keeps its plan: a statement without
parameters (the menu's, its values written in: services/menu.py) is planned once, and one with parameters gets the
generic plan after five custom ones when that plan is no dearer — the busy statements are written for it (partial
indexes' predicates and statuses inline, checked by the plan tests under force_generic_plan). But psycopg's
rollback() deallocates every prepared statement of the connection, and every request that only read ends in a
rollback (the session's close): nothing stayed prepared past its request. The menu's statement was planned again on
every page (1.5-2 ms of planning for 0.3 ms of execution at 1,000,000 assignments), «Мои поручения»'s statement of
branches too (about 7 ms of a school's page). psycopg drops them in case the transaction rolled back had created
what a statement refers to; the service changes its schema only in migrations, run apart.
"""

from __future__ import annotations

import psycopg
from psycopg import pq
from sqlalchemy import event
from sqlalchemy.engine import Engine

_OPEN = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)


class KeepingPrepared(psycopg.Connection):
    """A psycopg connection whose rollback keeps the statements it prepared."""

    def rollback(self) -> None:
        with self.lock:
            done = self.pgconn.transaction_status in _OPEN \
                and self.pgconn.exec_(b"ROLLBACK").status == pq.ExecStatus.COMMAND_OK
        if not done:  # nothing to roll back, or a broken connection: psycopg's own returns or raises its error
            super().rollback()


def install(engine: Engine) -> None:
    """The engine's new PostgreSQL connections are KeepingPrepared."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        event.listen(engine, "do_connect", _connect)


def _connect(_dialect, _record, cargs, cparams) -> psycopg.Connection:
    return KeepingPrepared.connect(*cargs, **cparams)
