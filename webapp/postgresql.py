"""The service's PostgreSQL connections: statements stay prepared from one request to the next.

psycopg prepares a statement run five times on a connection, so that PostgreSQL parses it once and, for a statement
without parameters (the menu's, written with its values: services/menu.py), plans it once. But psycopg's rollback()
also deallocates every prepared statement of the connection, and every request that only read ends in a rollback
(the session's close): no statement stayed prepared past its request, and the menu's was planned again on every page
(1.5-2 ms of planning for 0.3 ms of execution at 1,000,000 assignments). psycopg drops them in case the transaction
rolled back had created what a statement refers to; the service changes its schema only in migrations, run apart.

Statements with parameters are planned for their values each time (plan_cache_mode=force_custom_plan, set in
config.finalize), as they were when they did not stay prepared: a generic plan, chosen by PostgreSQL after five
custom ones, could not use a partial index whose condition the parameters decide.
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
