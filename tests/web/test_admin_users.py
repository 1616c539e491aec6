"""Accounts through HTTP as an administrator: create with a password or an invitation link, set a password through
the link (once), roles and bodies with positions, deactivate (no login, sessions ended), reset a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, TODAY, AuthActions, FrozenClock
from webapp.extensions import db
from webapp.models import Body, Event, Invitation, User
from webapp.services import sessions

NEW_PASSWORD = "тихий-вечер-над-рекой-2026"  # noqa: S105 - the password a new user chooses in these tests


@pytest.fixture
def admin(app, make_user, auth):
    make_user("boss", "admin")
    with app.app_context():
        db.session.add_all([Body(name="Отдел кадров", aliases=[]), Body(name="Архив", aliases=[])])
        db.session.commit()
    assert auth.login("boss").status_code == 302
    return auth


def _body_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Body.id).where(Body.name == name))


def _user(app, login: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        db.session.expunge_all()
        return user


def _new(client, auth, **fields):
    data = {"csrf_token": auth.csrf("/admin/users/new"), "login": "petrova", "full_name": "Петрова Анна Игоревна",
            "position": "Специалист", "roles": ["executor"], "memberships-0-body": "0", "memberships-1-body": "0",
            **fields}
    return client.post("/admin/users/new", data=data)


def _link(response) -> str:
    match = re.search(r'id="invite-link">https?://[^/]+(/welcome/[^<]+)<', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:3000]
    return match.group(1)


def _log_in(client, auth, login: str, password: str) -> int:
    auth.logout()
    return auth.login(login, password).status_code


def test_create_with_a_password_and_bodies_with_positions(app, client, admin):
    hr = _body_id(app, "Отдел кадров")
    response = _new(client, admin, password=TEST_PASSWORD, **{"memberships-0-body": str(hr),
                                                              "memberships-0-position": "Начальник отдела"})
    assert response.status_code == 302
    user = _user(app, "petrova")
    with app.app_context():
        user = db.session.get(User, user.id)
        assert user.roles == {"executor"} and [(m.body.name, m.position) for m in user.memberships] == [
            ("Отдел кадров", "Начальник отдела")]
        event = db.session.scalar(select(Event).where(Event.action == "user.create"))
        assert event.after["login"] == "petrova" and event.actor.login == "boss"
    assert _log_in(client, admin, "petrova", TEST_PASSWORD) == 302


def test_a_weak_password_or_a_taken_login_is_refused_in_russian(app, client, admin):
    response = _new(client, admin, password="12345678")
    assert response.status_code == 400 and "Пароль должен быть не короче" in response.get_data(as_text=True)
    response = _new(client, admin, login="boss", password=TEST_PASSWORD)
    assert response.status_code == 409 and "Пользователь с логином «boss» уже есть." in response.get_data(as_text=True)
    assert _user(app, "petrova") is None


def test_an_invitation_link_sets_the_password_once(app, client, admin, frozen_clock: FrozenClock):
    response = _new(client, admin, invite_days="3")
    assert response.status_code == 200
    link = _link(response)
    with app.app_context():
        row = db.session.scalar(select(Invitation))
        assert row.token_hash != link.rsplit("/", 1)[1] and len(row.token_hash) == 64  # only the hash is stored
    auth = admin
    auth.logout()
    page = client.get(link).get_data(as_text=True)
    assert "Петрова Анна Игоревна" in page and "petrova" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(link, data={"csrf_token": token, "new": "короткий", "repeat": "короткий"})
    assert response.status_code == 400 and "Пароль должен быть не короче" in response.get_data(as_text=True)
    response = client.post(link, data={"csrf_token": token, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get(link).status_code == 404  # spent
    assert auth.login("petrova", NEW_PASSWORD).status_code == 302
    assert client.get("/tasks").status_code == 200


def test_an_expired_link_opens_nothing(app, client, admin, frozen_clock: FrozenClock):
    link = _link(_new(client, admin, invite_days="1"))
    admin.logout()
    frozen_clock.move_to(TODAY + timedelta(days=2))
    response = client.get(link)
    assert response.status_code == 404 and "Ссылка недействительна" in response.get_data(as_text=True)


def test_roles_and_bodies_change(app, client, admin, make_user):
    uid = make_user("ivanov", "executor", bodies=["Отдел кадров"])
    archive = _body_id(app, "Архив")
    page = f"/admin/users/{uid}"
    bodies = client.get(page).get_data(as_text=True).split('id="memberships"')[1].split("</fieldset>")[0]
    assert 'name="memberships-0-body_name" value="Отдел кадров"' in bodies  # a picker showing her body
    assert "Архив" not in bodies and "<option" not in bodies  # and no list of every body
    response = client.post(page, data={"csrf_token": admin.csrf(page), "login": "ivanov", "full_name": "Иванов И. И.",
                                       "roles": ["controller", "approver"], "memberships-0-body": str(archive),
                                       "memberships-0-position": "Архивист", "memberships-1-body": "0"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.roles == {"controller", "approver"}
        assert [(m.body.name, m.position) for m in user.memberships] == [("Архив", "Архивист")]
        event = db.session.scalar(select(Event).where(Event.action == "user.update"))
        assert event.before["roles"] == ["executor"] and event.after["roles"] == ["approver", "controller"]
    assert "Изменены сведения о пользователе" in client.get("/audit").get_data(as_text=True)
    history = client.get(page).get_data(as_text=True).split('id="object-history"')[1]  # the user's own page
    assert "Изменены сведения о пользователе" in history and "Исполнитель → Согласующий, Контролёр" in history


def test_deactivated_user_cannot_log_in_and_her_sessions_end(app, client, admin, make_user):
    uid = make_user("leaver", "executor")
    other = app.test_client()
    AuthActions(other).login("leaver")
    assert other.get("/tasks").status_code == 200
    page = f"/admin/users/{uid}"
    response = client.post(f"{page}/active", data={"csrf_token": admin.csrf(page)}, follow_redirects=True)
    assert "учётная запись отключена, завершено сеансов — 1" in response.get_data(as_text=True)
    assert other.get("/tasks").status_code == 302  # signed out
    assert AuthActions(other).login("leaver").status_code == 401
    # and back
    client.post(f"{page}/active", data={"csrf_token": admin.csrf(page)})
    assert AuthActions(other).login("leaver").status_code == 302


def test_an_admin_cannot_lock_herself_out(app, client, admin):
    boss = _user(app, "boss")
    page = f"/admin/users/{boss.id}"
    response = client.post(f"{page}/active", data={"csrf_token": admin.csrf(page)}, follow_redirects=True)
    assert "Нельзя отключить самого себя." in response.get_data(as_text=True)
    assert _user(app, "boss").active


def test_reset_password_stops_the_old_one_and_gives_a_link(app, client, admin, make_user):
    uid = make_user("forgot", "executor")
    page = f"/admin/users/{uid}"
    response = client.post(f"{page}/reset", data={"csrf_token": admin.csrf(page), "days": "2"})
    assert response.status_code == 200
    link = _link(response)
    second = app.test_client()
    assert AuthActions(second).login("forgot").status_code == 401  # the old password is gone
    page_html = second.get(link).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_html).group(1)
    second.post(link, data={"csrf_token": token, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert AuthActions(second).login("forgot", NEW_PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Event).where(Event.action == "user.password_reset")) is not None
    with app.app_context():
        assert sessions.open_session_counts().get(uid) == 1
