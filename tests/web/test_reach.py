"""A member's reach (her bodies and every body below them: policy.member_body_ids and scope_ids) in one recursive
statement seeded with her memberships, on every page of a member of a body — and asked again, in the same request,
as soon as a membership or a body changes."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import counted_statements
from webapp.extensions import db
from webapp.models import Body, Membership, User
from webapp.services import policy


def _bodies(app) -> dict[str, int]:
    with app.app_context():
        board = Body(name="Управление")
        school = Body(name="Школа", parent=board)
        db.session.add_all([board, school, Body(name="Гимназия", parent=board), Body(name="Чужая"),
                            Body(name="Кружок", parent=school)])
        db.session.commit()
        return dict(db.session.execute(select(Body.name, Body.id)).all())


def test_her_reach_in_one_statement_on_every_page(app, client, auth, make_user):
    """A member of the department and of its school: every body below the department, each once; her page reads
    neither her memberships nor their bodies (they were two statements on every page, and one more per body)."""
    ids = _bodies(app)
    make_user("exec", "executor", bodies=["Управление", "Школа"])
    auth.login("exec")
    with counted_statements(app) as seen:
        assert client.get("/tasks").status_code == 200
    assert not [s for s in seen if s.lstrip().startswith("SELECT membership.id")], seen
    assert not [s for s in seen if s.lstrip().startswith("SELECT body.id, body.name")], seen
    assert len([s for s in seen if "WITH RECURSIVE reach" in s]) == 1, seen
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "exec"))
        below = {ids[name] for name in ("Управление", "Школа", "Гимназия", "Кружок")}
        assert policy.member_body_ids(user) == below
        assert policy.scope_ids(user) == below


def test_her_reach_follows_a_change_in_the_same_request(app, make_user):
    """Asked again once a membership or a body changed is flushed (as any query of the request would flush it)."""
    ids = _bodies(app)
    make_user("exec", "executor", bodies=["Школа"])
    make_user("nobody", "executor")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "exec"))
        assert policy.member_body_ids(user) == {ids["Школа"], ids["Кружок"]}
        user.memberships.append(Membership(body_id=ids["Чужая"]))  # a membership added
        db.session.flush()
        assert policy.member_body_ids(user) == {ids["Школа"], ids["Кружок"], ids["Чужая"]}
        db.session.get(Body, ids["Гимназия"]).parent_id = ids["Школа"]  # a body moved under hers
        db.session.flush()
        assert policy.member_body_ids(user) == {ids["Школа"], ids["Кружок"], ids["Чужая"], ids["Гимназия"]}
        db.session.delete(next(m for m in user.memberships if m.body_id == ids["Школа"]))  # the school's left
        db.session.flush()
        assert policy.member_body_ids(user) == {ids["Чужая"]}
        # a user of no body: none to answer for, and the whole organisation as her scope
        nobody = db.session.scalar(select(User).where(User.login == "nobody"))
        assert policy.member_body_ids(nobody) == set() and policy.scope_ids(nobody) is None
