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
