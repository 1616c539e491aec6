"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL when DOCFLOW_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.extensions import db
from webapp.services.users import create_user

TEST_PG = os.environ.get("DOCFLOW_TEST_DATABASE_URL")


def _database_url(tmp_path) -> tuple[str, callable]:
    """A private database per test: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if not TEST_PG:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}", lambda: None
    name = f"docflow_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_PG.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", TEST_PG)

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(autouse=True)
def _private_instance(tmp_path, monkeypatch):
    """No test writes into the clone's instance/ folder."""
    monkeypatch.setenv("DOCFLOW_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def app(tmp_path):
    url, drop = _database_url(tmp_path)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "FILES_DIR": str(tmp_path / "files"),
    })
    with app.app_context():
        from webapp.cli import migrate_database

        migrate_database()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """A factory: make_user("sec", "secretary") creates a user with password 'pw'."""

    def make(login: str, *roles: str, bodies: list[str] = ()):
        with app.app_context():
            user = create_user(login, f"Пользователь {login}", "pw-1234", list(roles), list(bodies))
            db.session.commit()
            return user.id

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def csrf(self, path: str = "/login") -> str:
        page = self._client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, login: str, password: str = "pw-1234"):  # noqa: S107 - test password
        return self._client.post("/login", data={"login": login, "password": password,
                                                 "csrf_token": self.csrf("/login")})

    def logout(self):
        response = self._client.get("/documents")
        if response.status_code != 200:
            return response  # nobody is logged in
        return self._client.post("/logout", data={"csrf_token": self.csrf("/documents")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def demo_app(app):
    from webapp.demo.loader import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
    return app
