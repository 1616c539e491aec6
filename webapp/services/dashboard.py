"""The auditors' overview of assignment control «на дату»: every figure as it stood at the end of a chosen day,
counted by the database (GROUP BY and COUNT with CASE), with the drill-down conditions the assignment list uses.

What «as it stood» means, in one place:
- a document exists from its registration (the day the workflow published it, or an archive document's own
  date; the meeting's date for a protocol registered without one; the day it was entered when it has no date);
- an assignment taken from a document's text exists with its document; one added later exists from its creation;
- it is done at the date only if accepted by then, cancelled only if cancelled by then: otherwise it was open;
- its deadline is the one in force then: an extension decided after the date had not moved it yet."""

from __future__ import annotations

import hashlib
import json
import logging
import time as time_module
from dataclasses import astuple, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from threading import Lock, Thread
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased, load_only

from webapp import clock
from webapp.extensions import db
from webapp.models import (
    Assignment,
    AssignmentStatus,
    Body,
    ChangeStatus,
    DeadlineChange,
    Document,
    Event,
    Point,
    User,
)
from webapp.models.assignment import OPEN_STATUSES, assignment_coexecutor
from webapp.models.document import DATED_BY_EVENT, TYPE_TITLES, DocumentType
from webapp.ru.collation import natural_key
from webapp.services import versions
from webapp.services.assignments import DATED_KINDS
from webapp.services.transactions import without_parallel_workers
from webapp.workflow.engine import PUBLISHED

#: Overdue by age: title, first and last day overdue (None: no upper bound).
BUCKETS = [("1–7", 1, 7), ("8–30", 8, 30), ("31–90", 31, 90), ("более 90", 91, None)]
NO_CONTROLLER = 0  #: the controller filter's value for assignments nobody controls
TREND_MONTHS = 12
LISTS = ("overdue", "due_30", "done_late")  #: the figures whose rows the overview lists (the longest overdue first)
LIST_LIMIT = 100  #: rows of a list shown on the dashboard itself; the drill-down pages through all of them
#: rows of «По контролёрам» on the page, the most overdue first (the whole region's 400 controllers were half of
#: its HTML and a look-up of every name at each look); the page's «показать всех» lists every one
CONTROLLERS_SHOWN = 20
INLINE_IDS = 5_000  #: co-executing assignments of a body filter written into the statement as ids, at most
#: assignments moved after a drill-down's day written into its statement as ids, at most (each condition of the
#: deadline then names them: at 2,947 ids building and sending them was 60-100 ms of a page on PostgreSQL)
MOVED_IDS = 500
log = logging.getLogger(__name__)
SERIAL_BODIES = 500  #: a body filter of at most this many bodies (with its own) is counted without parallel workers

#: The figures a user can drill down into (the assignment list shows exactly the rows counted), with titles.
FIGURES = {
    "all": "все поручения", "open": "открытые", "overdue": "просроченные", "done": "исполненные",
    "done_late": "исполненные с опозданием", "cancelled": "снятые с контроля", "due_7": "со сроком в ближайшие 7 дней",
    "due_30": "со сроком в ближайшие 30 дней",
    **{f"age_{index}": f"просроченные на {title} дн." for index, (title, _, _) in enumerate(BUCKETS)},
}


@dataclass
class Filters:
    """What the dashboard shows: the day and the filters, each kept in the page's URL."""

    as_of: date
    only_overdue: bool = False
    body: Body | None = None  # with its sub-bodies, as lead or co-executor
    controller_id: int | None = None  # NO_CONTROLLER: none
    document: Document | None = None
    doc_type: str | None = None
    since: date | None = None  # the document's date from
    until: date | None = None  # the document's date to

    @cached_property
    def body_condition(self):
        """The body's assignments (with its sub-bodies, as lead or co-executor) as an OR of two index ranges: the
        lead body's ids, and the co-executing assignments' ids read first (a few, as a rule; a subquery past
        INLINE_IDS). With the subquery in the OR the database read every assignment: 2 s of a department's
        dashboard at 1,000,000."""
        ids = self.body_ids
        coexecuting = select(assignment_coexecutor.c.assignment_id).where(assignment_coexecutor.c.body_id.in_(ids))
        return or_(Assignment.lead_body_id.in_(ids),
                   Assignment.id.in_(self.coexecuting if self.coexecuting is not None else coexecuting))

    @cached_property
    def coexecuting(self) -> list[int] | None:
        """The ids of the assignments the body's subtree co-executes (None past INLINE_IDS: a subquery asks them)."""
        shared = db.session.scalars(select(assignment_coexecutor.c.assignment_id)
                                    .where(assignment_coexecutor.c.body_id.in_(self.body_ids))
                                    .distinct().limit(INLINE_IDS + 1)).all()
        return sorted(shared) if len(shared) <= INLINE_IDS else None

    @property
    def key(self) -> tuple:
        """What the filters' conditions are made of, the day apart: statements built of them can be kept under it."""
        body = (tuple(sorted(self.body_ids)), None if self.coexecuting is None else tuple(self.coexecuting)) \
            if self.body is not None else None
        return (self.only_overdue, body, self.controller_id, self.document.id if self.document is not None else None,
                self.doc_type, self.since, self.until)

    @cached_property
    def body_ids(self) -> list[int]:
        """The filter's body and its sub-bodies."""
        return self.body.subtree_ids()

    @property
    def narrow(self) -> bool:
        """Whether the rows are read by index ranges of a few of them: one document's, or a body's that is not
        most of the organisation."""
        return self.document is not None or (self.body is not None and len(self.body_ids) <= SERIAL_BODIES)

    def describe(self) -> list[str]:
        """The filters in words, as the справка and the export state them under their title."""
        parts = []
        if self.only_overdue:
            parts.append("только просроченные")
        if self.body is not None:
            parts.append(f"орган: {self.body.name} (с подчинёнными)")
        if self.controller_id is not None:
            controller = db.session.get(User, self.controller_id) if self.controller_id else None
            parts.append(f"контролёр: {controller.full_name if controller else 'не назначен'}")
        if self.document is not None:
            parts.append(f"документ: {self.document.label}")
        if self.doc_type:
            parts.append(f"вид документа: {TYPE_TITLES[DocumentType(self.doc_type)].lower()}")
        if self.since or self.until:
            since = f" с {self.since:%d.%m.%Y}" if self.since else ""
            until = f" по {self.until:%d.%m.%Y}" if self.until else ""
            parts.append(f"документы{since}{until}")
        return parts


def day_end(day: date) -> datetime:
    """The first moment after `day` in the organisation's time zone, as stored timestamps compare (UTC)."""
    return _day_end(current_app.config["TIMEZONE"], day)


@lru_cache(maxsize=1024)
def _day_end(zone: str, day: date) -> datetime:
    # kept: a department's overview asks it of its twelve month ends about fifty times
    return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def document_date():
    """Document.doc_date as SQL: a protocol is dated by its meeting, other documents by registration."""
    return case((Document.doc_type.in_(list(DATED_BY_EVENT)), func.coalesce(Document.event_date, Document.reg_date)),
                else_=func.coalesce(Document.reg_date, Document.event_date))


def published_by(day: date, end=None):
    """The document was in force at the end of `day` (see the module's docstring); `end`: the day's end, when
    `day` is a bound parameter."""
    return and_(Document.state == PUBLISHED, or_(
        Document.reg_date <= day,
        and_(Document.reg_date.is_(None), Document.event_date <= day),
        and_(Document.reg_date.is_(None), Document.event_date.is_(None),
             Document.created_at < (day_end(day) if end is None else end))))


def filter_conditions(f: Filters) -> list:
    """The filters as conditions on Assignment joined to its Document."""
    return [*assignment_conditions(f), *document_conditions(f)]


def assignment_conditions(f: Filters, body: bool = True) -> list:
    """The filters that ask the assignment alone (`body`: with the body's)."""
    conditions = []
    if f.body is not None and body:
        conditions.append(f.body_condition)
    if f.controller_id is not None:
        conditions.append(Assignment.controller_id.is_(None) if f.controller_id == NO_CONTROLLER
                          else Assignment.controller_id == f.controller_id)
    if f.document is not None:
        conditions.append(Assignment.document_id == f.document.id)
    return conditions


def document_conditions(f: Filters) -> list:
    """The filters that ask the assignment's document."""
    conditions = []
    if f.doc_type:
        conditions.append(Document.doc_type == f.doc_type)
    if f.since:
        conditions.append(document_date() >= f.since)
    if f.until:
        conditions.append(document_date() <= f.until)
    return conditions


def approved_after(end: datetime, *columns):
    """Approved extensions decided at `end` or later (through ix_deadline_change_status_decided, migration 0031)."""
    return select(*(columns or (DeadlineChange.assignment_id,))).where(
        DeadlineChange.status == ChangeStatus.approved, DeadlineChange.decided_at >= end)


def deadline_before(end):
    """Per assignment row (correlated): the deadline it had before the first approved extension decided at `end`
    or later (that extension's old date); NULL when none was — its deadline then is the current one."""
    return (select(DeadlineChange.old_date)
            .where(DeadlineChange.assignment_id == Assignment.id, DeadlineChange.status == ChangeStatus.approved,
                   DeadlineChange.decided_at >= end)
            .order_by(DeadlineChange.id).limit(1).scalar_subquery())


def done_by(day):
    """Done at the day: accepted by then; done with no date of acceptance recorded counts as done all along (never
    NULL, which would make it neither)."""
    return and_(Assignment.status == AssignmentStatus.done, func.coalesce(Assignment.completed_on, date.min) <= day)


def cancelled_after(end: datetime, *columns):
    """Assignments cancelled at `end` or later, by their events (through ix_audit_event_action_at, migration 0031:
    without it a year's trend read every event of the year twice)."""
    object_type = Event.object_type
    if db.engine.dialect.name == "sqlite":
        # SQLite's planner, with the nightly ANALYZE's sampled statistics (1,000 rows an index), took
        # ix_audit_event_object for «object_type = 'assignment' AND object_id IS NOT NULL», which also orders the
        # trend's GROUP BY (every assignment event: 0.6 s of a department's trend at 1,000,000); an expression of
        # the column leaves it no such range
        object_type = object_type.concat("")
    return select(*(columns or (Event.object_id,))).where(
        Event.action == "assignment.cancel", Event.at >= end, object_type == "assignment",
        Event.object_id.is_not(None))


class Snapshot:
    """The assignments in force at the end of a day, filtered, each with its state then (a CTE, `rows`). The day
    and the dates figured from it are bound parameters by name (`values`), so that a statement built of one
    snapshot can be kept for its filters and run for another day (`counted`)."""

    def __init__(self, filters: Filters):
        self.filters = filters
        day = filters.as_of
        self.values = {"snapshot_day": day, "snapshot_end": day_end(day),
                       "snapshot_due_7": day + timedelta(days=7), "snapshot_due_30": day + timedelta(days=30)}
        for index, (_, low, high) in enumerate(BUCKETS):  # d days overdue: the deadline was d days before the day
            self.values[f"snapshot_age_{index}_low"] = day - timedelta(days=low)
            if high is not None:
                self.values[f"snapshot_age_{index}_high"] = day - timedelta(days=high)

    def bound(self, name: str):
        """One of `values` as a bound parameter of its name (a timestamp with time zone as the columns compare)."""
        value = self.values[name]
        return bindparam(name, value, type_=DateTime(timezone=True) if isinstance(value, datetime) else Date)

    @cached_property
    def query(self):
        day, end = self.bound("snapshot_day"), self.bound("snapshot_end")
        # The deadline in force at the day: an approved extension decided later had not moved it yet, so the
        # first of those holds the deadline of the day as its old date.
        later = (approved_after(end, DeadlineChange.assignment_id, func.min(DeadlineChange.id).label("change_id"))
                 .group_by(DeadlineChange.assignment_id).subquery("later_change"))
        change = aliased(DeadlineChange, name="first_later_change")
        deadline = func.coalesce(change.old_date, Assignment.deadline)
        # Cancelled after the day (a series' occurrences go with the series): still open at the day.
        cancelled_later = cancelled_after(end)
        done = done_by(day)
        cancelled = and_(Assignment.status == AssignmentStatus.cancelled,
                         Assignment.id.not_in(cancelled_later),
                         or_(Assignment.series_id.is_(None), Assignment.series_id.not_in(cancelled_later)))
        state = case((done, literal("done")), (cancelled, literal("cancelled")), else_=literal("open"))
        dated = Assignment.deadline_kind.in_(list(DATED_KINDS))
        overdue = and_(~done, ~cancelled, dated, deadline < day)
        query = (select(Assignment.id.label("id"), Assignment.document_id.label("document_id"),
                        Assignment.lead_body_id.label("lead_body_id"),
                        Assignment.controller_id.label("controller_id"), deadline.label("deadline"),
                        state.label("state"), case((overdue, 1), else_=0).label("overdue"),
                        case((dated, 1), else_=0).label("dated"), Assignment.completed_on.label("completed_on"))
                 .select_from(Assignment).join(Document, Document.id == Assignment.document_id)
                 .outerjoin(later, later.c.assignment_id == Assignment.id)
                 .outerjoin(change, change.id == later.c.change_id)
                 .where(Assignment.status != AssignmentStatus.draft, published_by(day, end),
                        # a periodic series is counted through its dated occurrences, each tracked on its own
                        ~Assignment.is_series,
                        or_(Assignment.point_id.is_not(None), Assignment.created_at < end),
                        *filter_conditions(self.filters)))
        if self.filters.only_overdue:
            query = query.where(overdue)
        return query

    @cached_property
    def rows(self):
        return self.query.cte("snapshot")

    # --- the figures, as conditions on the snapshot's rows ---

    def condition(self, figure: str, rows=None):
        """The rows a figure counts (FIGURES); unknown figures count every row. `rows`: the snapshot's CTE (or
        another CTE of the same query)."""
        r, day = (self.rows if rows is None else rows).c, self.bound("snapshot_day")
        is_open = r.state == "open"
        conditions = {
            "open": is_open, "overdue": r.overdue == 1, "done": r.state == "done", "cancelled": r.state == "cancelled",
            "done_late": and_(r.state == "done", r.completed_on > r.deadline),
            "due_7": and_(is_open, r.dated == 1, r.deadline >= day, r.deadline <= self.bound("snapshot_due_7")),
            "due_30": and_(is_open, r.dated == 1, r.deadline >= day, r.deadline <= self.bound("snapshot_due_30")),
        }
        for index, (_, _low, high) in enumerate(BUCKETS):
            # d days overdue: the deadline was d days before the day (values)
            bound = [r.deadline <= self.bound(f"snapshot_age_{index}_low")]
            if high is not None:
                bound.append(r.deadline >= self.bound(f"snapshot_age_{index}_high"))
            conditions[f"age_{index}"] = and_(r.overdue == 1, *bound)
        return conditions.get(figure, true())

    def ids(self, figure: str = "all"):
        """The ids of the rows a figure counts (the snapshot's rows, read whole)."""
        return select(self.rows.c.id).where(self.condition(figure))

    @cached_property
    def moved(self) -> list[int] | None:
        """The assignments with an extension approved after the day (their deadline then was another), read first:
        few for a recent day, none for today. None past MOVED_IDS (a subquery asks them)."""
        moved = db.session.scalars(approved_after(self.values["snapshot_end"]).distinct()
                                   .limit(MOVED_IDS + 1)).all()
        return sorted(moved) if len(moved) <= MOVED_IDS else None

    def holds(self, figure: str = "all"):
        """The rows a figure counts as a condition on the assignment itself — each row's state at the day looked up
        for that row (its document; whether an extension was decided after the day, from the few such read first
        (`moved`), and only then the first of them; a cancellation after it) — the drill-down's condition for the
        assignment list, which then walks its own order and stops at a page: as `ids(figure)`, the list read every
        assignment in force into the snapshot first (the whole organisation's overdue at 1,000,000: 0.7 s on SQLite,
        2.5 s on PostgreSQL). A figure of a window of deadlines (due in 7 or 30 days, overdue by 1-7, 8-30, 31-90 days)
        also bounds the current deadline (or the row was moved after the day), which an index of deadlines reads
        when the moved rows are written in as ids (PostgreSQL walked every deadline past a subquery of them: a
        window of a day two years back is read as the snapshot); «done late» has no such bound — a walk would test
        every done row — and is read as the snapshot. The same rows as `ids` (tested on random worlds and the
        month-edge world, figure by figure): `condition` writes each figure on the snapshot's columns, this on the
        assignment's, and the two are kept in step by that test."""
        windowed = figure.startswith("due_") or figure in {f"age_{i}" for i, (*_, high) in enumerate(BUCKETS) if high}
        if figure == "done_late" or (windowed and self.moved is None):
            return Assignment.id.in_(self.ids(figure))
        day, end = self.bound("snapshot_day"), self.bound("snapshot_end")
        if self.moved == []:  # no extension decided after the day (the usual case of a recent day)
            moved, deadline = false(), Assignment.deadline
        else:
            moved = Assignment.id.in_(self.moved if self.moved is not None else approved_after(end))
            deadline = None
        first_later = deadline_before(end)
        if deadline is None:
            deadline = case((moved, first_later), else_=Assignment.deadline)

        def cancelled_later(column):
            return cancelled_after(end).where(Event.object_id == column).exists()

        def window(low, high=None):  # the deadline of the day in [high, low] (dates), bounded on the column too
            bounds = [deadline <= low] + ([deadline >= high] if high is not None else [])
            current = [Assignment.deadline <= low] + ([Assignment.deadline >= high] if high is not None else [])
            return and_(or_(and_(*current), moved), *bounds)

        done = done_by(day)
        cancelled = and_(Assignment.status == AssignmentStatus.cancelled, ~cancelled_later(Assignment.id),
                         or_(Assignment.series_id.is_(None), ~cancelled_later(Assignment.series_id)))
        is_open, dated = and_(~done, ~cancelled), Assignment.deadline_kind.in_(list(DATED_KINDS))
        overdue = and_(is_open, dated, deadline < day)
        conditions = {
            "open": is_open, "overdue": overdue, "done": done, "cancelled": cancelled,
            "due_7": and_(is_open, dated, window(self.bound("snapshot_due_7"), day)),
            "due_30": and_(is_open, dated, window(self.bound("snapshot_due_30"), day)),
        }
        for index, (_, _low, high) in enumerate(BUCKETS):
            conditions[f"age_{index}"] = and_(overdue, window(
                self.bound(f"snapshot_age_{index}_low"),
                self.bound(f"snapshot_age_{index}_high") if high is not None else None))
        # its own FROM document (the list joins the document too): correlated by the assignment alone
        in_force = (select(literal(1)).where(Document.id == Assignment.document_id, published_by(day, end),
                                             *document_conditions(self.filters)).correlate(Assignment).exists())
        return and_(conditions.get(figure, true()), *((overdue,) if self.filters.only_overdue else ()),
                    Assignment.status != AssignmentStatus.draft, ~Assignment.is_series,
                    or_(Assignment.point_id.is_not(None), Assignment.created_at < end),
                    *assignment_conditions(self.filters), in_force)

    def counted(self, lists: tuple[str, ...] = (), documents: int = 20, limit: int = LIST_LIMIT,
                trend_days: list[date] | None = None) -> Counted:
        """Every figure the overview shows of the day, by one statement: the totals; by body, by document (the
        `documents` with most overdue, then open) and by controller; up to `limit` rows of each of `lists`, the
        longest overdue first. Its parts (a UNION ALL, each padded to the totals' width) read the day's rows,
        which the database computes once (a MATERIALIZED CTE): three statements each computing them cost three
        times the reading of a department's rows, and on SQLite and PostgreSQL a CTE read once is inlined.

        By body: open and overdue of each body with its sub-bodies, an assignment counted once for each body at or
        above one of its responsible bodies. Assignments of one body (most of them) are counted per body in SQL
        and those aggregated rows added up the tree here; assignments with co-executors climb the tree in SQL
        (a recursive closure), where one counted once for an ancestor of two of its bodies needs DISTINCT.

        With `trend_days` (the month ends of the trend, the last the snapshot's day), the trend's rows too (`trend`,
        counted as `TREND_KEYS`): the filtered rows are then read once for both (`_year_rows`), the snapshot taken
        from them, not from a second read of the rows and their documents.

        The statement is kept per filters (`Filters.key`) and parts asked, and run with this day's `values`."""
        count = len(trend_days) if trend_days else 0
        statement = _kept(_COUNTED_STATEMENTS,
                          (db.engine.dialect.name, self.filters.key, lists, documents, limit, count),
                          lambda: self._counted(lists, documents, limit, count))
        names = list(FIGURES)
        result = Counted()
        values = {**self.values, **trend_values(trend_days)} if count else self.values
        for kind, key, day, *numbers in db.session.execute(statement, values).all():  # fetched at once
            if kind == "trend":
                result.trend.append(tuple(numbers[:len(TREND_KEYS) + 1]))
            elif kind == "totals":
                result.totals = {"documents": int(numbers[0]),
                                 **{name: int(value) for name, value in zip(names, numbers[1:], strict=True)}}
            elif kind.startswith("list "):
                result.lists.setdefault(kind[5:], []).append((key, day))
            else:
                getattr(result, kind).append((key, int(numbers[0]), int(numbers[1])))
        for figure in lists:
            result.lists.setdefault(figure, [])
        return result

    def _counted(self, lists: tuple[str, ...], documents: int, limit: int, count: int = 0):
        year = None
        if count:
            dated = case((Assignment.deadline_kind.in_(list(DATED_KINDS)), 1), else_=0)
            year = _year_rows(self.filters, count, Assignment.id.label("id"),
                              Assignment.document_id.label("document_id"),
                              Assignment.lead_body_id.label("lead_body_id"),
                              Assignment.controller_id.label("controller_id"),
                              dated.label("dated"), Assignment.status.label("status"),
                              Assignment.completed_on.label("completed_on"), last_deadline=True,
                              open_at_first=self.filters.only_overdue).cte("year_rows").prefix_with("MATERIALIZED")
            rows = self._of_year(year, count).cte("snapshot").prefix_with("MATERIALIZED")
        else:
            rows = self.query.cte("snapshot").prefix_with("MATERIALIZED")
        r, names = rows.c, list(FIGURES)
        width = 1 + len(names)  # the totals' numbers: documents, then every figure

        def part(kind: str, key, day, *numbers):
            return select(literal(kind).label("kind"), key, day,
                          *numbers, *(cast(null(), Integer) for _ in range(width - len(numbers))))

        no_key, no_day = cast(null(), Integer), cast(null(), Date)
        opened, late = func.sum(case((r.state == "open", 1), else_=0)), func.sum(r.overdue)
        shared = select(assignment_coexecutor.c.assignment_id)
        several = rows.alias("several")
        pairs = select(several.c.id.label("assignment_id"), several.c.lead_body_id.label("body_id")).where(
            several.c.lead_body_id.is_not(None), several.c.id.in_(shared)).union(
            select(assignment_coexecutor.c.assignment_id, assignment_coexecutor.c.body_id)
            .where(assignment_coexecutor.c.assignment_id.in_(select(several.c.id)))).subquery("pairs")
        # each pair's body and every body above it, climbed from the pairs by the parents' keys (UNION: each once),
        # not joined to a closure of every body of the organisation (14,899 pairs at 5,000 bodies, 7 ms to build
        # alone on SQLite; it planned building it even for a department none of whose rows has co-executors)
        reached = select(pairs.c.assignment_id, pairs.c.body_id).cte("reached", recursive=True)
        reached = reached.union(select(reached.c.assignment_id, Body.parent_id)
                                .join(Body, Body.id == reached.c.body_id).where(Body.parent_id.is_not(None)))
        top = (select(r.document_id, opened, late).group_by(r.document_id).having(opened > 0)
               .order_by(late.desc(), opened.desc(), r.document_id).limit(documents).subquery("top_documents"))
        picked = [select(r.id, r.deadline).where(self.condition(figure, rows))
                  .order_by(r.deadline.is_(None), r.deadline, r.id).limit(limit).subquery(f"list_{index}")
                  for index, figure in enumerate(lists)]
        trend = []
        if year is not None:  # the trend's rows: those not closed at its first day
            keys = [year.c[name] for name in TREND_KEYS]
            trend.append(part("trend", no_key, no_day, *keys, func.count())
                         .where(year.c.closed_from > 0).group_by(*keys))
        return union_all(
            part("totals", no_key, no_day, func.count(distinct(r.document_id)),
                 *(func.coalesce(func.sum(case((self.condition(name, rows), 1), else_=0)), 0) for name in names)),
            part("lead", r.lead_body_id, no_day, opened, late)
            .where(r.lead_body_id.is_not(None), r.id.not_in(shared)).group_by(r.lead_body_id),
            part("reached", reached.c.body_id, no_day, opened, late).select_from(reached)
            .join(rows, r.id == reached.c.assignment_id).group_by(reached.c.body_id),
            part("controller", r.controller_id, no_day, opened, late).group_by(r.controller_id).having(opened > 0),
            part("document", top.c.document_id, no_day, *list(top.c)[1:]),
            *(part(f"list {figure}", sub.c.id, sub.c.deadline) for figure, sub in zip(lists, picked, strict=True)),
            *trend)

    def _of_year(self, year, count: int):
        """The snapshot (`query`'s columns and rows) taken from the year's rows (`_year_rows`) whose last day is the
        snapshot's: in force at it (its document and itself), done or cancelled by it (closed), with its deadline
        then."""
        y, day = year.c, self.bound("snapshot_day")
        deadline = y.last_deadline
        closed = y.closed_from < count  # the first day closed is the last or before it
        state = case((and_(closed, y.status == AssignmentStatus.done), literal("done")),
                     (closed, literal("cancelled")), else_=literal("open"))
        # `dated > 0`, not `= 1`: PostgreSQL takes an equality on a CTE's column to keep 0.5% of its rows, and with
        # the snapshot's other conditions estimated it at one row, joining the co-executors row by row
        overdue = and_(~closed, deadline < day)
        if not self.filters.only_overdue:  # otherwise every row of the year is dated
            overdue = and_(overdue, y.dated > 0)
        query = (select(y.id.label("id"), y.document_id.label("document_id"), y.lead_body_id.label("lead_body_id"),
                        y.controller_id.label("controller_id"), deadline.label("deadline"), state.label("state"),
                        case((overdue, 1), else_=0).label("overdue"), y.dated.label("dated"),
                        y.completed_on.label("completed_on"))
                 .where(y.document_from < count))  # NULL: a document the filters leave out (given: every row)
        if self.filters.only_overdue:
            query = query.where(overdue)
        return query


@dataclass
class Counted:
    """What `Snapshot.counted` read: the totals, the groups (key, open, overdue) and the lists' (id, deadline)."""

    totals: dict[str, int] = field(default_factory=dict)
    lead: list[tuple[int, int, int]] = field(default_factory=list)  # assignments of one body, by that body
    reached: list[tuple[int, int, int]] = field(default_factory=list)  # assignments of several, by each body reached
    controller: list[tuple[int | None, int, int]] = field(default_factory=list)
    document: list[tuple[int, int, int]] = field(default_factory=list)
    lists: dict[str, list[tuple[int, date | None]]] = field(default_factory=dict)
    trend: list[tuple] = field(default_factory=list)  # the trend's rows by TREND_KEYS, with their number


@dataclass(frozen=True)
class ShownBody:
    """A body as the overview shows it and climbs by: plain values, which a kept overview can hold (not a model
    instance, whose session ends with its request)."""

    id: int
    display_name: str
    parent_id: int | None


@dataclass(frozen=True)
class ShownDocument:
    """A document as the overview's tables and lists name it."""

    id: int
    label: str
    title: str

    @classmethod
    def of(cls, document: Document) -> ShownDocument:
        return cls(document.id, document.label, document.title)


@dataclass(frozen=True)
class Listed:
    """An assignment of one of the dashboard's lists: what the list shows of it (`_listed`)."""

    id: int
    action: str
    document_id: int
    document: ShownDocument
    point_number: str | None
    lead_body_name: str | None  # its display name; None without a lead body
    completed_on: date | None


@dataclass
class Overview:
    filters: Filters
    totals: dict[str, int] = field(default_factory=dict)
    by_body: list[tuple[ShownBody, int, int]] = field(default_factory=list)  # body, open, overdue (with sub-bodies)
    by_document: list[tuple[ShownDocument, int, int]] = field(default_factory=list)
    by_controller: list[tuple[int, str, int, int]] = field(default_factory=list)
    controller_counts: list[tuple[int | None, int, int]] = field(default_factory=list)  # by_controller's, unnamed
    buckets: list[tuple[str, str, int]] = field(default_factory=list)  # title, figure, count
    trend: list[tuple[date, int, int]] = field(default_factory=list)  # month's end (or the day), open, overdue
    overdue_rows: list[tuple[Listed, date, int]] = field(default_factory=list)  # with deadline, days overdue
    due_30: list[tuple[Listed, date]] = field(default_factory=list)
    done_late: list[tuple[Listed, date]] = field(default_factory=list)
    counted_at: datetime | None = None  # when its count began (the service's clock)
    count_ms: float = 0.0  # how long the count took
    recounting: bool = False  # an older count shown while a new one runs: changes since `counted_at` are not in it
    reloads: bool = False  # and the page reloads itself when it is kept (asked for, or the shown one is old)
    waiting: bool = False  # no figures: their first count runs in the background, the page reloads itself after

    @property
    def as_of(self) -> date:
        return self.filters.as_of

    @cached_property
    def body_level(self) -> tuple[Body | ShownBody | None, list[tuple[ShownBody, int, int]]]:
        """«По ответственным органам», one level of the tree at a time: the bodies right under the filter's body
        — with no body filter, the top ones, or, when one body tops all of them, those right under it — each with
        its sub-bodies' figures, in natural order by name; a row opens that body's dashboard, a level down. The
        filter's body alone when nothing is under it. At 1,000,000 assignments the table listed every one of the
        5,000 bodies, 1.7 MB of the page. Returns (the body whose level it is, or None for the top; the rows)."""
        rows, ids = self.by_body, {body.id for body, _, _ in self.by_body}
        parent = self.filters.body
        if parent is None:
            tops = [row for row in rows if row[0].parent_id not in ids]
            if len(tops) != 1:
                return None, sorted(tops, key=_by_name)
            parent = tops[0][0]
        below = [row for row in rows if row[0].parent_id == parent.id]
        return parent, sorted(below or [row for row in rows if row[0].id == parent.id], key=_by_name)


def _by_name(row: tuple[ShownBody, int, int]) -> tuple:
    return natural_key(row[0].display_name), row[0].id


def month_ends(day: date, months: int = TREND_MONTHS) -> list[date]:
    """The last days of the months before `day`'s and `day` itself, oldest first."""
    ends, cursor = [day], day.replace(day=1) - timedelta(days=1)
    while len(ends) < months:
        ends.append(cursor)
        cursor = cursor.replace(day=1) - timedelta(days=1)
    return ends[::-1]


#: Statements kept per filters (`Filters.key`), the day's values bound at each execution: building them was most
#: of the overview's CPU in Python (a department's trend 10 of its 16 ms at 1,000,000 assignments, its figures
#: statement 8 of 12). A few of each kept, the oldest dropped first: each is a few thousand objects, which the
#: garbage collector's full passes walk.
_TREND_STATEMENTS: dict[tuple, object] = {}
_COUNTED_STATEMENTS: dict[tuple, object] = {}
KEPT = 16


_KEEPING = Lock()  # a threaded server's requests may build and drop at once


def _kept(store: dict, key: tuple, build):
    """The statement kept in `store` under `key`, built first when there is none."""
    kept = store.get(key)
    if kept is None:
        kept = build()
        with _KEEPING:
            while len(store) >= KEPT:
                store.pop(next(iter(store)))
            store[key] = kept
    return kept


def trend(filters: Filters) -> list[tuple[date, int, int]]:
    """Open and overdue at the end of each of the last months. A row's state changes once each way over the year:
    it comes into force (its document and itself), it closes (done or cancelled), it falls overdue (its deadline
    passes) — except when its deadline moved after the first day. So each row is read once and counted by the
    first month's end of each of those, the moved ones (few) by which days they were overdue at
    (`_year_rows`); the counts are added up here (`_trend_counts`). The statement is built once per filter, the
    days and their ends bound. A narrow dashboard counts its trend in the figures' statement instead
    (`Snapshot.counted`)."""
    days = month_ends(filters.as_of)
    statement = _kept(_TREND_STATEMENTS, (db.engine.dialect.name, len(days), filters.key),
                      lambda: _build_trend(filters, len(days)))
    return _trend_counts(filters, days, db.session.execute(statement, trend_values(days)))


def trend_values(days: list[date]) -> dict[str, date | datetime]:
    """The trend's bound days (`trend_day_i`) and their ends (`trend_end_i`)."""
    return {**{f"trend_day_{i}": day for i, day in enumerate(days)},
            **{f"trend_end_{i}": day_end(day) for i, day in enumerate(days)}}


#: What the trend counts rows by (`_year_rows`' columns), in the order `_trend_counts` reads them.
TREND_KEYS = ("document_from", "given_from", "closed_from", "moved", "overdue_key")


def _build_trend(filters: Filters, count: int):
    each = _year_rows(filters, count).subquery("year_rows")
    keys = [each.c[name] for name in TREND_KEYS]
    return select(*keys, func.count()).group_by(*keys)


def _year_rows(filters: Filters, count: int, *columns, open_at_first: bool = True, last_deadline: bool = False):
    """The filtered rows that can count in a year of `count` days (bound: `trend_values`), each with the first days
    of its states (`_first_days`: `document_from`, `given_from`, `closed_from`), whether its deadline moved after
    the first day (`moved`, 1 or 0), and `overdue_key`: for a row whose deadline did not move, the first day it is
    overdue at; for one whose did, the days it was overdue at as the bits of a number (bit i: overdue at day i if
    open then; the deadline of each day looked up per row, an approved extension decided after the day had not
    moved it yet) — one read of the rows for both (a department's trend read them twice, and the moved rows were
    found among all extensions decided since the first day, each looked up). `columns`: more of them;
    `last_deadline`: and the deadline in force at the last day (`last_deadline`; looked up for the moved rows only).
    `open_at_first`: only rows not yet closed at the first day (the trend's; a snapshot of the last day needs the
    others too). Only dated rows when the filters keep only overdue ones."""
    days = [bindparam(f"trend_day_{i}", type_=Date) for i in range(count)]
    ends = [bindparam(f"trend_end_{i}", type_=DateTime(timezone=True)) for i in range(count)]
    moved = approved_after(ends[0]).distinct().subquery("moved")
    # The last cancellation after the first day: cancelled at a day unless one came after it (Snapshot's NOT IN).
    cancels = (cancelled_after(ends[0], Event.object_id.label("assignment_id"), func.max(Event.at).label("at"))
               .group_by(Event.object_id).subquery("cancels"))
    own, series = aliased(cancels, name="own_cancel"), aliased(cancels, name="series_cancel")
    firsts = _first_days(filters, days, ends, (own.c.at, series.c.at))
    dated = Assignment.deadline_kind.in_(list(DATED_KINDS))
    late_at, deadline_at = [], []
    for index, (day, end) in enumerate(zip(days, ends, strict=True)):
        first_later = deadline_before(end)
        deadline_at.append(func.coalesce(first_later, Assignment.deadline))
        late_at.append(case((and_(dated, deadline_at[-1] < day), 1 << index), else_=0))
    is_moved = moved.c.assignment_id.is_not(None)
    if last_deadline:  # an extension decided after the last day was decided after the first
        columns = (*columns, case((is_moved, deadline_at[-1]), else_=Assignment.deadline).label("last_deadline"))
    query = (select(*(firsts[name].label(name) for name in TREND_KEYS[:3]),
                    case((is_moved, 1), else_=0).label("moved"),
                    case((is_moved, sum(late_at[1:], late_at[0])), else_=firsts["overdue_from"]).label("overdue_key"),
                    *columns)
             .select_from(Assignment).outerjoin(moved, moved.c.assignment_id == Assignment.id)
             .outerjoin(own, own.c.assignment_id == Assignment.id)
             .outerjoin(series, series.c.assignment_id == Assignment.series_id)
             .where(Assignment.status != AssignmentStatus.draft, ~Assignment.is_series,
                    or_(Assignment.point_id.is_not(None), Assignment.created_at < ends[-1])))
    narrowed = _open_at(filters, days[0]) if open_at_first else None
    if narrowed is not None:  # the body's condition, as index ranges of the rows that can be open at the first day
        query = query.where(narrowed, *assignment_conditions(filters, body=False))
    else:
        query = query.where(*assignment_conditions(filters))
    if open_at_first:  # the first day's done and cancelled, as Snapshot writes them
        query = query.where(
            ~and_(Assignment.status == AssignmentStatus.done,
                  func.coalesce(Assignment.completed_on, date.min) <= days[0]),
            ~and_(Assignment.status == AssignmentStatus.cancelled, or_(own.c.at.is_(None), own.c.at < ends[0]),
                  or_(series.c.at.is_(None), series.c.at < ends[0])))
    if filters.only_overdue:  # the snapshot holds only overdue rows: only dated ones can be
        query = query.where(dated)
    return query


def _first_days(filters: Filters, days: list, ends: list, cancelled_at) -> dict[str, case]:
    """Each row's states that hold from some day on, as the index of the first of `days` at which each holds
    (len(days): none): its document in force (NULL when the filters do not keep its document), itself given,
    closed (done or cancelled). Each written as Snapshot writes it, its conditions that do not change with the day
    asked once (CASE WHEN status = 'done' THEN <the first day on or after its acceptance> …; the document's
    registration, else its meeting, else its entry; the later of its own and its series' cancellation), the day's
    part a comparison of one column with each day — not twelve copies of done(day), cancelled(day) and
    published_by(day) (building the intervals' statement of a department: 10.5 -> 6.9 ms CPU on PostgreSQL).

    The document's first day in force is a correlated look-up by primary key rather than a join: a department's
    few thousand rows joined to their documents made PostgreSQL hash every document of the organisation."""
    never = len(days)

    def first(holds) -> case:
        """The index of the first day at which `holds(index)`, a condition that holds from some day on."""
        return case(*((holds(index), index) for index in range(never)), else_=never)

    def on_or_before(value) -> case:
        return first(lambda i: value <= days[i])

    registered = func.coalesce(Document.reg_date, Document.event_date)  # published_by: registration, else meeting
    document_from = (select(case((Document.state != PUBLISHED, never),
                                 (registered.is_not(None), on_or_before(registered)),
                                 else_=first(lambda i: Document.created_at < ends[i])))
                     .where(Document.id == Assignment.document_id, *document_conditions(filters))
                     .scalar_subquery())
    given_from = case((Assignment.point_id.is_not(None), 0),
                      else_=first(lambda i: Assignment.created_at < ends[i]))
    # cancelled at a day: cancelled, and neither it nor its series cancelled (again) at or after the day's end
    own_at, series_at = cancelled_at
    last_cancel = case((own_at.is_(None), series_at), (series_at.is_(None), own_at), (own_at > series_at, own_at),
                       else_=series_at)
    closed_from = case(
        (Assignment.status == AssignmentStatus.done, on_or_before(func.coalesce(Assignment.completed_on, date.min))),
        (Assignment.status == AssignmentStatus.cancelled,
         case((and_(own_at.is_(None), series_at.is_(None)), 0), else_=first(lambda i: last_cancel < ends[i]))),
        else_=never)
    dated = Assignment.deadline_kind.in_(list(DATED_KINDS))
    overdue_from = case((dated, first(lambda i: Assignment.deadline < days[i])), else_=never)
    return {"document_from": document_from, "given_from": given_from, "closed_from": closed_from,
            "overdue_from": overdue_from}


def _open_at(filters: Filters, first_day):
    """A narrow body filter's rows that can be open at `first_day`, as index ranges that replace the body's
    condition (they imply it, and it implies them with the exact conditions): its bodies' open or cancelled ones,
    those of its bodies accepted after the day, and the co-executed ones — not each of its bodies' assignments,
    most of them done long before (a department at 1M: 10,102 rows read for 1,974). Each arm carries the lead
    bodies: an OR is read by one index per arm, and SQLite took a status arm alone through an index of every body's
    assignments. An index (lead_body_id, status, completed_on) serves both arms on both engines; with
    (lead_body_id, status, deadline) alone the «accepted after» arm still reads each done row, as before."""
    if filters.body is None or not filters.narrow or filters.coexecuting is None:
        return None
    lead = Assignment.lead_body_id.in_(filters.body_ids)
    arms = [and_(lead, Assignment.status.in_([*OPEN_STATUSES, AssignmentStatus.cancelled])),
            and_(lead, Assignment.status == AssignmentStatus.done, Assignment.completed_on > first_day)]
    if filters.coexecuting:
        arms.append(Assignment.id.in_(filters.coexecuting))
    return or_(*arms)


def _trend_counts(filters: Filters, days: list[date], counted) -> list[tuple[date, int, int]]:
    """Open and overdue at each of `days` from the rows counted by `TREND_KEYS` (`counted`: the statement's rows,
    each with its number). Each row's states are monotone over the days but for a moved deadline — in force from
    a day on (its document, and itself when added later), closed from a day on, overdue from a day on — so a row is
    open at day i when in force ≤ i < closed, overdue when also overdue-from ≤ i (or, moved, bit i of its key)."""
    count = len(days)
    opened, late = [0] * count, [0] * count
    for document_day, given_day, closed_day, moved, key, number in counted:
        if document_day is None:  # its document is not one the filters keep
            continue
        for index in range(max(document_day, given_day), closed_day):
            opened[index] += number
            if (key >> index) & 1 if moved else index >= key:
                late[index] += number
    if filters.only_overdue:  # the snapshot holds only overdue rows
        opened = list(late)
    return [(day, opened[index], late[index]) for index, day in enumerate(days)]


def overview(filters: Filters, exact: bool = False, controllers: int | None = CONTROLLERS_SHOWN,
             looked: bool = True, asked: bool = False) -> Overview:
    """The overview, kept under the data's version (services/versions.py): the same filters on the same day give
    the same figures until a change to what they are counted from commits. Kept in each process, and on
    PostgreSQL in the database too (`kept_overview`), so that the other workers and hosts read it instead of
    counting it again (`_Keeping`).

    After a change, figures that were slow to count (the whole organisation's read every assignment in force:
    1.4-3.6 s at 1,000,000) are not counted again on the page: the newest counted, if it is recent, is shown with
    the time it was counted (`recounting`), and a new count runs in the background (`_recount_later`) — in a
    busy installation some assignment is accepted every few seconds, and each look at the whole organisation
    would otherwise count everything again, seconds of a worker each. When the newest count began more than
    DASHBOARD_RECENT_SECONDS ago, or the user asked for a count (`asked`: the page's «Пересчитать сейчас»), a slow
    count is not waited for on the page either: it begins in the background at once (not spaced), and the page
    shows the newest with its time and reloads itself when the new count is kept (`reloads`, dashboard.js). The
    first count of some filters is not waited for either when it is expected to be slow (`_expected_slow`): the
    page says the figures are being counted (`waiting`) and reloads itself when they are kept. Only a quick count
    is counted on the page, and a first one that nothing tells is slow. `exact`: count now whatever was kept (the
    background count itself). `controllers`: how many rows of «По контролёрам» are named (None: all of them).
    `looked`: a page asks (noted for the worker's `keep_fresh`), not a count in the background.

    A narrow dashboard's statements run without parallel workers on PostgreSQL: starting them cost more than they
    saved on the few thousand rows of a department (one department at 1,000,000 assignments, the whole page's
    statements 200 -> 148 ms; each snapshot statement 25 -> 13 ms), while the whole organisation's scans gain from
    them (2.7 -> 2.4 s)."""
    keeping = _Keeping.of(filters)
    counted = keeping.kept()
    if counted is None and not exact and keeping.shows_late():
        newest = keeping.newest()
        if keeping.slow(newest):
            reloads = asked or keeping.old(newest)
            _recount_later(keeping, newest, spaced=not reloads)
            counted = replace(newest, recounting=True, reloads=reloads)
        elif looked and newest is None and _expected_slow(keeping, filters):
            _recount_later(keeping, None)
            keeping.look()
            return Overview(filters=filters, waiting=True)
    if counted is None:
        began, started = clock.now(), time_module.perf_counter()
        with without_parallel_workers(filters.narrow):
            counted = _overview(filters)
        counted.counted_at, counted.count_ms = began, (time_module.perf_counter() - started) * 1000
        keeping.keep(counted, looked_at=began if looked else None)
        if looked:
            keeping.look(written=True)
    elif looked:
        keeping.look()
    return replace(counted, filters=filters, by_controller=_by_controller(counted.controller_counts, controllers))


def _expected_slow(keeping: _Keeping, filters: Filters) -> bool:
    """Whether the first count of `filters` is expected to be slow: they are not narrow (most of the organisation's
    assignments are read, as for another day or a controller's or a kind of document's), and the newest count of
    today's whole organisation (only overdue or not, as these) was slow — or, when none is kept (its own first
    count, a process just started), the organisation holds more than DASHBOARD_SLOW_ASSIGNMENTS assignments (the
    highest id: one step down the primary key)."""
    if filters.narrow:
        return False
    whole = _Key.of(Filters(as_of=clock.today(), only_overdue=filters.only_overdue))
    newest = None if whole == keeping.key else _Keeping(keeping.url, keeping.version, whole, keeping.shared).newest()
    if newest is not None:
        return keeping.slow(newest)
    limit = current_app.config["DASHBOARD_SLOW_ASSIGNMENTS"]
    return (db.session.scalar(select(func.max(Assignment.id))) or 0) > limit


class _Key(NamedTuple):
    """A set of filters by the values that tell it from another (ids for the body and the document): what counts
    are kept under, in memory and (as `encoded`) in the kept payload."""

    as_of: date
    only_overdue: bool
    body_id: int | None
    controller_id: int | None
    document_id: int | None
    doc_type: str | None
    since: date | None
    until: date | None

    @classmethod
    def of(cls, filters: Filters) -> _Key:
        return cls(filters.as_of, filters.only_overdue, filters.body.id if filters.body is not None else None,
                   filters.controller_id, filters.document.id if filters.document is not None else None,
                   filters.doc_type, filters.since, filters.until)

    def filters(self) -> Filters:
        """The filters read again (a body or a document gone since: None there)."""
        return Filters(as_of=self.as_of, only_overdue=self.only_overdue, controller_id=self.controller_id,
                       doc_type=self.doc_type, since=self.since, until=self.until,
                       body=db.session.get(Body, self.body_id) if self.body_id is not None else None,
                       document=db.session.get(Document, self.document_id) if self.document_id is not None else None)

    def encoded(self) -> list:
        """As JSON holds it: the days as ISO strings."""
        return [_iso(value) if isinstance(value, date) else value for value in self]

    @classmethod
    def decoded(cls, values: list) -> _Key:
        key = cls(*values)
        return key._replace(as_of=_day(key.as_of), since=_day(key.since), until=_day(key.until))


@dataclass(frozen=True)
class _Keeping:
    """Where an overview of some filters is kept: in this process under (database, token, filters) — and the
    newest of them under (database, filters) whatever its token, for `newest` — and on PostgreSQL in
    `kept_overview` under a digest of the filters (one row each: the newest count and its token)."""

    url: str
    version: str | None  # None: nothing counted now may be kept (versions.current)
    key: _Key
    shared: bool

    @classmethod
    def of(cls, filters: Filters) -> _Keeping:
        version = versions.current()
        return cls(current_app.config["SQLALCHEMY_DATABASE_URI"], version, _Key.of(filters),
                   version is not None and versions.shared())

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(repr(tuple(self.key)).encode()).hexdigest()

    def filters(self) -> Filters:
        """The filters the key was made of, read again (in another session: the background count's)."""
        return self.key.filters()

    def kept(self) -> Overview | None:
        """The overview counted under the current token, if any."""
        if self.version is None:
            return None
        counted = _OVERVIEWS.get((self.url, self.version, *self.key))
        if counted is None and self.shared and (payload := versions.kept(self.digest, self.version)) is not None:
            counted = _decoded(payload)
            self._keep_here(counted)
        return counted

    def shows_late(self) -> bool:
        """Whether figures counted under an older token may be shown while these are counted in the background:
        not while DASHBOARD_RECENT_SECONDS is 0 (every look counts on the page), nor when nothing counted now may
        be kept."""
        return self.version is not None and current_app.config["DASHBOARD_RECENT_SECONDS"] > 0

    @staticmethod
    def slow(counted: Overview | None) -> bool:
        """Whether a count took at least DASHBOARD_SLOW_COUNT_MS."""
        return counted is not None and counted.counted_at is not None \
            and counted.count_ms >= current_app.config["DASHBOARD_SLOW_COUNT_MS"]

    @staticmethod
    def old(counted: Overview) -> bool:
        """Whether a count began more than DASHBOARD_RECENT_SECONDS ago."""
        recent = timedelta(seconds=current_app.config["DASHBOARD_RECENT_SECONDS"])
        return counted.counted_at is None or counted.counted_at < clock.now() - recent

    def newest(self) -> Overview | None:
        """The newest overview of these filters counted, whatever its token: this process's, or on PostgreSQL
        another's (read and decoded only when newer than this one's)."""
        newest = _LATEST.get((self.url, *self.key))
        if self.shared:
            there = versions.latest_at(self.digest)
            if there is not None and (newest is None or newest.counted_at is None or there > newest.counted_at) \
                    and (payload := versions.latest(self.digest)) is not None:
                newest = _decoded(payload)
                self._keep_latest(newest)
        return newest

    def keep(self, counted: Overview, looked_at: datetime | None = None) -> None:
        self._keep_here(counted)
        if self.shared:
            versions.keep(self.digest, self.version, _encoded(counted, self.key), counted.counted_at, looked_at)

    def look(self, written: bool = False) -> None:
        """Note that a page asks for these figures now: in this process, and on PostgreSQL for every host's
        worker (at most every versions.LOOK_NOTED from a process; `written`: by the count just kept)."""
        now, place = clock.now(), (self.url, *self.key)
        with _KEEPING:
            _put(_LOOKED, place, now)
            noted = _NOTED.get(place)
            note = self.shared and (written or noted is None or now - noted >= versions.LOOK_NOTED)
            if note:
                _put(_NOTED, place, now)
        if note and not written:
            versions.looked(self.digest, now)

    def _keep_here(self, counted: Overview) -> None:
        """Kept in this process under the current token, and as the newest of these filters."""
        with _KEEPING:
            if self.version is not None:
                _put(_OVERVIEWS, (self.url, self.version, *self.key), counted)
        self._keep_latest(counted)

    def _keep_latest(self, counted: Overview) -> None:
        """Kept in this process as the newest count of these filters, unless a count that began later is."""
        with _KEEPING:
            latest = _LATEST.get((self.url, *self.key))
            if latest is None or (counted.counted_at is not None and latest.counted_at is not None
                                  and counted.counted_at >= latest.counted_at):
                _put(_LATEST, (self.url, *self.key), counted)


def counted_after(filters: Filters, moment: datetime) -> bool:
    """Whether figures of `filters` counted after `moment` are kept (the page that showed a count of that moment
    asks, to offer the newer one). When not, and this process holds none counted under the current token, it
    counts them in the background itself (another worker than the page's may be asked: on SQLite it would
    otherwise never see that count)."""
    keeping = _Keeping.of(filters)
    newest = keeping.newest()
    if newest is not None and newest.counted_at is not None and newest.counted_at > moment:
        return True
    if keeping.kept() is None:
        _recount_later(keeping, newest)
    return False


#: The background counts running in this process, by their filters (`_recount_later`): one at a time for each.
_RECOUNTS: dict[tuple, Thread] = {}


def _recount_later(keeping: _Keeping, newest: Overview | None, spaced: bool = True) -> None:
    """Count the overview of `keeping`'s filters again in a thread of this process (which keeps it as a page's
    count is kept), unless one is counting it already here; on PostgreSQL, unless another process is (an advisory
    lock taken for the count's transaction). When `spaced`, not before DASHBOARD_RECOUNT_SPACING times the newest
    count's duration has passed since it began: however often the data changes, counting again takes at most a
    share of a core (2: half of one), and the figures shown lag by a few counts' time at most; a user's
    «Пересчитать сейчас» is not spaced (one count at a time still)."""
    spacing = current_app.config["DASHBOARD_RECOUNT_SPACING"] if spaced else 0
    if newest is not None and newest.counted_at is not None \
            and clock.now() < newest.counted_at + timedelta(milliseconds=spacing * newest.count_ms):
        return
    app = current_app._get_current_object()
    place = (keeping.url, *keeping.key)
    with _KEEPING:
        running = _RECOUNTS.get(place)
        if running is not None and running.is_alive():
            return
        for ended in [key for key, thread in _RECOUNTS.items() if not thread.is_alive()]:
            del _RECOUNTS[ended]
        thread = Thread(target=_recount, args=(app, keeping), name="docflow-dashboard-count", daemon=True)
        _RECOUNTS[place] = thread
    thread.start()


def _recount(app, keeping: _Keeping) -> None:
    with app.app_context():
        try:
            if db.engine.dialect.name == "postgresql" and not db.session.scalar(
                    select(func.pg_try_advisory_xact_lock(int(keeping.digest[:15], 16)))):
                return  # another process counts it
            with without_parallel_workers():  # a core left to the pages (at 1M on PostgreSQL: 2.4 -> 2.7 s)
                overview(keeping.filters(), exact=True, looked=False)
        except Exception:  # noqa: BLE001 - a background count that fails leaves the page to count
            log.exception("the dashboard's background count failed")
        finally:
            db.session.remove()


#: Sets of filters the worker counts again in one run of `keep_fresh` (each a count of the whole organisation at
#: most: 1.4-3.6 s at 1,000,000), the most recently looked at first.
KEEP_FRESH_LIMIT = 4


def keep_fresh(limit: int = KEEP_FRESH_LIMIT) -> int:
    """The worker's routine, every minute: today's overviews that were slow to count (DASHBOARD_SLOW_COUNT_MS) and
    that a page asked for in the last DASHBOARD_KEEP_FRESH_SECONDS, counted again when what they are counted from
    has changed since their newest count. A look then finds figures of a minute or two ago (and counts them again
    in the background) or current ones, instead of a count of long ago. And once a day, the first runs after
    midnight: today's figures of the filters whose figures of yesterday a page asked for yesterday (the dashboard
    opens on today's date), when those were slow — so the morning's first look shows the night's count while it is
    counted again, rather than counting for seconds on the page with nothing to show meanwhile. The looks are
    this process's (SQLite's `docflow serve` runs the worker as a thread of the server) and, on PostgreSQL, every
    host's (`kept_overview`); on PostgreSQL a set another process is counting is left to it. How many were
    counted."""
    config = current_app.config
    window = config["DASHBOARD_KEEP_FRESH_SECONDS"]
    token = versions.current()
    if window <= 0 or token is None:
        return 0
    url, shared, today = config["SQLALCHEMY_DATABASE_URI"], versions.shared(), clock.today()
    since, yesterday = clock.now() - timedelta(seconds=window), today - timedelta(days=1)
    keys = {key: key for key in _looked(url, shared, since, 4 * limit, token)}  # what to count: whose newest
    for key in _looked(url, shared, day_end(yesterday - timedelta(days=1)), 4 * limit):
        if key.as_of == yesterday:
            keys.setdefault(key._replace(as_of=today), key)
    app, counted = current_app._get_current_object(), 0
    for key, timed in keys.items():
        if counted >= limit:
            break
        keeping = _Keeping(url, token, key, shared)
        if key.as_of != today or keeping.kept() is not None or _Key.of(key.filters()) != key:
            continue  # another day's figures; counted since the change; or a body or document gone since
        newest = keeping.newest()
        if timed != key:  # yesterday's, as today's: once a day (after that, only if looked at)
            newest = None if newest is not None else _Keeping(url, token, timed, shared).newest()
        if not keeping.slow(newest):
            continue  # quick: a look counts it on the page
        _recount(app, keeping)
        counted += 1
    return counted


def _looked(url: str, shared: bool, since: datetime, limit: int, token: str | None = None) -> list[_Key]:
    """The sets of filters a page asked for at `since` or later, the most recently asked first: in this process,
    and on PostgreSQL on every host (at most `limit` of them, counted under another token than `token` if given)."""
    with _KEEPING:
        looked = sorted(_LOOKED.items(), key=lambda item: item[1], reverse=True)
    keys = dict.fromkeys(_Key(*place[1:]) for place, moment in looked if place[0] == url and moment >= since)
    if shared:
        keys.update(dict.fromkeys(key for payload in versions.looked_since(since, limit, token)
                                  if (key := _key_of(payload)) is not None and key not in keys))
    return list(keys)


def join_recounts(timeout: float = 60.0) -> None:
    """Wait for this process's background counts to end (the tests, the bench)."""
    for thread in list(_RECOUNTS.values()):
        thread.join(timeout)


def _encoded(data: Overview, key: _Key) -> str:
    """An overview's figures as JSON (versions.keep): plain values, dates and times as ISO strings; the key of its
    filters (`_Keeping.key`, which the worker's `keep_fresh` counts again), not the filters themselves (each
    page's own) nor the controllers' names (read for each page)."""
    day = _iso

    def listed(row: Listed) -> list:
        return [row.id, row.action, row.document_id, [*astuple(row.document)], row.point_number,
                row.lead_body_name, day(row.completed_on)]

    return json.dumps({
        "totals": data.totals, "by_body": [[*astuple(body), *counts] for body, *counts in data.by_body],
        "by_document": [[*astuple(document), *counts] for document, *counts in data.by_document],
        "controller_counts": data.controller_counts, "buckets": data.buckets,
        "trend": [[day(end), *counts] for end, *counts in data.trend],
        "overdue_rows": [[listed(row), day(deadline), days] for row, deadline, days in data.overdue_rows],
        "due_30": [[listed(row), day(deadline)] for row, deadline in data.due_30],
        "done_late": [[listed(row), day(deadline)] for row, deadline in data.done_late],
        "counted_at": data.counted_at.isoformat() if data.counted_at is not None else None,
        "count_ms": data.count_ms,
        "key": key.encoded(),
    }, ensure_ascii=False)


def _key_of(payload: str) -> _Key | None:
    """The key of the filters `_encoded` wrote beside the figures (None: a count kept before it was written)."""
    key = json.loads(payload).get("key")
    return None if key is None else _Key.decoded(key)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _decoded(payload: str) -> Overview:
    """The overview `_encoded` wrote, without filters (the page sets its own)."""
    data = json.loads(payload)
    day = _day

    def listed(row: list) -> Listed:
        return Listed(row[0], row[1], row[2], ShownDocument(*row[3]), row[4], row[5], day(row[6]))

    return Overview(
        filters=None, totals=data["totals"],
        by_body=[(ShownBody(*row[:3]), *row[3:]) for row in data["by_body"]],
        by_document=[(ShownDocument(*row[:3]), *row[3:]) for row in data["by_document"]],
        controller_counts=[tuple(row) for row in data["controller_counts"]],
        buckets=[tuple(row) for row in data["buckets"]],
        trend=[(day(end), *counts) for end, *counts in data["trend"]],
        overdue_rows=[(listed(row), day(deadline), days) for row, deadline, days in data["overdue_rows"]],
        due_30=[(listed(row), day(deadline)) for row, deadline in data["due_30"]],
        done_late=[(listed(row), day(deadline)) for row, deadline in data["done_late"]],
        counted_at=datetime.fromisoformat(data["counted_at"]) if data.get("counted_at") else None,
        count_ms=data.get("count_ms", 0.0))


#: Overviews counted, kept under the data's version and their filters (`overview`); a few, the oldest dropped first.
_OVERVIEWS: dict[tuple, Overview] = {}
#: The newest overview counted of each set of filters, whatever the version (`_Keeping.recent`).
_LATEST: dict[tuple, Overview] = {}
#: When a page of this process last asked for each set of filters (`_Keeping.look`), and when that was last noted
#: in the database.
_LOOKED: dict[tuple, datetime] = {}
_NOTED: dict[tuple, datetime] = {}


def _put(store: dict, key: tuple, value) -> None:
    """`value` under `key` as the newest entry of one of the stores above, the oldest dropped while KEPT are there
    (called under _KEEPING)."""
    store.pop(key, None)
    while len(store) >= KEPT:
        store.pop(next(iter(store)))
    store[key] = value


def _overview(filters: Filters) -> Overview:
    # only overdue: the snapshot holds open rows past their deadline, none due in 30 days nor done late
    lists = LISTS[:1] if filters.only_overdue else LISTS
    # a narrow dashboard's rows read once for the figures and the trend; the whole organisation's by two
    # statements, each a scan of its own (materialising every row in force with its first days and its document's
    # look-up was not measured at 1,000,000 and is kept out of the broad path)
    days = month_ends(filters.as_of) if filters.narrow else None
    counted = Snapshot(filters).counted(lists, trend_days=days)
    result = Overview(filters=filters, totals=counted.totals, by_body=_by_body(counted.lead, counted.reached),
                      by_document=_by_document(counted.document), controller_counts=counted.controller)
    result.buckets = [(title, f"age_{index}", result.totals[f"age_{index}"])
                      for index, (title, _, _) in enumerate(BUCKETS)]
    # the longest overdue first, as each list was picked
    picked = {figure: sorted(counted.lists.get(figure, []),
                             key=lambda row: (row[1] is None, row[1] or date.min, row[0]))
              for figure in LISTS}
    listed = _listed({assignment_id for rows in picked.values() for assignment_id, _ in rows})
    result.overdue_rows = [(listed[i], deadline, (filters.as_of - deadline).days) for i, deadline in picked["overdue"]]
    result.due_30 = [(listed[i], deadline) for i, deadline in picked["due_30"]]
    result.done_late = [(listed[i], deadline) for i, deadline in picked["done_late"]]
    result.trend = _trend_counts(filters, days, counted.trend) if days else trend(filters)
    return result


#: The columns of a document its label (and title) need: the lists and «По документам» load no more of it.
LABEL_COLUMNS = load_only(Document.doc_type, Document.number, Document.reg_date, Document.event_date, Document.title)


def _by_body(lead: list, reached: list) -> list[tuple[ShownBody, int, int]]:
    """Assignments of one body added up the tree, those of several as their closure reached each body. The bodies
    counted and those above them are read (one recursive statement), not every body of the organisation; as plain
    rows (5,000 model instances were 100 ms of the whole organisation's page)."""
    counted = {key for key, _, _ in lead} | {key for key, _, _ in reached}
    if not counted:
        return []
    query = select(Body.id, Body.display_name, Body.parent_id)
    if len(counted) <= SERIAL_BODIES:  # past it, most of the organisation: every body (no list of ids to send)
        up = select(Body.id.label("id")).where(Body.id.in_(counted)).cte("counted_bodies", recursive=True)
        up = up.union(select(Body.parent_id).join(up, Body.id == up.c.id).where(Body.parent_id.is_not(None)))
        query = query.where(Body.id.in_(select(up.c.id)))
    bodies = {row[0]: ShownBody(*row) for row in db.session.execute(query)}
    own: dict[int, list[int]] = {}
    for body_id, open_count, late_count in lead:
        counts = own.setdefault(body_id, [0, 0])
        counts[0] += open_count
        counts[1] += late_count
    totals = _rolled_up(own, {body_id: body.parent_id for body_id, body in bodies.items()})
    for body_id, open_count, late_count in reached:
        counts = totals.setdefault(body_id, [0, 0])
        counts[0] += open_count
        counts[1] += late_count
    shown = [(bodies[body_id], *counts) for body_id, counts in totals.items() if counts[0] and body_id in bodies]
    return sorted(shown, key=lambda item: (item[0].display_name, item[0].id))  # namesakes: in a fixed order


def _rolled_up(own: dict[int, list[int]], parent_of: dict[int, int | None]) -> dict[int, list[int]]:
    """Each body's counts with those of the bodies under it: every body's total handed to its parent once, the
    deepest first (climbing the tree from each of 5,000 bodies was half of the whole organisation's count's Python
    time). A cycle in bad data (the service refuses to make one): climbed from each body as before, each body of
    the cycle counted once for each, nothing looping."""
    depth: dict[int, int] = {}
    for start in set(own) | set(parent_of):
        chain, body = [], start
        while body is not None and body not in depth and body not in chain:
            chain.append(body)
            body = parent_of.get(body)
        if body is not None and body in chain:
            return _climbed(own, parent_of)
        level = depth[body] if body is not None else -1
        for member in reversed(chain):
            level += 1
            depth[member] = level
    totals = {body_id: list(counts) for body_id, counts in own.items()}
    for body_id in sorted(depth, key=depth.__getitem__, reverse=True):
        counts, parent = totals.get(body_id), parent_of.get(body_id)
        if counts and parent is not None:
            above = totals.setdefault(parent, [0, 0])
            above[0] += counts[0]
            above[1] += counts[1]
    return totals


def _climbed(own: dict[int, list[int]], parent_of: dict[int, int | None]) -> dict[int, list[int]]:
    """`_rolled_up` climbing from each body to the top, stopping where a cycle closes."""
    totals: dict[int, list[int]] = {}
    for body_id, (open_count, late_count) in own.items():
        seen: set[int] = set()
        while body_id is not None and body_id not in seen:
            seen.add(body_id)
            counts = totals.setdefault(body_id, [0, 0])
            counts[0] += open_count
            counts[1] += late_count
            body_id = parent_of.get(body_id)
    return totals


def _by_document(counts: list) -> list[tuple[ShownDocument, int, int]]:
    """Most overdue first, then most open."""
    documents = {d.id: ShownDocument.of(d) for d in db.session.scalars(
        select(Document).options(LABEL_COLUMNS).where(Document.id.in_([c[0] for c in counts])))} if counts else {}
    return [(documents[i], o, lt) for i, o, lt in sorted(counts, key=lambda c: (-c[2], -c[1], c[0]))]


def _by_controller(counts: list, shown: int | None = None) -> list[tuple[int, str, int, int]]:
    """(controller filter value, name, open, overdue), most overdue first, then by name: the first `shown` (None:
    all). Only the names that may be among them are looked up: of those with as many overdue as the `shown`-th
    or more (names order the ties)."""
    if shown and len(counts) > shown:
        least = sorted((late for _, _, late in counts), reverse=True)[shown - 1]
        counts = [c for c in counts if c[2] >= least]
    ids = [c[0] for c in counts if c[0] is not None]
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}
    rows = [(i or NO_CONTROLLER, names.get(i, "не назначен"), o, lt) for i, o, lt in counts]
    return sorted(rows, key=lambda item: (-item[3], item[1]))[:shown]


def _listed(ids: set[int]) -> dict[int, Listed]:
    """The lists' assignments by id, with what the lists show of them, in one statement (not each as a model
    with its point, bodies, controller and document loaded beside it: five statements more, and their objects).
    The lead body's name is looked up by key per row: joined, PostgreSQL hashed all 5,000 bodies for 100 rows."""
    if not ids:
        return {}
    lead_body_name = select(Body.display_name).where(Body.id == Assignment.lead_body_id).scalar_subquery()
    query = (select(Assignment.id, Assignment.action, Assignment.document_id, Document, Point.number,
                    lead_body_name, Assignment.completed_on)
             .join(Document, Document.id == Assignment.document_id)
             .outerjoin(Point, Point.id == Assignment.point_id)
             .options(LABEL_COLUMNS).where(Assignment.id.in_(ids)))
    return {row[0]: Listed(*row[:3], ShownDocument.of(row[3]), *row[4:]) for row in db.session.execute(query)}
