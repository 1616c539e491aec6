"""docflow gen-load: synthetic data through the real schema that the service itself reads — lists, the audit
chain, logins — with the share of overdue assignments the benchmarks expect."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select, text

from tests.conftest import TODAY, has_planner_statistics, private_app
from webapp.extensions import db
from webapp.models import Assignment, Body, DeadlineChange, Document, Event, Point, PointResponsible, Report, User
from webapp.models.assignment import OPEN_STATUSES, assignment_coexecutor

PASSWORD = "Нагрузка-на-сервис-2026"


@pytest.fixture
def generated(app, runner, monkeypatch):
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    result = runner.invoke(args=["gen-load", "--documents", "200", "--assignments", "2000", "--bodies", "60",
                                 "--users", "80", "--seed", "7"])
    assert result.exit_code == 0, result.output
    return result.output


def test_generates_what_was_asked(app, generated):
    assert "assignment 2,000" in generated
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 200
        assert db.session.scalar(select(func.count()).select_from(Body)) == 60
        assert db.session.scalar(select(func.count()).select_from(User)) == 80
        assignments = db.session.scalars(select(Assignment)).all()
        assert len(assignments) == 2000
        assert all(a.point_id and a.lead_body_id and a.deadline for a in assignments)
        overdue = [a for a in assignments if a.status in OPEN_STATUSES and a.deadline < TODAY]
        assert 0.08 <= len(overdue) / len(assignments) <= 0.25
        assert {a.status for a in assignments} >= {"done", "new", "in_work", "reported", "draft"}
        years = {d.event_date.year for d in db.session.scalars(select(Document))}
        assert len(years) >= 14  # fifteen years of documents


def test_the_planner_has_statistics_of_what_was_loaded(app, generated):
    """At once, in the load's transaction: PostgreSQL's autovacuum analyses a table in its own time (minutes after
    a load of 1,000,000 assignments), and until then plans the pages without statistics."""
    with app.app_context():
        for table in ("document", "point", "assignment", "assignment_report", "audit_event", "user_account"):
            assert has_planner_statistics(table), table


def test_the_audit_chain_verifies_and_a_second_run_adds(app, runner, generated):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output, result.output
    result = runner.invoke(args=["gen-load", "--documents", "10", "--assignments", "30", "--bodies", "5",
                                 "--users", "5", "--seed", "8"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 2030


def test_generated_users_log_in_and_see_their_assignments(app, client, auth, generated):
    with app.app_context():
        executor = next(u for u in db.session.scalars(select(User).order_by(User.id)) if "executor" in u.roles)
        login = executor.login
        number = db.session.scalar(select(Document.number).join(Assignment, Assignment.document_id == Document.id)
                                   .where(Assignment.lead_body_id == executor.bodies[0].id,
                                          Assignment.status.in_(OPEN_STATUSES)))
    assert number
    assert auth.login(login, PASSWORD).status_code == 302
    page = client.get("/assignments")
    assert page.status_code == 200 and f"№ {number}" in page.get_data(as_text=True)


def test_a_co_executor_sees_what_she_co_executes(app, client, auth, generated):
    """A school named as a co-executor only: its executor finds the assignment in «Мои поручения» and opens it."""
    with app.app_context():
        assignment_id, body_id = db.session.execute(
            select(assignment_coexecutor.c.assignment_id, assignment_coexecutor.c.body_id)
            .join(Assignment, Assignment.id == assignment_coexecutor.c.assignment_id)
            .where(Assignment.status == "in_work").order_by(assignment_coexecutor.c.assignment_id)).first()
        executor = next(u for u in db.session.scalars(select(User).order_by(User.id))
                        if "executor" in u.roles and [b.id for b in u.bodies] == [body_id])
        assert db.session.get(Assignment, assignment_id).lead_body_id != body_id
        login = executor.login
    assert auth.login(login, PASSWORD).status_code == 302
    listed = client.get("/assignments?status=in_work&sort=newest&size=200").get_data(as_text=True)
    assert f'href="/assignments/{assignment_id}"' in listed
    assert client.get(f"/assignments/{assignment_id}").status_code == 200


def test_a_weak_password_is_refused(app, runner, monkeypatch):
    monkeypatch.setenv("DOCFLOW_PASSWORD", "12345")
    result = runner.invoke(args=["gen-load", "--documents", "1", "--assignments", "1"])
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_a_big_protocol_and_a_busy_school(app, runner, monkeypatch):
    """The bench's two heavy pages: one protocol of many points under agenda items, one school with many
    assignments; the totals asked for stay what was asked."""
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    result = runner.invoke(args=["gen-load", "--documents", "40", "--assignments", "400", "--bodies", "120",
                                 "--users", "20", "--big-protocol", "65", "--busy-body", "90"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 400
        document_id, points = db.session.execute(
            select(Assignment.document_id, func.count()).group_by(Assignment.document_id)
            .order_by(func.count().desc()).limit(1)).one()
        document = db.session.get(Document, document_id)
        assert (document.doc_type, points) == ("protocol", 65)
        assert [len(item.points) for item in document.agenda_items] == [30, 30, 5]
        body, count = db.session.execute(
            select(Assignment.lead_body_id, func.count()).group_by(Assignment.lead_body_id)
            .order_by(func.count().desc()).limit(1)).one()
        assert count == 90 and "школа" in db.session.get(Body, body).name
        years = db.session.scalars(select(func.distinct(func.extract("year", Document.event_date)))
                                   .join(Assignment, Assignment.document_id == Document.id)
                                   .where(Assignment.lead_body_id == body)).all()
        assert len(years) >= 10  # spread over the years, not the oldest 90


GENERATED = ("body", "user_account", "user_role", "membership", "document", "agenda_item", "point",
             "point_responsible", "assignment", "assignment_coexecutor", "assignment_report", "deadline_change",
             "audit_event", "audit_head")


def _stored(app) -> dict[str, list[tuple]]:
    """Every generated table's rows as stored, in key order (password hashes left out: each is salted anew)."""
    with app.app_context():
        tables = db.metadata.tables
        return {name: [tuple(value for key, value in row._mapping.items() if key != "password_hash")
                       for row in db.session.execute(select(tables[name]).order_by(*tables[name].primary_key))]
                for name in GENERATED}


def _indexes(app) -> list:
    """Every index with its definition (expression indexes too, which SQLAlchemy's reflection skips)."""
    with app.app_context():
        sql = ("SELECT name, sql FROM sqlite_master WHERE type = 'index'" if db.engine.dialect.name == "sqlite"
               else "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        return sorted(db.session.execute(text(sql)).all())


def test_the_same_seed_gives_the_same_rows(app, databases, tmp_path, monkeypatch):
    """Two databases filled with one seed hold the same rows (the bench's figures compare like with like); another
    seed gives other rows. The indexes the SQLite load drops for its speed are all back afterwards."""
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    arguments = ["gen-load", "--documents", "30", "--assignments", "300", "--bodies", "12", "--users", "15",
                 "--big-protocol", "40", "--busy-body", "50"]
    indexes = _indexes(app)
    rows = {}
    for seed in (5, 5, 6):
        home = tmp_path / f"run{len(rows)}"
        home.mkdir()
        with private_app(databases, "migrated", home) as other:
            result = other.test_cli_runner().invoke(args=[*arguments, "--seed", str(seed)])
            assert result.exit_code == 0, result.output
            assert _indexes(other) == indexes
            rows[len(rows)] = _stored(other)
    assert rows[0] == rows[1]
    assert rows[0]["assignment"] != rows[2]["assignment"] and len(rows[0]["assignment"]) == 300


def test_shape_of_the_generated_rows(app, generated):
    """What every table holds for 2,000 assignments: one point each, its lead body and (about 15% of them) one or two
    co-executors among the department's other schools, named as the point's further responsible bodies as the service
    projects them; a report for each one done, reported or returned, an event for each published document and each
    accepted assignment; statuses spread, about 15% of those whose deadline has passed still open."""
    with app.app_context():
        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        assignments = db.session.scalars(select(Assignment)).all()
        statuses = Counter(a.status for a in assignments)
        assert count(Point) == count(PointResponsible, PointResponsible.position == 0) == 2000
        responsible: dict[int, list[int]] = {}
        for point, body in db.session.execute(select(PointResponsible.point_id, PointResponsible.body_id)
                                              .order_by(PointResponsible.point_id, PointResponsible.position)):
            responsible.setdefault(point, []).append(body)
        joint: dict[int, list[int]] = {}
        for assignment, body in db.session.execute(select(assignment_coexecutor).order_by(
                assignment_coexecutor.c.assignment_id, assignment_coexecutor.c.body_id)):
            joint.setdefault(assignment, []).append(body)
        parents = dict(db.session.execute(select(Body.id, Body.parent_id)).all())
        for a in assignments:
            assert responsible[a.point_id] == [a.lead_body_id, *joint.get(a.id, [])]
            assert len(set(responsible[a.point_id])) == len(responsible[a.point_id]) <= 3
            assert {parents[body] for body in responsible[a.point_id]} == {parents[a.lead_body_id]}
        assert 0.10 <= len(joint) / 2000 <= 0.20 and {len(bodies) for bodies in joint.values()} == {1, 2}
        assert count(Report) == statuses["done"] + statuses["reported"] + statuses["returned"]
        published = count(Document, Document.state == "published")
        assert count(Event) == published + statuses["done"]
        assert 0 < count(DeadlineChange) < 0.1 * 2000
        assert min(statuses[s] for s in ("new", "in_work", "reported", "returned", "done")) >= 20
        passed = [a for a in assignments if a.status != "draft" and a.deadline < TODAY]
        still_open = sum(a.status in OPEN_STATUSES for a in passed) / len(passed)
        assert 0.10 <= still_open <= 0.20
