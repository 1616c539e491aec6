"""How the service's own database sessions are set up, as a page's queries run in them."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import AuthActions
from webapp.extensions import db
from webapp.models import Body
from webapp.postgresql import KeepingPrepared


def test_postgresql_sessions_run_without_jit(app):
    """JIT compiling of a costly statement took seconds of a dashboard request (the wide aggregates at 100,000
    assignments): the service's connections turn it off for every query, not a page at a time."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("JIT is PostgreSQL's")
        assert db.session.scalar(text("SHOW jit")) == "off"
        db.session.rollback()
        with db.engine.connect() as another:  # a fresh connection of the pool, outside the session
            assert another.scalar(text("SHOW jit")) == "off"


def test_the_url_s_own_options_are_kept_beside_the_service_s(app):
    """A DATABASE_URL's «options» (a statement_timeout, a read-only session) reach PostgreSQL with the service's
    «-c jit=off» — the service's connect_args used to replace them, silently (the benchmarks' read-only sessions
    were writable)."""
    from webapp import create_app

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL connection's options")
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    url += ("&" if "?" in url else "?") + "options=-c%20statement_timeout%3D4321"
    other = create_app({**app.config, "DATABASE_URL": url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    with other.app_context():
        try:
            assert db.session.scalar(text("SHOW statement_timeout")) == "4321ms"
            assert db.session.scalar(text("SHOW jit")) == "off"
        finally:
            db.session.rollback()
            db.engine.dispose()


def test_postgresql_statements_stay_prepared_from_one_request_to_the_next(demo_app):
    """Every page that only reads ends in a rollback, and psycopg's own deallocated all of the connection's prepared
    statements there: the menu's statement, without parameters, was planned again on every page, and a statement
    with parameters never reached its generic plan. Now both stay prepared."""
    with demo_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's prepared statements")
    client = demo_app.test_client()
    assert AuthActions(client).login("executor", "demo").status_code == 302
    for _ in range(12):  # psycopg prepares a statement on its sixth run on a connection (the pool may hold two)
        assert client.get("/documents").status_code == 200
    with demo_app.app_context(), db.engine.connect() as connection:
        prepared = connection.execute(text(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")).all()
    menu = [row for row in prepared if "FROM notification" in row.statement]
    assert menu and menu[0].generic_plans >= 1, prepared  # run again, prepared, past the requests' rollbacks
    assert any("$1" in row.statement for row in prepared), prepared


def test_a_pooler_in_transaction_mode_can_have_nothing_prepared(app):
    """Behind PgBouncer in transaction mode (before 1.21) a prepared statement may meet another server connection:
    the README's setting for it (psycopg's prepare_threshold=None through the engine's connect_args) reaches every
    connection, beside the service's own options."""
    from webapp import create_app

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's prepared statements")
    other = create_app({**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_pre_ping": True, "connect_args": {"prepare_threshold": None}}})
    with other.app_context():
        try:
            for _ in range(8):
                assert db.session.scalar(text("SELECT count(*) FROM body WHERE id > :id"), {"id": 0}) >= 0
            assert db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0
            assert db.session.scalar(text("SHOW jit")) == "off"
        finally:
            db.session.rollback()
            db.engine.dispose()


def test_postgresql_rollback_still_rolls_back(app):
    """The rollback that keeps the prepared statements undoes the transaction as psycopg's own, after an error
    too, and leaves the connection to be used again."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's connections")
        db.session.add(Body(name="Откатываемый орган"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM body WHERE name = 'Откатываемый орган'")) == 0
        db.session.add(Body(name="Откатываемый орган"))
        db.session.flush()
        with pytest.raises(DBAPIError):  # the transaction fails: PostgreSQL refuses anything but its end
            db.session.execute(text("SELECT 1 / 0"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM body WHERE name = 'Откатываемый орган'")) == 0
        assert isinstance(db.session.connection().connection.dbapi_connection, KeepingPrepared)
        db.session.rollback()


@pytest.mark.parametrize(("setting", "synchronous"), [(None, 2), ("true", 2), ("false", 1)])
def test_sqlite_waits_for_the_disk_at_every_commit_unless_told_not_to(app, monkeypatch, setting, synchronous):
    """By default a SQLite commit is on the disk before the service answers (synchronous=FULL, 2): a registered
    number survives a power cut. DOCFLOW_SQLITE_SYNC_EVERY_COMMIT=false (the tests' throwaway databases) gives
    NORMAL (1), on every connection of the pool."""
    from webapp import create_app

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's own setting")
    if setting is None:
        monkeypatch.delenv("DOCFLOW_SQLITE_SYNC_EVERY_COMMIT", raising=False)
    else:
        monkeypatch.setenv("DOCFLOW_SQLITE_SYNC_EVERY_COMMIT", setting)
    config = {key: value for key, value in app.config.items() if key != "SQLITE_SYNC_EVERY_COMMIT"}
    other = create_app(config)
    with other.app_context():
        try:
            assert db.session.scalar(text("PRAGMA synchronous")) == synchronous
            with db.engine.connect() as another:  # a second connection, while the session holds its own
                assert another.scalar(text("PRAGMA synchronous")) == synchronous
        finally:
            db.session.remove()
            db.engine.dispose()
