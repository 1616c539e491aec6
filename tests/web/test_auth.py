"""Login, logout, wrong password, CSRF and the session cookie."""

import pytest

from tests.conftest import TEST_PASSWORD


def test_login_page_renders_in_russian(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Вход в Docflow" in page and 'name="csrf_token"' in page


def test_login_and_logout(client, auth, make_user):
    make_user("sec", "secretary")
    response = auth.login("sec")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks")  # «Мои задачи»
    assert "Пользователь sec" in client.get("/documents").get_data(as_text=True)
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/documents").status_code == 302  # back to the login page


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    make_user("sec", "secretary")
    response = auth.login("sec")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("login,password", [("sec", "wrong"), ("nobody", TEST_PASSWORD), ("SEC", "wrong")])
def test_wrong_credentials_are_refused(client, auth, make_user, login, password):
    make_user("sec", "secretary")
    response = auth.login(login, password)
    assert response.status_code == 401
    assert "Неверный логин или пароль" in response.get_data(as_text=True)
    assert client.get("/documents").status_code == 302


def test_inactive_user_cannot_log_in(app, client, auth, make_user):
    from webapp.extensions import db
    from webapp.models import User

    user_id = make_user("sec", "secretary")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert auth.login("sec").status_code == 401


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user("sec", "secretary")
    response = client.post("/login", data={"login": "sec", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "защитный токен" in response.get_data(as_text=True)
    assert client.get("/documents").status_code == 302  # not logged in


def test_logged_in_post_without_csrf_changes_nothing(app, client, auth, make_user):
    from webapp.extensions import db
    from webapp.models import Document

    make_user("sec", "secretary")
    auth.login("sec")
    response = client.post("/documents/new", data={"op": "save", "doc_type": "protocol", "title": "Без токена"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(Document).count() == 0


def test_next_parameter_cannot_redirect_elsewhere(client, auth, make_user):
    make_user("sec", "secretary")
    token = auth.csrf("/login")
    response = client.post("/login?next=//evil.example/x",
                           data={"login": "sec", "password": TEST_PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/tasks")


def test_passwords_are_hashed_with_the_configured_argon2_cost_and_upgraded_at_login(app, client, auth, make_user):
    """Tests use the cheapest cost (conftest); an installation has argon2-cffi's default, and a hash of another
    cost is replaced by one of the configured cost when its user next logs in."""
    from argon2 import extract_parameters

    from webapp.config import DEFAULTS
    from webapp.extensions import db
    from webapp.models import User

    user_id = make_user("sec", "secretary")
    with app.app_context():
        cheap = db.session.get(User, user_id).password_hash
    assert extract_parameters(cheap).memory_cost == 8
    app.config["PASSWORD_HASH"] = DEFAULTS["PASSWORD_HASH"]
    assert auth.login("sec", "wrong").status_code == 401
    with app.app_context():
        assert db.session.get(User, user_id).password_hash == cheap  # a wrong password upgrades nothing
    assert auth.login("sec").status_code == 302
    with app.app_context():
        upgraded = extract_parameters(db.session.get(User, user_id).password_hash)
    assert (upgraded.time_cost, upgraded.memory_cost, upgraded.parallelism) == (3, 65536, 4)
    auth.logout()
    assert auth.login("sec").status_code == 302  # the upgraded hash still checks the same password
