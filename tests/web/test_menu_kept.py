"""The menu's statement is built once per user and kept (services/menu.py): what it holds of the user — her roles,
the bodies she acts for and the tree below them, whom she stands in for — is asked on each page, and a change to
any of it builds it again. Through HTTP: the counter always equals the inbox's groups, counted afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select

from tests.conftest import TEST_PASSWORD, TODAY, AuthActions
from tests.web.test_tasks_counter import _decide, _menu, _order, _user
from webapp.extensions import db
from webapp.models import Body, Membership, UserRole
from webapp.services import deputies, menu, tasks, transitions

DEPARTMENT = "Департамент образования и молодежной политики Ханты-Мансийского автономного округа – Югры"


def _waiting_for_signature(app) -> None:
    """An order of the department, approved and sent to its head's signature."""
    with app.app_context():
        signing = _order("О подписи", ("approver",))
        _decide("approver", signing)
        transitions.fire(_user("secretary"), signing, "send_to_signing", None, signing.version)
        db.session.commit()


def test_the_counter_follows_roles_bodies_and_the_tree(demo_app, make_user):
    with demo_app.app_context():
        db.session.add(Body(name="Управление Н", dative="Управлению Н"))
        db.session.commit()
    make_user("newhead", "executor", bodies=["Управление Н"])
    _waiting_for_signature(demo_app)
    client = demo_app.test_client()
    assert AuthActions(client).login("newhead", TEST_PASSWORD).status_code == 302
    first, inbox = _menu(client)
    assert first == inbox
    with demo_app.app_context():  # a head now: the department's order is not in her scope yet
        db.session.add(UserRole(user_id=_user("newhead").id, role="head"))
        db.session.commit()
    assert _menu(client) == (first, first)
    with demo_app.app_context():  # the department moved under her body: its order waits for her signature
        department = db.session.scalar(select(Body).where(Body.name == DEPARTMENT))
        department.parent_id = db.session.scalar(select(Body.id).where(Body.name == "Управление Н"))
        db.session.commit()
    assert _menu(client) == (first + 1, first + 1)
    with demo_app.app_context():  # a head no more: the same bodies, nothing to sign
        db.session.execute(delete(UserRole).where(UserRole.user_id == _user("newhead").id, UserRole.role == "head"))
        db.session.commit()
    assert _menu(client) == (first, first)
    with demo_app.app_context():
        db.session.add(UserRole(user_id=_user("newhead").id, role="head"))
        db.session.commit()
    assert _menu(client) == (first + 1, first + 1)
    with demo_app.app_context():  # she leaves her body: no scope of a body, the whole organisation's head
        db.session.execute(delete(Membership).where(Membership.user_id == _user("newhead").id))
        db.session.commit()
    moved, inbox = _menu(client)
    assert moved == inbox
    with demo_app.app_context():  # and joins the executor's institute, whose open assignments she now executes
        institute = _user("executor").bodies[0]
        db.session.add(Membership(user_id=_user("newhead").id, body_id=institute.id))
        db.session.execute(delete(UserRole).where(UserRole.user_id == _user("newhead").id, UserRole.role == "head"))
        db.session.commit()
        executing = tasks.total(_user("executor"))
    assert executing > 0
    assert _menu(client) == (executing, executing)


def test_the_statement_is_built_once_for_the_same_user(demo_app, monkeypatch):
    built = []
    counts = tasks.counts
    monkeypatch.setattr(tasks, "counts", lambda user: built.append(user.id) or counts(user))
    menu._BUILT.clear()
    client = demo_app.test_client()
    assert AuthActions(client).login("executor", "demo").status_code == 302
    pages = [client.get(path).get_data(as_text=True) for path in ("/documents", "/assignments", "/documents")]
    assert all('id="tasks-counter">' in page for page in pages)
    assert len(built) == 1, built
    other = demo_app.test_client()
    assert AuthActions(other).login("head", "demo").status_code == 302
    other.get("/documents")
    assert len(built) == 2  # another user: a statement of her own


def test_on_postgresql_the_statement_runs_with_its_values_written_in(demo_app):
    """A prepared statement without parameters keeps its plan (PostgreSQL planned the menu on every page)."""
    with demo_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's plans")
        engine = db.engine
    client = demo_app.test_client()
    assert AuthActions(client).login("executor", "demo").status_code == 302
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/documents").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    menu_statements = [(statement, parameters) for statement, parameters in seen if "FROM notification" in statement]
    assert len(menu_statements) == 1
    statement, parameters = menu_statements[0]
    assert not parameters and "%(" not in statement
    with demo_app.app_context():
        assert f'id="tasks-counter">{tasks.total(_user("executor"))}<' in page  # the same figure


def test_a_deputys_counter_counts_her_principals_assignments_to_execute(demo_app):
    """«Исполнить» is counted over the union of each person's bodies (a deputy's with her principal's), once each."""
    client = demo_app.test_client()
    assert AuthActions(client).login("approver2", "demo").status_code == 302
    own, inbox = _menu(client)
    assert own == inbox
    with demo_app.app_context():
        executing = tasks.total(_user("executor"))
        deputies.add_deputy(None, _user("approver2"), _user("executor"), TODAY - timedelta(days=1),
                            TODAY + timedelta(days=3))
        db.session.commit()
    assert executing > 0
    assert _menu(client) == (own + executing, own + executing)
