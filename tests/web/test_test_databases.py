"""The tests' PostgreSQL copies: a copy is put back for the next test only when its schema is the template's, the
very objects included (tests/conftest.py)."""
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_PG, private_app
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not TEST_PG, reason="SQLite copies are files, dropped after each test")


def _used(databases, tmp_path, *statements: str) -> str:
    """The name of a copy a test used, running statements on it."""
    with private_app(databases, "migrated", tmp_path) as app, app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
        return make_url(str(db.engine.url)).database


def test_a_copy_whose_index_was_built_again_is_not_put_back(databases, tmp_path):
    """A migration test that downgrades and upgrades builds indexes again; over a table with updated rows such an
    index may not serve transactions older than it (pg_index.indcheckxmin), and in CI the next test on the copy saw
    a plan without it. Same names, columns and constraints: the copy is still dropped."""
    kept = _used(databases, tmp_path / "kept", "UPDATE body SET name = name")
    assert kept in databases.free["migrated"]
    rebuilt = _used(databases, tmp_path / "rebuilt", "DROP INDEX ix_document_number_lower",
                    "CREATE INDEX ix_document_number_lower ON document (lower(number))")
    assert rebuilt not in databases.free["migrated"]
