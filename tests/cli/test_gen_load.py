"""docflow gen-load: synthetic data through the real schema that the service itself reads — lists, the audit
chain, logins — with the share of overdue assignments the benchmarks expect."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User
from webapp.models.assignment import OPEN_STATUSES

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
