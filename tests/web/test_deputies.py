"""Замещение through HTTP: an administrator makes the approver stand in for the absent head; during the period the
deputy finds the head's order in «Мои задачи» and her notifications, signs it, and the history says «… за …»;
outside the period, or without a deputy, the same request is refused and nothing changes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, FrozenClock, audit_events
from webapp.extensions import db
from webapp.models import Deputy, Document, Event, Notification, User
from webapp.services import transitions
from webapp.services.documents import DraftData, PointData, create_draft


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


@pytest.fixture
def order_on_signing(demo_app):
    """An order of the department, approved, waiting for the head's signature."""
    with demo_app.app_context():
        institute = _user("executor").bodies[0]
        doc = create_draft(_user("secretary"), DraftData(
            doc_type="order", title="О замещении в приказе", event_date=date(2026, 11, 20),
            points=[PointData(text="Подготовить справку.", number="1", responsible_ids=[institute.id],
                              deadline_text="до 20.12.2026")]))
        transitions.add_approver(_user("secretary"), doc, _user("approver"))
        transitions.fire(_user("secretary"), doc, "submit", None, doc.version)
        transitions.decide(_user("approver"), doc, "approved", None, doc.version)
        transitions.fire(_user("secretary"), doc, "send_to_signing", None, doc.version)
        db.session.commit()
        return doc.id


def _add_deputy(client, auth, deputy: str, principal: str, starts: str, ends: str):
    auth.logout()
    auth.login("admin", "demo")
    with client.application.app_context():
        ids = {login: _user(login).id for login in (deputy, principal)}
    return client.post("/admin/deputies", data={
        "csrf_token": auth.csrf("/admin/deputies"), "deputy": str(ids[deputy]), "principal": str(ids[principal]),
        "starts_on": starts, "ends_on": ends})


def _sign(client, auth, login: str, document_id: int):
    auth.logout()
    auth.login(login, "demo")
    with client.application.app_context():
        version = db.session.get(Document, document_id).version
    return client.post(f"/documents/{document_id}/transition", data={
        "csrf_token": auth.csrf(f"/documents/{document_id}"), "transition": "sign", "version": str(version)})


def _sign_count(client) -> int:
    page = client.get("/tasks").get_data(as_text=True)
    return int(re.search(r'id="count-sign">[^<]*<span class="badge[^"]*">(\d+)<', page).group(1))


def test_the_deputy_signs_for_the_absent_head(demo_app, client, auth, order_on_signing):
    doc_id = order_on_signing
    assert _sign(client, auth, "approver2", doc_id).status_code == 403  # nobody's deputy yet
    assert _sign_count(client) == 0
    response = _add_deputy(client, auth, "approver2", "head", "23.11.2026", "27.11.2026")
    assert response.status_code == 302
    auth.logout()
    auth.login("approver2", "demo")
    assert _sign_count(client) == 1  # the head's order waits in the deputy's inbox
    inbox = client.get("/tasks").get_data(as_text=True)
    assert "Вы замещаете: Цулая Лариса Владимировна." in inbox
    assert re.search(rf'/documents/{doc_id}">[^<]+</a> <span class="badge text-bg-warning for-whom">за: Цулая Лариса '
                     "Владимировна</span>", inbox)  # whose task it is
    assert f'/documents/{doc_id}"' in client.get("/tasks").get_data(as_text=True)
    notices = client.get("/notifications").get_data(as_text=True)
    assert "для Цулая Лариса Владимировна" in notices  # the head's notice about the order, shown to her deputy
    with demo_app.app_context():
        unread = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id.in_([_user("head").id, _user("approver2").id]), Notification.read_at.is_(None)))
    assert unread >= 1
    assert re.search(rf'id="notifications-link">Уведомления <span class="badge[^"]*">{unread}<', notices)
    assert 'id="t-sign"' in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert _sign(client, auth, "approver2", doc_id).status_code == 302
    with demo_app.app_context():
        doc = db.session.get(Document, doc_id)
        assert doc.state == "published" and doc.number
        signed = db.session.scalar(select(Event).where(Event.action == "transition.sign"))
        assert signed.actor.login == "approver2" and signed.acting_for.login == "head"
    history = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Сидоров А. В. за Цулая Л. В." in history
    auth.logout()
    auth.login("admin", "demo")
    assert "Сидоров А. В. за Цулая Л. В." in client.get("/audit").get_data(as_text=True)


def test_whom_she_stands_in_for_is_asked_only_of_a_deputy(demo_app, client, auth, order_on_signing,
                                                          frozen_clock: FrozenClock):
    """Her session's statement tells whether she stands in for anyone today: a page of someone who stands in for
    nobody runs no statement of her principals; a deputy's page does (and her inbox holds the head's task), and the
    day her period ends it does not any more."""
    from tests.conftest import counted_statements

    def principals_asked() -> tuple[bool, int]:
        with counted_statements(demo_app) as seen:
            count = _sign_count(client)
        return any("JOIN deputy ON deputy.principal_id = user_account.id" in s for s in seen), count

    auth.login("approver2", "demo")
    assert principals_asked() == (False, 0)
    assert _add_deputy(client, auth, "approver2", "head", "23.11.2026", "24.11.2026").status_code == 302
    auth.logout()
    auth.login("approver2", "demo")
    assert principals_asked() == (True, 1)
    frozen_clock.move_to(date(2026, 11, 25))
    auth.login("approver2", "demo")  # (the session idled out over the two days)
    assert principals_asked() == (False, 0)


def test_after_the_period_the_deputy_acts_no_more(demo_app, client, auth, order_on_signing,
                                                   frozen_clock: FrozenClock):
    doc_id = order_on_signing
    assert _add_deputy(client, auth, "approver2", "head", "23.11.2026", "24.11.2026").status_code == 302
    frozen_clock.move_to(date(2026, 11, 25))
    response = _sign(client, auth, "approver2", doc_id)
    assert response.status_code == 403
    assert _sign_count(client) == 0
    with demo_app.app_context():
        assert db.session.get(Document, doc_id).state == "on_signing"


def test_an_ended_deputy_acts_no_more(demo_app, client, auth, order_on_signing):
    doc_id = order_on_signing
    _add_deputy(client, auth, "approver2", "head", "23.11.2026", "30.11.2026")
    with demo_app.app_context():
        row_id = db.session.scalar(select(Deputy.id))
    page = client.get("/admin/deputies").get_data(as_text=True)
    assert "Цулая Лариса Владимировна" in page and "действует" in page
    response = client.post(f"/admin/deputies/{row_id}/end", data={"csrf_token": auth.csrf("/admin/deputies")})
    assert response.status_code == 302
    assert _sign(client, auth, "approver2", doc_id).status_code == 403
    with demo_app.app_context():
        assert [e.action for e in audit_events(Event.action.like("deputy.%"))] == [
            "deputy.add", "deputy.end"]


@pytest.mark.parametrize(("deputy", "principal", "starts", "ends", "message"), [
    ("head", "head", "23.11.2026", "30.11.2026", "Сотрудник не может замещать сам себя."),
    ("approver2", "head", "30.11.2026", "23.11.2026", "Дата окончания замещения раньше даты начала."),
    ("approver2", "head", "01.11.2026", "20.11.2026", "Период замещения уже прошёл."),
    ("approver2", "head", "32.11.2026", "30.11.2026", "Такой даты нет: 32.11.2026"),
])
def test_a_bad_period_is_refused_in_russian(demo_app, client, auth, deputy, principal, starts, ends, message):
    response = _add_deputy(client, auth, deputy, principal, starts, ends)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.scalar(select(Deputy)) is None


def test_the_deputy_does_not_get_the_admin_rights(demo_app, client, auth):
    """Standing in for an administrator gives her tasks, never the administration."""
    _add_deputy(client, auth, "approver2", "admin", TODAY.strftime("%d.%m.%Y"), "30.11.2026")
    auth.logout()
    auth.login("approver2", "demo")
    assert client.get("/admin/users").status_code == 403


def test_the_head_names_her_own_deputy_and_nobody_else_s(demo_app, client, auth, order_on_signing):
    doc_id = order_on_signing
    auth.login("head", "demo")
    with demo_app.app_context():
        deputy_id = _user("approver2").id
    response = client.post("/account/deputies", data={"csrf_token": auth.csrf("/account/deputies"),
                                                      "deputy": str(deputy_id), "starts_on": "23.11.2026",
                                                      "ends_on": "27.11.2026"})
    assert response.status_code == 302
    assert "Сидоров Алексей Викторович замещает вас" in client.get("/account/deputies").get_data(as_text=True)
    with demo_app.app_context():
        row = db.session.scalar(select(Deputy))
        assert (row.deputy.login, row.principal.login, row.created_by_id) == ("approver2", "head", _user("head").id)
    # the deputy may not end it (only the principal or an administrator)
    assert _sign(client, auth, "approver2", doc_id).status_code == 302
    response = client.post(f"/account/deputies/{row.id}/end", data={"csrf_token": auth.csrf("/account/deputies")},
                           follow_redirects=True)
    assert "Назначить замещающего может администратор или сам замещаемый сотрудник." in response.get_data(
        as_text=True)
    auth.logout()
    auth.login("head", "demo")
    page = client.get("/account/deputies").get_data(as_text=True)  # a picker: nobody listed in advance
    form = page.split('id="own-deputy-form"')[1].split("</form>")[0]
    assert 'name="deputy_name"' in form and "<option" not in form and "Сидоров" not in form


def _user_id(app, login: str) -> int:
    with app.app_context():
        return _user(login).id


def test_the_deputy_approves_on_her_principal_s_route_step(demo_app, client, auth):
    """The approver is away: her deputy finds the document under «На согласование» and decides on her step."""
    with demo_app.app_context():
        institute = _user("executor").bodies[0]
        doc = create_draft(_user("secretary"), DraftData(
            doc_type="order", title="О согласовании за отсутствующего", event_date=date(2026, 11, 20),
            points=[PointData(text="Подготовить справку.", number="1", responsible_ids=[institute.id])]))
        transitions.add_approver(_user("secretary"), doc, _user("approver"))
        transitions.fire(_user("secretary"), doc, "submit", None, doc.version)
        db.session.commit()
        doc_id, version = doc.id, doc.version
    _add_deputy(client, auth, "controller", "approver", "23.11.2026", "24.11.2026")
    auth.logout()
    auth.login("controller", "demo")
    assert f'/documents/{doc_id}"' in client.get("/tasks").get_data(as_text=True).split('id="approve"')[1]
    response = client.post(f"/documents/{doc_id}/approval/decide", data={
        "csrf_token": auth.csrf(f"/documents/{doc_id}"), "decision": "approved", "version": str(version)})
    assert response.status_code == 302
    with demo_app.app_context():
        step = db.session.get(Document, doc_id).approval_steps[0]
        assert step.user.login == "approver" and step.decision == "approved"
        event = db.session.scalar(select(Event).where(Event.action == "approval.approved"))
        assert (event.actor.login, event.acting_for.login) == ("controller", "approver")


def test_the_controller_s_deputy_accepts_a_report(demo_app, client, auth):
    """Reports on the controller's assignments wait in her deputy's inbox; the deputy accepts one «за» her."""
    from webapp.models import Assignment, AssignmentStatus
    from webapp.services import assignments

    with demo_app.app_context():
        controller, executor = _user("controller"), _user("executor")
        assignment = next(a for a in db.session.scalars(select(Assignment).where(
            Assignment.status == AssignmentStatus.new, Assignment.deadline_kind != "periodic").order_by(Assignment.id))
            if a.lead_body_id in {b.id for b in executor.bodies})
        assignment.controller_id = controller.id  # the controller of one of the executor's new assignments
        assignments.take_into_work(executor, assignment)
        assignments.submit_report(executor, assignment, "Справка подготовлена.")
        db.session.commit()
        assignment_id = assignment.id
    _add_deputy(client, auth, "auditor", "controller", "23.11.2026", "25.11.2026")
    auth.logout()
    auth.login("auditor", "demo")
    reports = client.get("/tasks").get_data(as_text=True).split('id="reports"')[1].split("</section>")[0]
    assert f'/assignments/{assignment_id}"' in reports and "за: Суртаева Анна Михайловна" in reports
    response = client.post(f"/assignments/{assignment_id}/review", data={
        "csrf_token": auth.csrf(f"/assignments/{assignment_id}"), "decision": "accept"})
    assert response.status_code == 302
    with demo_app.app_context():
        assert db.session.get(Assignment, assignment_id).status == AssignmentStatus.done
        event = db.session.scalar(select(Event).where(Event.action == "assignment.accept"))
        assert (event.actor.login, event.acting_for.login) == ("auditor", "controller")
    assert "Петров С. Н. за Суртаева А. М." in client.get(f"/assignments/{assignment_id}").get_data(as_text=True)
