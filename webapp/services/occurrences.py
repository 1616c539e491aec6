"""Periodic assignments («ежеквартально», «до 15 числа месяца, следующего за отчётным кварталом»).

A periodic assignment is a *series*. Each date on which the duty falls due becomes an *occurrence*: an
assignment of its own (kind `by`, `series_id` pointing at the series) that is taken into work, reported,
accepted, extended, reminded and shown as overdue exactly like a one-off assignment. Occurrences are
created ahead of time up to a horizon (`OCCURRENCE_HORIZON_DAYS` past the day of the run), so calendars
and reminders see the next due dates; `catch_up` moves that horizon forward and is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Date, bindparam, literal_column, or_, select, text
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models.assignment import OPEN_STATUSES, Assignment, AssignmentStatus, DeadlineKind
from webapp.models.indexes import SERIES_INDEX, SERIES_PREDICATE
from webapp.ru.dates import DateError, format_date_short
from webapp.ru.deadlines import Deadline, occurrences, parse_deadline
from webapp.services.audit import record_event

#: An unbounded monthly series started years ago must not flood the tables in one run.
MAX_PER_RUN = 240


def schedule(series: Assignment) -> Deadline | None:
    """The recurrence read back from the series' original phrase; None when it has none we understand."""
    if not series.deadline_text:
        return None
    document = series.document
    reference = document.doc_date or series.created_at.date()
    try:
        deadline = parse_deadline(series.deadline_text, reference)
    except DateError:
        return None
    return deadline if deadline.recurrence else None


def series_start(series: Assignment) -> date:
    """The first day a due date may fall on: the stated start, else the day the document took effect."""
    document = series.document
    return series.start_date or document.doc_date or series.created_at.date()


def start(series: Assignment, today: date) -> list[Assignment]:
    """Put a series under control today: its duty runs from today (or from a later stated start), so a
    periodic assignment added to an older document does not arrive with every past due date overdue."""
    if series.is_series:
        series.start_date = max(series.start_date, today) if series.start_date else today
    return materialise(series, today)


def horizon(as_of: date) -> date:
    return as_of + timedelta(days=int(current_app.config["OCCURRENCE_HORIZON_DAYS"]))


def materialise(series: Assignment, as_of: date) -> list[Assignment]:
    """Create the series' missing occurrences due up to the horizon of `as_of`; returns the new ones."""
    if not series.is_series or series.status not in OPEN_STATUSES:
        return []
    rule = schedule(series)
    until = horizon(as_of)
    if rule is None:
        series.materialised_until = until
        return []
    existing = {o.original_deadline for o in series.occurrences}
    due_dates = [d for d in occurrences(rule, series_start(series), until) if d not in existing][:MAX_PER_RUN]
    created = []
    for due in due_dates:
        occurrence = Assignment(
            document=series.document, point=series.point, series=series, lead_body=series.lead_body,
            coexecutors=list(series.coexecutors), controller=series.controller,
            controller_text=series.controller_text, action=series.action, status=AssignmentStatus.new,
            deadline=due, original_deadline=due, deadline_kind=DeadlineKind.by,
            deadline_text=f"{series.deadline_text} — срок {format_date_short(due)}",
        )
        db.session.add(occurrence)
        created.append(occurrence)
    series.materialised_until = until if len(due_dates) < MAX_PER_RUN else due_dates[-1]
    db.session.flush()
    if created:
        record_event(None, "assignment.occurrences", series, document=series.document,
                     after={"due": [o.deadline for o in created]})
    return created


def stale_series(until: date):
    """The open series whose occurrences do not reach `until` yet (every assignment list asks: through the partial
    index of the series alone, migration 0023)."""
    query = select(Assignment).where(Assignment.is_series, Assignment.status.in_(OPEN_STATUSES), or_(
        Assignment.materialised_until.is_(None), Assignment.materialised_until < until))
    if db.engine.dialect.name != "sqlite":
        return query
    # SQLite's planner, with the nightly ANALYZE's sampled statistics, took the index of series_id (or of status)
    # for «series_id IS NULL» — nearly every assignment: 0.6 s on every list at 1,000,000 — over the partial index,
    # which holds the series only; it is named here (INDEXED BY: an error, not a slow read, if it were missing)
    series = (select(literal_column("id")).select_from(text(f"assignment INDEXED BY {SERIES_INDEX}"))
              .where(text(SERIES_PREDICATE), text("(materialised_until IS NULL OR materialised_until < :until)")
                     .bindparams(bindparam("until", until, type_=Date))))
    return query.where(Assignment.id.in_(series))


def catch_up(as_of: date) -> int:
    """Bring every open series up to the horizon of `as_of`; the number of occurrences created.

    Safe to run from several places at once: a series another transaction has just extended is skipped."""
    count = 0
    for series in list(db.session.scalars(stale_series(horizon(as_of)))):
        try:
            with db.session.begin_nested():
                count += len(materialise(series, as_of))
        except IntegrityError:
            db.session.expire(series)
    return count


@dataclass
class SeriesProgress:
    done: int
    due: int  #: occurrences whose date has come (up to as_of), cancelled ones not counted
    upcoming: int
    overdue: int


def progress(series: Assignment, as_of: date) -> SeriesProgress:
    counted = [o for o in series.occurrences if o.status != AssignmentStatus.cancelled]
    due = [o for o in counted if o.deadline and o.deadline <= as_of]
    return SeriesProgress(
        done=sum(1 for o in due if o.status == AssignmentStatus.done),
        due=len(due),
        upcoming=len(counted) - len(due),
        overdue=sum(1 for o in due if o.status in OPEN_STATUSES and o.deadline < as_of),
    )


def close_if_complete(series: Assignment | None) -> bool:
    """A bounded series is done once its last due date is in the tables and every occurrence is closed."""
    if series is None or not series.is_series or series.status not in OPEN_STATUSES:
        return False
    rule = schedule(series)
    if rule is None or rule.due is None:
        return False
    last = occurrences(rule, series_start(series), rule.due)
    if not last or last[-1] not in {o.original_deadline for o in series.occurrences}:
        return False
    live = [o for o in series.occurrences if o.status != AssignmentStatus.cancelled]
    if not live or any(o.status != AssignmentStatus.done for o in live):
        return False
    before = {"status": series.status}
    series.status = AssignmentStatus.done
    series.completed_on = max((o.completed_on for o in live if o.completed_on), default=None)
    db.session.flush()
    record_event(None, "assignment.series_done", series, document=series.document, before=before,
                 after={"status": series.status})
    return True


def cancel_open(series: Assignment, reason: str) -> int:
    """Cancelling a series cancels its occurrences that are still open (done ones stay done)."""
    count = 0
    for occurrence in series.occurrences:
        if occurrence.status in OPEN_STATUSES:
            occurrence.status = AssignmentStatus.cancelled
            occurrence.cancel_reason = reason
            count += 1
    db.session.flush()
    return count
