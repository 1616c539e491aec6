"""The Server-Timing header that bench/run.py reads: on every response when SERVER_TIMING is set, with the app's
time and the number of SQL statements the request ran; absent by default."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEST_PASSWORD, AuthActions, counted_statements, private_app
from webapp.extensions import db
from webapp.services.users import create_user

HEADER = re.compile(r'^app;dur=(\d+\.\d+), sql;dur=(\d+\.\d+);desc="(\d+) statements"$')


@pytest.fixture
def timed_app(databases, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCFLOW_SERVER_TIMING", "1")  # as the bench sets it for gunicorn
    with private_app(databases, "migrated", tmp_path) as app:
        yield app


def test_a_page_says_its_time_and_statements(timed_app):
    with timed_app.app_context():
        create_user("kontrol", "Контролёр", TEST_PASSWORD, ["controller"], [])
        db.session.commit()
    client = timed_app.test_client()
    assert AuthActions(client).login("kontrol").status_code == 302
    with counted_statements(timed_app) as seen:
        response = client.get("/documents")
    assert response.status_code == 200
    app_ms, sql_ms, statements = HEADER.match(response.headers["Server-Timing"]).groups()
    assert int(statements) == len(seen) > 0
    assert float(app_ms) >= float(sql_ms)


def test_the_bare_route_runs_no_sql(timed_app):
    response = timed_app.test_client().get("/healthz")
    assert response.get_data(as_text=True) == "ok"
    assert HEADER.match(response.headers["Server-Timing"]).group(3) == "0"


def test_absent_by_default(client):
    assert "Server-Timing" not in client.get("/healthz").headers
    assert "Server-Timing" not in client.get("/login").headers
