"""Sessions that can be ended (logout, password change, an administrator, time), remember-me tokens that rotate,
login throttling per account and per address, and the policy for new passwords."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import event, select, update

from tests.conftest import TEST_PASSWORD, TODAY, AuthActions, moment
from webapp import create_app
from webapp.extensions import db
from webapp.models import Event, LoginThrottle, User, UserSession
from webapp.services.users import check_password

REMEMBER = "docflow_remember"


def _signed_in(client) -> bool:
    return client.get("/documents").status_code == 200


def _login(client, login="sec", password=TEST_PASSWORD, remember=False):
    data = {"login": login, "password": password, "csrf_token": AuthActions(client).csrf("/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(app, client, auth, make_user):
    make_user("sec", "secretary")
    auth.login("sec")
    stolen = client.get_cookie("session").value
    assert _signed_in(client)
    auth.logout()
    client.set_cookie("session", stolen)
    response = client.get("/assignments")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(UserSession)).one().ended_at is not None


def test_remember_cookies_differ_per_login_rotate_on_use_and_die_at_logout(app, make_user):
    make_user("sec", "secretary")
    first, second = app.test_client(), app.test_client()
    _login(first, remember=True)
    _login(second, remember=True)
    cookie = first.get_cookie(REMEMBER).value
    assert cookie != second.get_cookie(REMEMBER).value  # not the same token on every login

    browser = app.test_client()  # a new browser with only the remember cookie
    browser.set_cookie(REMEMBER, cookie)
    assert _signed_in(browser)
    rotated = browser.get_cookie(REMEMBER).value
    assert rotated != cookie  # used once: a new token
    replay = app.test_client()
    replay.set_cookie(REMEMBER, cookie)
    assert not _signed_in(replay)  # the used cookie opens nothing

    AuthActions(browser).logout()
    after_logout = app.test_client()
    after_logout.set_cookie(REMEMBER, rotated)
    assert not _signed_in(after_logout)


def test_an_idle_session_ends_and_an_active_one_lasts_until_its_absolute_end(app, client, auth, make_user,
                                                                             frozen_clock):
    make_user("sec", "secretary")
    frozen_clock.move_to(moment(TODAY))
    auth.login("sec")
    for minutes in (20, 40, 60):  # a request every 20 minutes keeps it open (idle limit: 30)
        frozen_clock.move_to(moment(TODAY) + timedelta(minutes=minutes))
        assert _signed_in(client)
    frozen_clock.move_to(moment(TODAY) + timedelta(minutes=60 + 31))
    assert not _signed_in(client)

    start = moment(TODAY) + timedelta(hours=2)
    frozen_clock.move_to(start)
    other = app.test_client()
    _login(other)
    for quarter in range(1, 48):  # a request every 15 minutes, for 11 h 45 min
        frozen_clock.move_to(start + timedelta(minutes=15 * quarter))
        assert _signed_in(other)
    frozen_clock.move_to(start + timedelta(hours=11, minutes=59))
    assert _signed_in(other)
    frozen_clock.move_to(start + timedelta(hours=12, minutes=1))
    assert not _signed_in(other)  # SESSION_MAX_HOURS, however busy


def test_a_page_notes_the_activity_while_someone_else_writes(app, client, auth, make_user, frozen_clock):
    """The session's last activity (written once a minute by pages that only read) is written in a transaction of
    its own: another user's write landing just after the session was read neither fails the page (on SQLite a
    transaction that has read cannot take the writer lock after someone else wrote) nor loses the activity."""
    make_user("sec", "secretary")
    make_user("other", "secretary")
    frozen_clock.move_to(moment(TODAY))
    auth.login("sec")
    later = moment(TODAY) + timedelta(minutes=25)
    frozen_clock.move_to(later)
    written = []

    def someone_else_writes(_conn, _cursor, statement, *_args):
        if not written and statement.lstrip().upper().startswith("SELECT") and "FROM user_session" in statement:
            written.append(True)
            with db.engine.connect() as other:  # another request's connection, committed at once
                other.execute(update(User).where(User.login == "other").values(full_name="Другой Пользователь"))
                other.commit()

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", someone_else_writes)
        try:
            assert client.get("/documents").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", someone_else_writes)
        assert written
        seen = db.session.scalar(select(UserSession.last_seen_at).join(User).where(User.login == "sec"))
    assert seen.replace(tzinfo=seen.tzinfo or UTC) >= later - timedelta(seconds=5)  # SQLite gives it naive, in UTC
    frozen_clock.move_to(later + timedelta(minutes=25))  # 50 minutes after the login, 25 after the page
    assert _signed_in(client)


def test_a_remembered_session_survives_idle_hours_but_not_its_days(app, make_user, frozen_clock):
    make_user("sec", "secretary")
    frozen_clock.move_to(moment(TODAY))
    browser = app.test_client()
    _login(browser, remember=True)
    frozen_clock.move_to(moment(TODAY) + timedelta(hours=20))
    assert _signed_in(browser)
    frozen_clock.move_to(moment(TODAY) + timedelta(days=15))
    assert not _signed_in(browser)


def test_a_password_change_ends_every_other_session(app, make_user):
    user_id = make_user("sec", "secretary")
    here, elsewhere = app.test_client(), app.test_client()
    _login(here)
    _login(elsewhere, remember=True)
    token = AuthActions(here).csrf("/account/password")
    new = "Новый-пароль-для-почты"
    response = here.post("/account/password", data={"csrf_token": token, "current": "неверный",
                                                    "new": new, "repeat": new})
    assert response.status_code == 400 and "Текущий пароль введён неверно" in response.get_data(as_text=True)
    response = here.post("/account/password", data={"csrf_token": token, "current": TEST_PASSWORD,
                                                    "new": "qwerty123456", "repeat": "qwerty123456"})
    assert response.status_code == 400 and "Пароль легко подобрать" in response.get_data(as_text=True)
    assert _signed_in(elsewhere)

    response = here.post("/account/password", data={"csrf_token": token, "current": TEST_PASSWORD,
                                                    "new": new, "repeat": new})
    assert response.status_code == 302
    assert _signed_in(here)  # this browser continues with a new session
    assert not _signed_in(elsewhere)
    remembered = app.test_client()
    remembered.set_cookie(REMEMBER, elsewhere.get_cookie(REMEMBER).value if elsewhere.get_cookie(REMEMBER) else "")
    assert not _signed_in(remembered)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert check_password(user, "Новый-пароль-для-почты") and not check_password(user, TEST_PASSWORD)
        assert db.session.scalar(select(Event).where(Event.action == "user.password_change")) is not None


def test_an_administrator_ends_all_sessions_of_a_user(app, make_user):
    target = make_user("sec", "secretary")
    make_user("adm", "admin")
    make_user("head", "head")
    laptop, phone, admin, head = (app.test_client() for _ in range(4))
    _login(laptop)
    _login(phone, remember=True)
    _login(admin, "adm")
    _login(head, "head")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'id="end-sessions-sec"' in page
    token = AuthActions(head).csrf("/documents")
    assert head.post(f"/admin/users/{target}/end-sessions", data={"csrf_token": token}).status_code == 403
    assert _signed_in(laptop) and _signed_in(phone)
    token = AuthActions(admin).csrf("/admin/users")
    assert admin.post(f"/admin/users/{target}/end-sessions", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(laptop) and not _signed_in(phone)
    assert _signed_in(admin) and _signed_in(head)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.action == "user.end_sessions"))
        assert event.after == {"login": "sec", "sessions_ended": 2}


def test_fifty_wrong_passwords_then_the_right_one_is_refused(app, client, make_user, frozen_clock):
    make_user("admin", "admin")
    statuses = []
    for i in range(50):  # all within the first second: on a busy machine fifty logins could outlast the wait
        frozen_clock.move_to(moment(TODAY))
        statuses.append(_login(client, "admin", f"wrong-{i}").status_code)
    assert statuses[:3] == [401, 401, 401] and set(statuses[3:]) == {429}  # waits after three failures
    frozen_clock.move_to(moment(TODAY))
    response = _login(client, "admin")
    assert response.status_code == 429 and "Слишком много неудачных попыток входа" in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_delays_grow_then_the_account_is_locked_for_a_while(app, client, make_user, frozen_clock):
    make_user("sec", "secretary")
    start = moment(TODAY)
    frozen_clock.move_to(start)
    for attempt in range(10):  # each try after the allowed wait: ten counted failures
        frozen_clock.move_to(start + timedelta(minutes=2 * attempt))
        assert _login(client, "sec", "wrong").status_code == 401
    frozen_clock.move_to(start + timedelta(minutes=18 + 5))
    response = _login(client, "sec")
    assert response.status_code == 429 and "мин" in response.get_data(as_text=True)
    frozen_clock.move_to(start + timedelta(minutes=18 + 16))
    assert _login(client, "sec").status_code == 302  # the lockout (15 minutes) is over
    with app.app_context():
        assert db.session.get(LoginThrottle, "login:sec").failures == 0  # the account's streak ended


def test_one_address_trying_many_accounts_is_locked_out(app, client, make_user, frozen_clock):
    make_user("sec", "secretary")
    start = moment(TODAY)
    for attempt in range(50):  # one failure per account: no account is throttled, the address is
        frozen_clock.move_to(start + timedelta(seconds=attempt))
        assert _login(client, f"guess{attempt}", "wrong").status_code in (401, 429)
    frozen_clock.move_to(start + timedelta(minutes=2))
    assert _login(client, "sec").status_code == 429
    other_address = app.test_client()
    response = other_address.post("/login", environ_base={"REMOTE_ADDR": "192.0.2.7"}, data={
        "login": "sec", "password": TEST_PASSWORD,
        "csrf_token": AuthActions(other_address).csrf("/login")})
    assert response.status_code == 302


def test_failures_are_counted_across_worker_processes(app, make_user):
    """Two app instances on one database, as two gunicorn workers or two hosts: they share the counters."""
    make_user("sec", "secretary")
    other = create_app({key: app.config[key] for key in ("TESTING", "DATABASE_URL", "SECRET_KEY", "FILES_DIR",
                                                         "PASSWORD_HASH")})
    try:
        first, second = app.test_client(), other.test_client()
        for client in (first, second, first):
            assert _login(client, "sec", "wrong").status_code == 401
        assert _login(second, "sec").status_code == 429
    finally:
        with other.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("remember", [False, True])
def test_a_deactivated_user_is_signed_out_at_once(app, make_user, remember):
    user_id = make_user("sec", "secretary")
    client = app.test_client()
    _login(client, remember=remember)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert not _signed_in(client)
