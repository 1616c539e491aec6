"""The auditors' overview of assignment control: totals, breakdowns, aging, what falls due soon."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, Document
from webapp.models.assignment import OPEN_STATUSES
from webapp.services.assignments import DATED_KINDS, OverdueRow, days_overdue, is_overdue

BUCKETS = [("1–7", 1, 7), ("8–30", 8, 30), ("31–90", 31, 90), ("более 90", 91, None)]


@dataclass
class Filters:
    body: Body | None = None
    doc_type: str | None = None
    since: date | None = None  # document date from
    until: date | None = None  # document date to
    status: str | None = None


@dataclass
class Overview:
    as_of: date
    assignments: list[Assignment]
    totals: dict[str, int] = field(default_factory=dict)
    by_body: list[tuple[Body, int, int]] = field(default_factory=list)  # body, open, overdue (with sub-bodies)
    by_document: list[tuple[Document, int, int]] = field(default_factory=list)
    by_controller: list[tuple[str, int, int]] = field(default_factory=list)
    buckets: list[tuple[str, int]] = field(default_factory=list)
    due_7: list[Assignment] = field(default_factory=list)
    due_30: list[Assignment] = field(default_factory=list)
    done_late: list[Assignment] = field(default_factory=list)
    overdue_rows: list[OverdueRow] = field(default_factory=list)


def select_assignments(filters: Filters) -> list[Assignment]:
    query = (select(Assignment).join(Document).where(Assignment.status != AssignmentStatus.draft)
             .options(selectinload(Assignment.point), selectinload(Assignment.lead_body),
                      selectinload(Assignment.coexecutors), selectinload(Assignment.controller),
                      selectinload(Assignment.document))
             .order_by(Assignment.deadline.is_(None), Assignment.deadline, Assignment.id))
    if filters.doc_type:
        query = query.where(Document.doc_type == filters.doc_type)
    if filters.status in AssignmentStatus.__members__:
        query = query.where(Assignment.status == filters.status)
    # A periodic series is counted through its dated occurrences, each tracked on its own.
    rows = [a for a in db.session.scalars(query) if not a.is_series]
    if filters.since or filters.until:
        def doc_date(a):
            return a.document.doc_date
        rows = [a for a in rows if doc_date(a) and (not filters.since or doc_date(a) >= filters.since)
                and (not filters.until or doc_date(a) <= filters.until)]
    if filters.body is not None:
        ids = filters.body.subtree_ids()
        rows = [a for a in rows if {b.id for b in a.bodies} & ids]
    return rows


def _by_body(open_rows: list[Assignment], late: list[Assignment]) -> list[tuple[Body, int, int]]:
    """Open and overdue assignments of each body with its sub-bodies: each assignment counted once for each body
    at or above one of its responsible bodies (one pass up the tree per assignment, not one per body)."""
    parents = dict(db.session.execute(select(Body.id, Body.parent_id)).all())

    def with_ancestors(ids: set[int]) -> set[int]:
        found: set[int] = set()
        for body_id in ids:
            while body_id is not None and body_id not in found:
                found.add(body_id)
                body_id = parents.get(body_id)
        return found

    late_ids = {a.id for a in late}
    open_count: Counter[int] = Counter()
    late_count: Counter[int] = Counter()
    for assignment in open_rows:
        reached = with_ancestors({b.id for b in assignment.bodies})
        open_count.update(reached)
        if assignment.id in late_ids:
            late_count.update(reached)
    bodies = db.session.scalars(select(Body).where(Body.id.in_(open_count)).order_by(Body.name)) if open_count \
        else []
    return [(body, open_count[body.id], late_count[body.id]) for body in bodies]


def overview(as_of: date, filters: Filters) -> Overview:
    rows = select_assignments(filters)
    result = Overview(as_of=as_of, assignments=rows)
    open_rows = [a for a in rows if a.status in OPEN_STATUSES]
    late = [a for a in open_rows if is_overdue(a, as_of)]
    result.done_late = [a for a in rows if a.done_late]
    result.totals = {
        "all": len(rows), "open": len(open_rows), "overdue": len(late),
        "done": sum(a.status == AssignmentStatus.done for a in rows), "done_late": len(result.done_late),
        "cancelled": sum(a.status == AssignmentStatus.cancelled for a in rows),
    }
    result.by_body = _by_body(open_rows, late)
    documents: dict[int, Document] = {a.document_id: a.document for a in open_rows}
    open_by_doc, late_by_doc = Counter(a.document_id for a in open_rows), Counter(a.document_id for a in late)
    result.by_document = sorted(((documents[i], open_by_doc[i], late_by_doc[i]) for i in open_by_doc),
                                key=lambda item: (-item[2], -item[1]))

    def controller_name(a: Assignment) -> str:
        return a.controller.full_name if a.controller else (a.controller_text or "не назначен")

    open_by_ctl, late_by_ctl = Counter(map(controller_name, open_rows)), Counter(map(controller_name, late))
    result.by_controller = sorted(((name, open_by_ctl[name], late_by_ctl[name]) for name in open_by_ctl),
                                  key=lambda item: (-item[2], item[0]))
    days = [days_overdue(a, as_of) for a in late]
    result.buckets = [(title, sum(1 for d in days if d >= low and (high is None or d <= high)))
                      for title, low, high in BUCKETS]
    dated_open = [a for a in open_rows
                  if a.deadline and not is_overdue(a, as_of) and a.deadline_kind in DATED_KINDS]
    result.due_7 = [a for a in dated_open if a.deadline <= as_of + timedelta(days=7)]
    result.due_30 = [a for a in dated_open if a.deadline <= as_of + timedelta(days=30)]
    result.overdue_rows = sorted((OverdueRow(a, days_overdue(a, as_of)) for a in late),
                                 key=lambda r: (-r.days, r.assignment.id))
    return result
