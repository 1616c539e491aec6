"""Every figure of the dashboard «на дату» equals a straightforward count, assignment by assignment in Python, of
the module docstring's «as it stood» (webapp/services/dashboard.py), over a random small world: documents dated
by registration, by meeting or by entry, assignments projected from points or added later, done, cancelled (on
their own or with their periodic series) and extended before and after the days asked, co-executors in a tree of
bodies, and moments on both sides of the organisation's midnight. The days asked are the test clock's today and
past days; the figures: the totals, the age buckets, by body, by document, by controller, the lists and the
12-month trend, with and without each filter."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, text

from tests.conftest import TODAY
from webapp.extensions import db
from webapp.models import Assignment, Body, DeadlineChange, Document, Event, Point, User
from webapp.services import dashboard

ZONE = ZoneInfo("Europe/Moscow")  # the test config's TIMEZONE
OPEN = ("new", "in_work", "reported", "returned")
DATED = ("by", "period")


def _moment(rng: random.Random, day: date) -> datetime:
    """A moment of `day` in the organisation's time zone, often just before or after its midnight (UTC)."""
    clock = rng.choice([time(0, 5), time(2, 59), time(10), time(23, 55)])
    return datetime.combine(day, clock, ZONE).astimezone(UTC)


def _day(rng: random.Random) -> date:
    return TODAY + timedelta(days=rng.randint(-560, 40))


def _build(seed: int) -> None:
    """The random world, written through the models (no service: the point is the data, not how it came)."""
    rng = random.Random(seed)
    top = Body(name="Министерство")
    departments = [Body(name=f"Департамент {i}", parent=top) for i in range(2)]
    schools = [Body(name=f"Школа {i}", parent=departments[i % 2]) for i in range(4)]
    bodies = [top, *departments, *schools]
    controllers = [User(login=f"ctl{i}", full_name=f"Контролёр {i}", password_hash="-") for i in range(3)]
    db.session.add_all(bodies + controllers)
    db.session.flush()
    events = []

    def event(action: str, object_id: int, at: datetime) -> None:
        events.append(Event(at=at, action=action, object_type="assignment", object_id=object_id,
                            prev_hash="0" * 64, hash=secrets.token_hex(32)))

    for number in range(14):
        dating = rng.choice(["reg", "reg", "event", "none"])
        doc_type = rng.choice(["order", "protocol", "decision"])
        document = Document(doc_type=doc_type, title=f"Документ {number}", number=str(number),
                            state="published" if number % 7 else "draft", created_at=_moment(rng, _day(rng)),
                            reg_date=_day(rng) if dating == "reg" or rng.random() < 0.2 else None,
                            event_date=_day(rng) if dating in ("event", "reg") and rng.random() < 0.6 else None)
        db.session.add(document)
        db.session.flush()
        for position in range(rng.randint(2, 7)):
            point = None
            if rng.random() < 0.6:
                point = Point(document_id=document.id, position=position, number=str(position + 1), text="Сделать")
                db.session.add(point)
                db.session.flush()
            status = rng.choice([*OPEN, "done", "done", "cancelled", "draft"])
            kind = rng.choice(["by", "by", "by", "period", "from", "none", "periodic"])
            deadline = _day(rng) if kind != "none" else None
            row = Assignment(document_id=document.id, point_id=point.id if point else None, action="Сделать",
                             status=status, deadline_kind=kind, deadline=deadline, created_at=_moment(rng, _day(rng)),
                             lead_body=rng.choice([*bodies, None]), controller=rng.choice([*controllers, None]),
                             completed_on=(_day(rng) if rng.random() < 0.85 else None) if status == "done" else None,
                             coexecutors=rng.sample(bodies, rng.choice([0, 0, 1, 2])))
            db.session.add(row)
            db.session.flush()
            family = [row]
            if kind == "periodic":  # a series and its dated occurrences, each with a state of its own
                for index in range(3):
                    due = deadline + timedelta(days=90 * index)
                    occurrence = Assignment(
                        document_id=document.id, point_id=row.point_id, action="Сделать", series_id=row.id,
                        deadline_kind="by", deadline=due, original_deadline=due, created_at=row.created_at,
                        status=rng.choice([*OPEN, "done", "cancelled"]), lead_body=row.lead_body,
                        controller=row.controller, completed_on=_day(rng))
                    db.session.add(occurrence)
                    family.append(occurrence)
                db.session.flush()
                if rng.random() < 0.5:
                    event("assignment.cancel", row.id, _moment(rng, _day(rng)))
            for item in family:
                if item.status == "cancelled" and rng.random() < 0.8:
                    event("assignment.cancel", item.id, _moment(rng, _day(rng)))
                if rng.random() < 0.3:
                    event("assignment.accept", item.id, _moment(rng, _day(rng)))  # not a cancellation
                for _ in range(rng.choice([0, 0, 1, 2])):
                    db.session.add(DeadlineChange(
                        assignment_id=item.id, reason="Нужно время", old_date=rng.choice([_day(rng), None]),
                        new_date=item.deadline, status=rng.choice(["approved", "approved", "rejected", "pending"]),
                        decided_at=rng.choice([_moment(rng, _day(rng)), None])))
    db.session.add_all(events)
    db.session.commit()


# --- the straightforward count ----------------------------------------------------------------------------


def _local(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZONE).date()


class World:
    """Everything read back once; each figure computed from it row by row."""

    def __init__(self):
        self.assignments = db.session.query(Assignment).all()
        self.documents = {d.id: d for d in db.session.query(Document)}
        self.parents = {b.id: b.parent_id for b in db.session.query(Body)}
        self.coexecutors = {a.id: {b.id for b in a.coexecutors} for a in self.assignments}
        self.changes = sorted(db.session.query(DeadlineChange), key=lambda c: c.id)
        self.cancels = [(e.object_id, _local(e.at)) for e in db.session.query(Event)
                        if e.action == "assignment.cancel"]

    def ancestors(self, body_id: int) -> set[int]:
        found = set()
        while body_id is not None:
            found.add(body_id)
            body_id = self.parents[body_id]
        return found

    def rows(self, f: dashboard.Filters, day: date | None = None) -> list[dict]:
        """The assignments in force at the end of `day` that the filters keep, with their state then."""
        day = day or f.as_of
        rows = []
        for a in self.assignments:
            d = self.documents[a.document_id]
            started = d.reg_date or d.event_date or _local(d.created_at)
            if (a.status == "draft" or d.state != "published" or started > day
                    or (a.deadline_kind == "periodic" and a.series_id is None)
                    or (a.point_id is None and _local(a.created_at) > day)):
                continue
            later = [c for c in self.changes if c.assignment_id == a.id and c.status == "approved"
                     and c.decided_at is not None and _local(c.decided_at) > day]
            deadline = (later[0].old_date or a.deadline) if later else a.deadline
            done = a.status == "done" and (a.completed_on or date.min) <= day
            cancelled = a.status == "cancelled" and not any(
                who in (a.id, a.series_id) and on > day for who, on in self.cancels)
            state = "done" if done else "cancelled" if cancelled else "open"
            dated = a.deadline_kind in DATED and deadline is not None
            overdue = state == "open" and dated and deadline < day
            doc_date = (d.event_date or d.reg_date) if d.doc_type == "protocol" else (d.reg_date or d.event_date)
            bodies = ({a.lead_body_id} - {None}) | self.coexecutors[a.id]
            if ((f.only_overdue and not overdue)
                    or (f.body is not None and not any(f.body.id in self.ancestors(b) for b in bodies))
                    or (f.controller_id is not None and (a.controller_id or 0) != f.controller_id)
                    or (f.document is not None and a.document_id != f.document.id)
                    or (f.doc_type and d.doc_type != f.doc_type)
                    or (f.since and (doc_date is None or doc_date < f.since))
                    or (f.until and (doc_date is None or doc_date > f.until))):
                continue
            rows.append({"a": a, "deadline": deadline, "state": state, "overdue": overdue, "dated": dated,
                         "bodies": bodies, "late_by": (day - deadline).days if overdue else None})
        return rows

    def expected(self, f: dashboard.Filters) -> dict:
        day, rows = f.as_of, self.rows(f)
        is_open = [r for r in rows if r["state"] == "open"]
        soon = {n: sorted(r["a"].id for r in is_open if r["dated"] and day <= r["deadline"] <= day + timedelta(n))
                for n in (7, 30)}
        late = sorted(r["a"].id for r in rows if r["state"] == "done" and r["a"].completed_on
                      and r["deadline"] and r["a"].completed_on > r["deadline"])
        totals = {"documents": len({r["a"].document_id for r in rows}), "all": len(rows), "open": len(is_open),
                  "overdue": sum(r["overdue"] for r in rows), "done": sum(r["state"] == "done" for r in rows),
                  "done_late": len(late), "cancelled": sum(r["state"] == "cancelled" for r in rows),
                  "due_7": len(soon[7]), "due_30": len(soon[30])}
        for index, (_, low, high) in enumerate(dashboard.BUCKETS):
            totals[f"age_{index}"] = sum(r["overdue"] and low <= r["late_by"] <= (high or 10**6) for r in rows)

        def grouped(key) -> dict:
            counts = {}
            for r in is_open:
                for group in key(r):
                    opened, overdue = counts.get(group, (0, 0))
                    counts[group] = (opened + 1, overdue + r["overdue"])
            return counts

        by_body = grouped(lambda r: set().union(*(self.ancestors(b) for b in r["bodies"])))
        by_document = sorted(grouped(lambda r: [r["a"].document_id]).items(),
                             key=lambda item: (-item[1][1], -item[1][0], item[0]))[:20]
        trend = []
        for end in dashboard.month_ends(day):
            then = self.rows(f, end)
            overdue = sum(r["overdue"] for r in then)
            trend.append((end, sum(r["state"] == "open" for r in then), overdue))
        return {"totals": totals, "by_body": by_body, "by_document": by_document,
                "by_controller": grouped(lambda r: [r["a"].controller_id or dashboard.NO_CONTROLLER]),
                "trend": trend, "overdue_rows": sorted((r["a"].id, r["late_by"]) for r in rows if r["overdue"]),
                "due_30": soon[30], "done_late": late}


def _shown(data: dashboard.Overview) -> dict:
    """The same figures as the dashboard's overview has them."""
    return {"totals": data.totals, "by_body": {b.id: (o, late) for b, o, late in data.by_body},
            "by_document": [(d.id, (o, late)) for d, o, late in data.by_document],
            "by_controller": {key: (o, late) for key, _, o, late in data.by_controller},
            "trend": data.trend, "overdue_rows": sorted((a.id, days) for a, _, days in data.overdue_rows),
            "due_30": sorted(a.id for a, _ in data.due_30), "done_late": sorted(a.id for a, _ in data.done_late)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_equals_the_count_assignment_by_assignment(app, seed):
    with app.test_request_context():
        _build(seed)
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент 1").one()
        controller = db.session.query(User).filter_by(login="ctl1").one()
        rng = random.Random(seed)
        days = [TODAY, TODAY - timedelta(days=rng.randint(30, 400))]
        filters = [{"only_overdue": True}, {"body": department}, {"controller_id": controller.id},
                   {"controller_id": dashboard.NO_CONTROLLER, "only_overdue": True},
                   {"doc_type": "protocol"}, {"since": TODAY - timedelta(days=300), "until": TODAY - timedelta(30)}]
        checked = 0
        for day in days:  # unfiltered, and two filters of the seed's choice (each seed its own, to stay fast)
            for extra in [{}, *rng.sample(filters, 2)]:
                f = dashboard.Filters(as_of=day, **extra)
                expected = world.expected(f)
                assert _shown(dashboard.overview(f, controllers=None)) == expected, (day, extra)
                checked += expected["totals"]["all"] + sum(o for _, o, _ in expected["trend"])
        assert checked > 100  # the world is not empty on the days asked


@pytest.mark.parametrize("inline", [dashboard.INLINE_IDS, 0])
def test_a_body_s_figures_with_its_co_executing_assignments_written_in_or_asked_by_a_subquery(app, monkeypatch,
                                                                                              inline):
    """A body filter reads the co-executing assignments' ids first and writes them into the statement, or past
    INLINE_IDS asks them by a subquery: the figures are the same, and the count's, assignment by assignment."""
    monkeypatch.setattr(dashboard, "INLINE_IDS", inline)
    with app.test_request_context():
        _build(4)
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент 1").one()
        reached = {a.id for a in world.assignments if world.coexecutors[a.id] and a.lead_body_id != department.id}
        assert reached  # assignments the department reaches through a co-executor only are among them
        for f in (dashboard.Filters(as_of=TODAY, body=department),
                  dashboard.Filters(as_of=TODAY - timedelta(days=200), body=department, only_overdue=True)):
            expected = world.expected(f)
            assert _shown(dashboard.overview(f, controllers=None)) == expected
            assert expected["totals"]["all"] >= 5


def _at(day: date, hour: int, minute: int) -> datetime:
    """A moment of `day` in the organisation's time zone, as stored (UTC)."""
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


def _build_month_edges() -> dict[str, int]:
    """Rows whose every change falls on a month's end or just after it (the trend's days), on both of its paths:
    deadlines that never moved (counted by the first day of each state) and moved after the first day (day by
    day). Returns the ids by name."""
    ends = dashboard.month_ends(TODAY)  # ends[0] .. ends[11] == TODAY
    body = Body(name="Департамент")
    db.session.add(body)
    db.session.flush()
    ids: dict[str, int] = {}

    def document(name: str, **dating) -> Document:
        made = Document(doc_type=dating.pop("doc_type", "order"), title=name, state="published",
                        created_at=dating.pop("created_at", _at(ends[0] - timedelta(days=400), 10, 0)), **dating)
        db.session.add(made)
        db.session.flush()
        return made

    def assignment(name: str, owner: Document, projected: bool = True, **values) -> Assignment:
        point = None
        if projected:
            point = Point(document_id=owner.id, position=len(ids), number=str(len(ids) + 1), text="Сделать")
            db.session.add(point)
            db.session.flush()
        values.setdefault("created_at", _at(ends[0] - timedelta(days=300), 10, 0))
        values.setdefault("deadline_kind", "by")
        made = Assignment(document_id=owner.id, point_id=point.id if point else None, action=name,
                          lead_body=body, status=values.pop("status", "in_work"), **values)
        db.session.add(made)
        db.session.flush()
        ids[name] = made.id
        return made

    def cancel(object_id: int, at: datetime) -> None:
        db.session.add(Event(at=at, action="assignment.cancel", object_type="assignment", object_id=object_id,
                             prev_hash="0" * 64, hash=secrets.token_hex(32)))

    old = document("Давний", reg_date=ends[0] - timedelta(days=200))
    # overdue from the month's end after its deadline, a month's end itself: not overdue on that day
    assignment("due on a month's end", old, deadline=ends[3])
    # registered on a month's end: in force from that day; dated by its meeting; entered at 23:55 of a month's end
    assignment("registered on a month's end", document("Новый", reg_date=ends[5]), deadline=ends[8] + timedelta(1))
    assignment("met on a month's end", document("Протокол", doc_type="protocol", event_date=ends[4]),
               deadline=ends[4] - timedelta(days=3))
    assignment("entered at 23:55", document("Без даты", created_at=_at(ends[6], 23, 55)), deadline=ends[0])
    # added later: at 23:55 of a month's end (counted that day), at 00:05 of the 1st (from the next month's end)
    assignment("added at 23:55", old, projected=False, created_at=_at(ends[2], 23, 55), deadline=ends[9])
    assignment("added at 00:05", old, projected=False, created_at=_at(ends[2] + timedelta(1), 0, 5),
               deadline=ends[2])
    # done on a month's end: open the month before, not that day; done without a date: done all along (not counted)
    assignment("done on a month's end", old, status="done", completed_on=ends[7], deadline=ends[1])
    assignment("done without a date", old, status="done", deadline=ends[1])
    # cancelled at 00:05 of the 1st (still the month's end before in UTC): open at that month's end, not after
    cancel(assignment("cancelled at 00:05", old, status="cancelled", deadline=ends[2]).id,
           _at(ends[4] + timedelta(1), 0, 5))
    # an occurrence cancelled with its series after a month's end, and one whose own event came after its series'
    series = assignment("series", old, deadline_kind="periodic", deadline=ends[0])
    with_series = assignment("cancelled with its series", old, status="cancelled", series_id=series.id,
                             deadline=ends[1])
    cancel(series.id, _at(ends[6], 23, 55))
    cancel(assignment("cancelled after its series", old, status="cancelled", series_id=series.id,
                      deadline=ends[1]).id, _at(ends[9] + timedelta(1), 0, 5))
    # cancelled on its own first, then with its series: open until the later of the two (the series')
    cancel(assignment("cancelled before its series", old, status="cancelled", series_id=series.id,
                      deadline=ends[1]).id, _at(ends[2], 12, 0))
    assert with_series.id
    # deadlines moved after the first day: the deadline of each day is the one in force then
    moved = assignment("moved twice", old, deadline=ends[10] + timedelta(1))
    for old_date, new_date, decided in ((ends[2], ends[6], _at(ends[3], 23, 55)),
                                        (ends[6], ends[10] + timedelta(1), _at(ends[7] + timedelta(1), 0, 5))):
        db.session.add(DeadlineChange(assignment_id=moved.id, reason="Нужно время", old_date=old_date,
                                      new_date=new_date, status="approved", decided_at=decided))
    # added later (00:05 of a month's 1st) and moved after: not counted before it was given, then by each deadline
    given = assignment("added, then moved", old, projected=False, created_at=_at(ends[3] + timedelta(1), 0, 5),
                       deadline=ends[9])
    db.session.add(DeadlineChange(assignment_id=given.id, reason="Нужно время", old_date=ends[1], new_date=ends[9],
                                  status="approved", decided_at=_at(ends[6], 12, 0)))
    late = assignment("moved, cancelled late", old, status="cancelled", deadline=ends[9])
    db.session.add(DeadlineChange(assignment_id=late.id, reason="Нужно время", old_date=ends[1],
                                  new_date=ends[9], status="approved", decided_at=_at(ends[5], 12, 0)))
    cancel(late.id, _at(ends[8], 23, 55))
    # moved before the first day: the interval path with its current deadline; rejected later: no move
    early = assignment("moved before the year", old, deadline=ends[5])
    db.session.add(DeadlineChange(assignment_id=early.id, reason="Нужно время", old_date=ends[0] - timedelta(40),
                                  new_date=ends[5], status="approved", decided_at=_at(ends[0] - timedelta(30), 9, 0)))
    db.session.add(DeadlineChange(assignment_id=early.id, reason="Нужно время", old_date=ends[5],
                                  new_date=ends[11], status="rejected", decided_at=_at(ends[6], 9, 0)))
    db.session.commit()
    return ids


@pytest.mark.parametrize("only_overdue", [False, True])
def test_the_trend_counts_each_month_s_end_where_states_change_on_it(app, only_overdue):
    """The trend's two paths — rows counted by the first month's end of each state, and rows whose deadline moved
    after the first day counted day by day — on rows that come into force, close, fall overdue or are extended on
    a month's end or just after it: each month's open and overdue equal the count, row by row, and every row
    changes the trend somewhere (a day miscounted on either path shows)."""
    with app.test_request_context():
        ids = _build_month_edges()
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент").one()
        for f in (dashboard.Filters(as_of=TODAY, only_overdue=only_overdue),
                  dashboard.Filters(as_of=TODAY, only_overdue=only_overdue, body=department)):
            expected = [(end, sum(r["state"] == "open" for r in world.rows(f, end)),
                         sum(r["overdue"] for r in world.rows(f, end))) for end in dashboard.month_ends(TODAY)]
            assert dashboard.trend(f) == expected
        # every row is in the count and changes its state (open, overdue) on one of the days
        ends = dashboard.month_ends(TODAY)
        rows = {end: {r["a"].id: (r["state"], r["overdue"]) for r in world.rows(dashboard.Filters(as_of=TODAY), end)}
                for end in ends}
        for name, assignment_id in ids.items():
            states = [rows[end].get(assignment_id) for end in ends]
            if name in ("series", "done without a date"):  # a series counts through its occurrences
                assert all(state in (None, ("done", False)) for state in states), name
            else:
                assert len(set(states)) > 1, name


@pytest.mark.parametrize("only_overdue", [False, True])
def test_a_department_s_figures_and_trend_are_one_statement_the_organisation_s_two(app, only_overdue):
    """A narrow dashboard (a department, or one document) counts its figures and its trend in one statement,
    reading its rows and the extensions decided since the trend's first day once; the whole organisation's are
    two statements (before: the figures', and the trend's two). Each figure and month equals the count, row by
    row, on the month-edge world (rows that come into force, close, fall overdue or are extended on a month's end
    or just after it), asked on days after and among those edges."""
    with app.test_request_context():
        _build_month_edges()
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент").one()
        busiest = max(world.documents.values(),
                      key=lambda d: sum(a.document_id == d.id for a in world.assignments))
        for day in (TODAY, TODAY - timedelta(days=45), TODAY - timedelta(days=120)):
            for extra, reads in (({"body": department}, 1), ({"document": busiest}, 1), ({}, 2)):
                f = dashboard.Filters(as_of=day, only_overdue=only_overdue, **extra)
                statements: list[str] = []

                def seen(_conn, _cursor, statement, *_args, into=statements):
                    into.append(statement)
                event.listen(db.engine, "before_cursor_execute", seen)
                try:
                    assert _shown(dashboard.overview(f)) == world.expected(f), (day, extra)
                finally:
                    event.remove(db.engine, "before_cursor_execute", seen)
                assert sum("deadline_change" in s for s in statements) == reads, (day, extra)


@pytest.mark.parametrize("serial_bodies", [dashboard.SERIAL_BODIES, 0])
def test_a_department_s_dashboard_is_counted_without_parallel_workers_and_then_with_them_again(app, monkeypatch,
                                                                                              serial_bodies):
    """On PostgreSQL the statements of a narrow dashboard (a body of at most SERIAL_BODIES) run with
    max_parallel_workers_per_gather = 0, and the rest of the request's transaction has it back; the whole
    organisation's, or a body past the bound, keep the workers. The figures stay the count's. Nothing of it on
    SQLite."""
    monkeypatch.setattr(dashboard, "SERIAL_BODIES", serial_bodies)
    with app.test_request_context():
        _build_month_edges()
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент").one()
        postgresql = db.engine.dialect.name == "postgresql"
        setting = "SHOW max_parallel_workers_per_gather"
        before = db.session.execute(text(setting)).scalar() if postgresql else None
        for f, serial in ((dashboard.Filters(as_of=TODAY, body=department), serial_bodies > 0 and postgresql),
                          (dashboard.Filters(as_of=TODAY), False)):
            statements: list[str] = []

            def seen(_conn, _cursor, statement, *_args, into=statements):
                into.append(" ".join(statement.split()))
            event.listen(db.engine, "before_cursor_execute", seen)
            try:
                assert _shown(dashboard.overview(f)) == world.expected(f)
            finally:
                event.remove(db.engine, "before_cursor_execute", seen)
            counted = [i for i, s in enumerate(statements) if "snapshot" in s or "intervals" in s]
            off = [i for i, s in enumerate(statements) if s == "SET LOCAL max_parallel_workers_per_gather = 0"]
            if serial:
                assert len(off) == 1 and off[0] < min(counted), statements
                # set back after the counting (what follows — the overview kept for other processes — is not)
                assert "RESET max_parallel_workers_per_gather" in statements[max(counted):], statements
            else:
                assert not off and not any("max_parallel_workers_per_gather" in s for s in statements), statements
            if postgresql:
                assert db.session.execute(text(setting)).scalar() == before


def test_the_trend_s_statements_are_built_once_per_filter_and_count_each_day_asked(app, monkeypatch):
    """The trend's statements are kept per filter (`Filters.key`), the month ends bound at each execution: other
    days of the same filters build nothing and count their own months, row by row; another filter builds its own."""
    monkeypatch.setattr(dashboard, "_TREND_STATEMENTS", {})
    built = []
    build = dashboard._build_trend
    monkeypatch.setattr(dashboard, "_build_trend", lambda *args: built.append(args) or build(*args))
    with app.test_request_context():
        _build_month_edges()
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент").one()
        for day in (TODAY, TODAY - timedelta(days=45), TODAY - timedelta(days=250)):
            for extra in ({"only_overdue": True}, {"body": department}):
                f = dashboard.Filters(as_of=day, **extra)
                expected = [(end, sum(r["state"] == "open" for r in world.rows(f, end)),
                             sum(r["overdue"] for r in world.rows(f, end))) for end in dashboard.month_ends(day)]
                assert dashboard.trend(f) == expected, (day, extra)
                assert sum(late for _, _, late in expected) > 0
    assert len(built) == 2


def test_the_figures_statement_is_built_once_per_filter_and_counts_each_day_asked(app, monkeypatch):
    """The overview's one statement of totals, breakdowns and lists is kept per filter (`Filters.key`), the day
    and the dates figured from it (due in 7 and 30 days, the age buckets' bounds) bound at each execution: other
    days build nothing and show their own figures, assignment by assignment."""
    monkeypatch.setattr(dashboard, "_COUNTED_STATEMENTS", {})
    built = []
    build = dashboard.Snapshot._counted
    monkeypatch.setattr(dashboard.Snapshot, "_counted", lambda self, *args: built.append(args) or build(self, *args))
    with app.test_request_context():
        _build(5)
        world = World()
        department = db.session.query(Body).filter_by(name="Департамент 1").one()
        for day in (TODAY, TODAY - timedelta(days=40), TODAY - timedelta(days=200), TODAY - timedelta(days=380)):
            f = dashboard.Filters(as_of=day, body=department)
            expected = world.expected(f)
            assert _shown(dashboard.overview(f, controllers=None)) == expected, day
            assert expected["totals"]["all"] > 0
    assert len(built) == 1


@pytest.mark.parametrize("moved_ids", [dashboard.MOVED_IDS, 0])
@pytest.mark.parametrize("world", ["seed 6", "seed 7", "month edges"])
def test_each_figure_s_drill_down_condition_holds_exactly_the_rows_it_counts(app, monkeypatch, world, moved_ids):
    """The drill-down's condition on the assignment itself (`Snapshot.holds`, which the list walks in its own
    order) keeps exactly the snapshot's rows of each figure (`Snapshot.ids`), on days with and without extensions
    decided after them, written in as ids or (MOVED_IDS = 0) asked by a subquery, with each filter: on random
    worlds, and on the month-edge world asked at each of its month ends (rows moved, cancelled, given and
    registered on them)."""
    monkeypatch.setattr(dashboard, "MOVED_IDS", moved_ids)
    with app.test_request_context():
        if world == "month edges":
            _build_month_edges()
            department = db.session.query(Body).filter_by(name="Департамент").one()
            days = dashboard.month_ends(TODAY)
        else:
            _build(int(world.split()[1]))
            department = db.session.query(Body).filter_by(name="Департамент 1").one()
            days = [TODAY, TODAY - timedelta(days=60), TODAY - timedelta(days=250)]
        checked, moved = 0, 0
        for day in days:
            for extra in ({}, {"only_overdue": True}, {"body": department}, {"doc_type": "order"},
                          {"since": TODAY - timedelta(days=300)}):
                snapshot = dashboard.Snapshot(dashboard.Filters(as_of=day, **extra))
                moved += len(snapshot.moved or ())
                for figure in dashboard.FIGURES:
                    counted = set(db.session.scalars(snapshot.ids(figure)))
                    held = set(db.session.scalars(select(Assignment.id).where(snapshot.holds(figure))))
                    assert held == counted, (day, extra, figure)
                    checked += len(counted)
        assert checked > 100
        assert moved > 0 if moved_ids else moved == 0  # days with rows moved after them, both ways written
