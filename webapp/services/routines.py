"""The periodic work of the service (reminders, notification e-mails, webhooks, the dashboard's figures, old job
results, the planner's statistics), each one call
that the `docflow` commands and the job queue's schedule both make. Each claims what it sends, so several hosts
may run it at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection

from webapp import clock
from webapp.extensions import db
from webapp.services import dashboard, jobs, notifications, occurrences, reminders, webhooks


def remind(day: date | None = None) -> tuple[int, int]:
    """Deadline reminders, overdue notices and the weekly digest for `day` (today): (sent, failed)."""
    day = day or clock.today()
    occurrences.catch_up(day)  # the next due dates of periodic assignments, so they are reminded of too
    sent, failed = reminders.send_pending(day, after_each=db.session.commit)
    db.session.commit()
    return sent, failed


def notify() -> notifications.MailRun:
    """Notification e-mails not mailed yet (each one, or the daily digest): the run's figures."""
    return notifications.send_mail()


def send_webhooks() -> tuple[int, webhooks.SendReport]:
    """«Overdue» events queued for today, then every delivery that is due: (events queued, the send's report)."""
    queued = webhooks.queue_overdue(clock.today())
    db.session.commit()
    return queued, webhooks.send_due()


def keep_dashboards() -> int:
    """Today's slow overviews looked at lately, counted again after a change: how many (dashboard.keep_fresh)."""
    return dashboard.keep_fresh()


def purge_jobs() -> int:
    """Jobs whose results' time is up, removed with them: how many."""
    return jobs.purge()


#: rows SQLite's ANALYZE samples per index: statistics good enough to choose between indexes, in milliseconds
ANALYSIS_LIMIT = 1000


def analyze(connection: Connection | None = None) -> bool:
    """Fresh statistics for SQLite's query planner (PostgreSQL's autovacuum keeps its own): without them SQLite
    guesses every index equally selective, and e.g. read every document through a nearly useless index. Bounded
    by ANALYSIS_LIMIT, so it stays quick at any size. Whether anything was done."""
    own = connection is None
    connection = db.session.connection() if own else connection
    if connection.dialect.name != "sqlite":
        return False
    connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    connection.exec_driver_sql("ANALYZE")
    if own:
        db.session.commit()
    return True


def analyze_indexes(connection: Connection, names: Iterable[str]) -> None:
    """The planner's statistics of indexes a migration has just made, beside the others', on a SQLite database
    analysed before (until the nightly `analyze`): without them SQLite guessed a new index the most selective of all
    and read a department's own search through migration 0045's (34 -> 76 ms at 1,000,000 assignments). A SQLite
    database never analysed stays so; PostgreSQL's autovacuum keeps its own."""
    if connection.dialect.name != "sqlite" or not connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        return
    connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    for name in names:
        connection.exec_driver_sql(f"ANALYZE {name}")  # the migrations' own names


def analyze_loaded(connection: Connection, tables: Iterable[str]) -> None:
    """The planner's statistics of `tables` just bulk-loaded on `connection` (gen-load, a restore), in its
    transaction. SQLite: `analyze`, as the nightly run gathers them. PostgreSQL: ANALYZE of those tables now, not
    when autovacuum comes round to each (at 1,000,000 assignments the assignments were still unanalysed five
    minutes after gen-load's commit, and meanwhile the planner guessed: the 300-point protocol's page took 288 ms
    instead of 23). ANALYZE in the loading transaction counts that transaction's own rows."""
    if connection.dialect.name != "postgresql":
        analyze(connection)
        return
    names = sorted(set(tables))
    if names:
        connection.exec_driver_sql("ANALYZE " + ", ".join(f'"{name}"' for name in names))  # the models' names
