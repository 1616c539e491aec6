"""How the service's own database sessions are set up, as a page's queries run in them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from webapp.extensions import db


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
