"""The tests' PostgreSQL copies: a copy is put back for the next test only when its schema is the template's, the
very objects included (tests/conftest.py)."""
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_PG, _load_demo, private_app
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


def _contents(databases, tmp_path, *statements: str) -> tuple[str, dict]:
    """Run statements on a copy of the demo (each in its own transaction), then read every table's rows and the
    sequences' next values there; returns the copy's name and what was read."""
    with private_app(databases, "demo", tmp_path, _load_demo) as app, app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
            db.session.commit()
        tables = db.session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                         "AND tablename <> 'data_version' ORDER BY tablename")).all()
        read = {table: sorted(map(tuple, db.session.execute(text(f'SELECT * FROM "{table}"'))))  # noqa: S608
                for table in tables}
        read["sequences"] = sorted(map(tuple, db.session.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))))
        db.session.rollback()
        return make_url(str(db.engine.url)).database, read


@pytest.mark.parametrize("change", [
    ("UPDATE document SET title = 'другое' WHERE id = (SELECT min(id) FROM document)",),
    ("DELETE FROM point WHERE id = (SELECT max(id) FROM point)",),
    ("DELETE FROM point WHERE id = (SELECT max(id) FROM point)",  # one row less, one more: the same count
     "INSERT INTO audit_event (at, action, object_type, object_id) SELECT at, 'x', object_type, object_id "
     "FROM audit_event LIMIT 1"),
    ("SAVEPOINT s; UPDATE assignment SET action = 'иное' WHERE id = (SELECT min(id) FROM assignment); "
     "RELEASE SAVEPOINT s",),
    ("SELECT nextval('document_id_seq')",),
], ids=["update", "delete", "delete and insert", "in a savepoint", "a sequence"])
def test_a_copy_is_put_back_whatever_a_test_changed(databases, tmp_path, change):
    """Only the tables a test changed are filled again (their row counts and the row versions written since the
    copy's last put-back tell which): after any change, the next test on the copy reads the template's rows and
    sequences, as after a test that changed nothing."""
    name, template = _contents(databases, tmp_path / "first")
    assert template["document"] and template["point"] and template["assignment"]
    changed_name, changed = _contents(databases, tmp_path / "change", *change)
    assert changed_name == name and changed != template  # the change was made, on the same copy
    again_name, again = _contents(databases, tmp_path / "again")
    assert again_name == name
    assert again == template
