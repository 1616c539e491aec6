"""Model constraints hold in the database itself, on SQLite and PostgreSQL alike."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Membership, Point, User, UserRole
from webapp.services.files import read_bytes, store_bytes


def _user(login="u"):
    return User(login=login, full_name="Иванов И.И.", password_hash="x")


@pytest.mark.parametrize("make", [
    lambda: [Body(name="Орган"), Body(name="Орган")],
    lambda: [_user("same"), _user("same")],
    lambda: [Document(doc_type="memo", title="Неизвестный вид")],
    lambda: [Document(doc_type="order", title="a", slug="s"), Document(doc_type="order", title="b", slug="s")],
    lambda: [Document(doc_type="order", title="t", points=[Point(kind="chapter", text="x")])],
    lambda: [UserRole(user=_user(), role="superuser")],
])
def test_constraints_reject_bad_rows(app, make):
    with app.app_context():
        db.session.add_all(make())
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_assignment_status_and_kind_are_checked(app):
    with app.app_context():
        doc = Document(doc_type="order", title="t")
        db.session.add(Assignment(document=doc, action="a", status="lost"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(Assignment(document=Document(doc_type="order", title="t"), action="a", deadline_kind="soon"))
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_membership_is_unique_and_deleting_a_document_deletes_its_points(app):
    with app.app_context():
        body, user = Body(name="Орган"), _user()
        db.session.add_all([Membership(user=user, body=body), Membership(user=user, body=body)])
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        doc = Document(doc_type="protocol", title="t")
        parent = Point(document=doc, number="1", text="a")
        Point(document=doc, parent=parent, number="1.1", text="b")
        db.session.add(doc)
        db.session.commit()
        db.session.delete(doc)
        db.session.commit()
        assert db.session.query(Point).count() == 0


def test_document_version_counter_refuses_a_stale_update(app):
    with app.app_context():
        doc = Document(doc_type="order", title="t")
        db.session.add(doc)
        db.session.commit()
        assert doc.version == 1
        doc.title = "t2"
        db.session.commit()
        assert doc.version == 2
        # someone else saved meanwhile
        db.session.execute(db.update(Document).values(version=5).execution_options(synchronize_session=False))
        doc.title = "t3"
        with pytest.raises(StaleDataError):
            db.session.commit()


def test_body_matches_aliases_and_subtree(app):
    with app.app_context():
        parent = Body(name="Управление образования", aliases=[])
        child = Body(name="Информационно-методический отдел", parent=parent, short_name="ИМО",
                     aliases=["информационно-методический отдел управления"])
        db.session.add_all([parent, child])
        db.session.flush()
        assert child.matches("ИМО") and child.matches("Информационно-методический  отдел управления")
        assert parent.subtree_ids() == {parent.id, child.id}


def test_stored_files_are_content_addressed(app, tmp_path):
    with app.app_context():
        first = store_bytes(b"report", "../../etc/passwd", "text/plain")
        second = store_bytes(b"report", "other.txt")
        assert first.id == second.id and first.original_name == "passwd"
        assert (tmp_path / "files" / first.relative_path).is_file()
        assert read_bytes(first) == b"report"


# SQLAlchemy does not reflect an index on an expression on SQLite (it says so): the register's (migration 0026),
# which the comparison leaves out anyway
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_document_register_date")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_document_number_lower")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index ix_document_type_reg")
def test_migrations_build_the_schema_the_models_describe(app):
    """A model change without its Alembic migration (or the other way round) shows up as a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from webapp.models.search import managed_by_models

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False,
                                                               "include_object": managed_by_models})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
