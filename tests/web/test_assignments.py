"""Assignment control through HTTP: each lifecycle step and who may take it, extensions, access, overdue days."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.conftest import audit_events
from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Event, Report, User
from webapp.services import assignments as service


@pytest.fixture
def setup(app, make_user):
    """A published order with one assignment of «Отдел образования», controlled by `ctl`."""
    with app.app_context():
        dept = Body(name="Отдел образования", dative="Отделу образования")
        other = Body(name="Отдел культуры", dative="Отделу культуры")
        db.session.add_all([dept, other])
        db.session.commit()
    ids = {
        "exe": make_user("exe", "executor", bodies=["Отдел образования"]),
        "stranger": make_user("stranger", "executor", bodies=["Отдел культуры"]),
        "ctl": make_user("ctl", "controller"), "ctl2": make_user("ctl2", "controller"),
        "aud": make_user("aud", "auditor"), "adm": make_user("adm", "admin"), "sec": make_user("sec", "secretary"),
    }
    with app.app_context():
        dept = db.session.scalar(select(Body).where(Body.name == "Отдел образования"))
        doc = Document(doc_type="order", title="Об организации работы", state="published", number="7",
                       reg_date=date(2026, 11, 1))
        db.session.add(doc)
        db.session.flush()
        assignment = Assignment(document=doc, lead_body=dept, controller_id=ids["ctl"], action="Создать службу.",
                                deadline=date(2026, 12, 1), original_deadline=date(2026, 12, 1),
                                deadline_text="в срок до 1 декабря 2026 года", deadline_kind="by", status="new")
        db.session.add(assignment)
        db.session.commit()
        ids["assignment"] = assignment.id
    return ids



def _as(client, auth, login):
    auth.logout()
    auth.login(login)


def _post(client, auth, login, assignment_id, action, **data):
    _as(client, auth, login)
    token = auth.csrf("/documents")
    return client.post(f"/assignments/{assignment_id}/{action}", data={"csrf_token": token, **data},
                       content_type="multipart/form-data")


def _status(app, assignment_id):
    with app.app_context():
        return db.session.get(Assignment, assignment_id).status


@pytest.mark.parametrize(("login", "allowed"), [
    ("exe", True), ("stranger", False), ("ctl", False), ("aud", False), ("sec", False)])
def test_who_may_take_into_work(app, client, auth, setup, login, allowed):
    response = _post(client, auth, login, setup["assignment"], "take")
    assert response.status_code == (302 if allowed else 403)
    assert _status(app, setup["assignment"]) == ("in_work" if allowed else "new")


@pytest.mark.parametrize(("login", "status"), [
    ("exe", 200), ("ctl", 200), ("aud", 200), ("adm", 200), ("stranger", 403), ("ctl2", 403), ("sec", 403)])
def test_who_may_see_an_assignment(app, client, auth, setup, login, status):
    _as(client, auth, login)
    assert client.get(f"/assignments/{setup['assignment']}").status_code == status
    listing = client.get("/assignments").get_data(as_text=True)
    assert ("Создать службу." in listing) == (status == 200)


def test_report_accept_with_files_and_history(app, client, auth, setup, frozen_clock):
    frozen_clock.move_to(date(2026, 11, 30))  # the day before the deadline of 1 December 2026: done in time
    aid = setup["assignment"]
    assert _post(client, auth, "exe", aid, "take").status_code == 302
    response = _post(client, auth, "exe", aid, "report", text="Служба создана приказом № 12.",
                     files=[(io.BytesIO(b"%PDF-1.4 report"), "prikaz.pdf")])
    assert response.status_code == 302 and _status(app, aid) == "reported"
    assert _post(client, auth, "exe", aid, "review", decision="accept").status_code == 403  # not the controller
    assert _post(client, auth, "ctl2", aid, "review", decision="accept").status_code == 403
    assert _post(client, auth, "ctl", aid, "review", decision="accept", comment="Принято").status_code == 302
    with app.app_context():
        a = db.session.get(Assignment, aid)
        assert a.status == "done" and a.completed_on == date(2026, 11, 30) and not a.done_late
        assert [f.filename for f in a.reports[0].files] == ["prikaz.pdf"]
        assert [e.action for e in audit_events(Event.object_type == "assignment")] == [
            "assignment.take", "assignment.report", "assignment.accept"]
    page = client.get(f"/assignments/{aid}").get_data(as_text=True)
    assert "prikaz.pdf" in page and "Служба создана приказом № 12." in page and "Отчёт принят: исполнено" in page


def test_return_needs_a_comment_then_rework(app, client, auth, setup):
    aid = setup["assignment"]
    _post(client, auth, "exe", aid, "take")
    _post(client, auth, "exe", aid, "report", text="Сделано частично.")
    response = _post(client, auth, "ctl", aid, "review", decision="return", comment="")
    assert "что нужно доработать" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _status(app, aid) == "reported"
    _post(client, auth, "ctl", aid, "review", decision="return", comment="Приложите приказ.")
    assert _status(app, aid) == "returned"
    assert _post(client, auth, "exe", aid, "report", text="Приказ приложен.").status_code == 302
    assert _status(app, aid) == "reported"
    with app.app_context():
        assert [(r.decision, r.decision_comment) for r in db.session.scalars(select(Report).order_by(Report.id))] == [
            ("returned", "Приложите приказ."), (None, None)]


def test_empty_report_changes_nothing(app, client, auth, setup):
    aid = setup["assignment"]
    _post(client, auth, "exe", aid, "take")
    response = _post(client, auth, "exe", aid, "report", text="")
    assert "Напишите, что сделано" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _status(app, aid) == "in_work"


def test_cancel_with_reason_by_controller_only(app, client, auth, setup):
    aid = setup["assignment"]
    assert _post(client, auth, "exe", aid, "cancel", reason="Не нужно").status_code == 403
    _post(client, auth, "ctl", aid, "cancel", reason="")
    assert _status(app, aid) == "new"
    asked = _post(client, auth, "ctl", aid, "cancel", reason="Утратило актуальность")
    assert asked.status_code == 200 and "Снять поручение с контроля?" in asked.get_data(as_text=True)
    assert _status(app, aid) == "new"  # asking changes nothing
    assert _post(client, auth, "ctl", aid, "cancel", reason="Утратило актуальность",
                 confirmed="1").status_code == 302
    assert _status(app, aid) == "cancelled"
    assert _post(client, auth, "exe", aid, "take").status_code == 403


def test_extension_requested_approved_and_history_kept(app, client, auth, setup):
    aid = setup["assignment"]
    assert _post(client, auth, "ctl", aid, "extension", new_date="01.02.2027", reason="x").status_code == 403
    response = _post(client, auth, "exe", aid, "extension", new_date="31.02.2027", reason="Нет кадров")
    assert "Такой даты нет: 31.02.2027" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Assignment, aid).deadline_changes
    assert _post(client, auth, "exe", aid, "extension", new_date="01.02.2027", reason="Нет кадров").status_code == 302
    assert _post(client, auth, "exe", aid, "extension", new_date="01.03.2027", reason="Ещё").status_code == 403
    assert _post(client, auth, "ctl", aid, "extension/decide", decision="approve", new_date="").status_code == 302
    with app.app_context():
        a = db.session.get(Assignment, aid)
        assert a.deadline == date(2027, 2, 1) and a.original_deadline == date(2026, 12, 1) and a.times_moved == 1
    _post(client, auth, "exe", aid, "extension", new_date="01.04.2027", reason="Снова нет кадров")
    _post(client, auth, "ctl", aid, "extension/decide", decision="reject", comment="")  # a reason is required
    with app.app_context():
        assert db.session.get(Assignment, aid).deadline_changes[-1].status == "pending"
    _post(client, auth, "ctl", aid, "extension/decide", decision="reject", comment="Срок не переносится")
    page = client.get(f"/assignments/{aid}").get_data(as_text=True)
    assert ("Первоначальный срок: 1 декабря 2026 г. («в срок до 1 декабря 2026 года»); перенесён 1 раз." in page
            and "Срок не переносится" in page)
    with app.app_context():
        assert db.session.get(Assignment, aid).deadline == date(2027, 2, 1)


@pytest.mark.parametrize(("timezone", "moment", "overdue_days"), [
    ("Europe/Moscow", datetime(2026, 12, 1, 20, 59, tzinfo=UTC), 0),  # 23:59 in Moscow: still the deadline day
    ("Europe/Moscow", datetime(2026, 12, 1, 21, 0, tzinfo=UTC), 1),  # midnight in Moscow: the day has ended
    ("Asia/Vladivostok", datetime(2026, 12, 1, 14, 0, tzinfo=UTC), 1),  # Vladivostok's midnight is earlier
    ("Europe/Kaliningrad", datetime(2026, 12, 1, 21, 30, tzinfo=UTC), 0),  # 23:30 in Kaliningrad
])
def test_overdue_starts_at_local_midnight(app, setup, frozen_clock, timezone, moment, overdue_days):
    app.config["TIMEZONE"] = timezone
    frozen_clock.move_to(moment)
    with app.app_context():
        a = db.session.get(Assignment, setup["assignment"])
        day = clock.today()
        assert service.is_overdue(a, day) == bool(overdue_days)
        assert service.days_overdue(a, day) == overdue_days


def test_done_late_is_recorded(app, setup):
    with app.app_context():
        a = db.session.get(Assignment, setup["assignment"])
        exe, ctl = db.session.get(User, setup["exe"]), db.session.get(User, setup["ctl"])
        service.take_into_work(exe, a)
        service.submit_report(exe, a, "Сделано")
        service.accept(ctl, a, on=date(2026, 12, 5))
        db.session.commit()
        assert a.done_late and not service.is_overdue(a, date(2026, 12, 10))


def test_sub_point_assignments_roll_up_into_the_parent(demo_app, client, auth):
    """Protocol 004: point 3.3 has sub-points 3.3.1–3.3.6, each an assignment of the Institute."""
    with demo_app.app_context():
        from webapp.models import Point

        rows = {a.point_number: a for a in db.session.scalars(select(Assignment).join(Point).where(
            Point.number.like("3.3%")))}
        parent_point = db.session.scalar(select(Point).where(Point.number == "3.3", Point.document_id ==
                                                             rows["3.3.1"].document_id))
        parent = Assignment(document_id=parent_point.document_id, point_id=parent_point.id, action="п. 3.3",
                            status="in_work", deadline_kind="none")
        db.session.add(parent)
        rows["3.3.1"].status, rows["3.3.2"].status, rows["3.3.6"].status = "done", "done", "cancelled"
        db.session.commit()
        assert service.rollup(parent) == (2, 5)
        assert service.rollup(rows["3.3.1"]) == (0, 0)
        parent_id = parent.id
    auth.login("auditor", "demo")
    page = client.get(f"/assignments/{parent_id}").get_data(as_text=True)
    assert re.search(r'id="rollup">исполнено 2 из 5', page)


def test_controller_adds_an_assignment_by_hand(app, client, auth, setup):
    with app.app_context():
        doc_id = db.session.scalar(select(Document.id))
        dept = db.session.scalar(select(Body.id).where(Body.name == "Отдел образования"))
    _as(client, auth, "exe")
    assert client.get(f"/documents/{doc_id}/assignments/new").status_code == 403
    _as(client, auth, "ctl")
    token = auth.csrf(f"/documents/{doc_id}/assignments/new")
    response = client.post(f"/documents/{doc_id}/assignments/new", data={
        "csrf_token": token, "action": "Подготовить отчёт.", "lead_body": dept, "deadline": "до 31.02.2027"})
    assert response.status_code == 400 and "Такой даты нет: 31.02.2027" in response.get_data(as_text=True)
    response = client.post(f"/documents/{doc_id}/assignments/new", data={
        "csrf_token": token, "action": "Подготовить отчёт.", "lead_body": dept,
        "deadline": "в срок до 1 марта 2027 года"})
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(select(Assignment).where(Assignment.action == "Подготовить отчёт."))
        assert (added.deadline, added.deadline_kind, added.controller_id, added.status) == (
            date(2027, 3, 1), "by", setup["ctl"], "new")
        assert db.session.query(Assignment).count() == 2
