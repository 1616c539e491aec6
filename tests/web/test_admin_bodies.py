"""The directory of bodies through HTTP as an administrator: create, rename, move (never under itself), merge,
close; refusals in Russian with nothing changed; every change in the audit; non-admins and forged forms refused."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, audit_events
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Event, Membership, User
from webapp.services import transitions
from webapp.services.documents import DraftData, PointData, create_draft


@pytest.fixture
def admin(app, make_user, auth):
    make_user("boss", "admin")
    assert auth.login("boss").status_code == 302
    return auth


def _post(client, auth, path: str, data: dict, page: str = "/admin/bodies"):
    db.session.rollback()  # the test's own read transaction ends: SQLite lets the request write
    return client.post(path, data={"csrf_token": auth.csrf(page), **data})


def _body(name: str) -> Body:
    return db.session.scalar(select(Body).where(Body.name == name))


def _create(client, auth, name: str, **fields) -> int:
    response = _post(client, auth, "/admin/bodies", {"name": name, "parent": "0", "head": "0", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(Body.id).where(Body.name == name))


def _events(action: str) -> list[Event]:
    return audit_events(Event.action == action)


def test_an_admin_builds_the_tree(app, client, admin):
    with app.app_context():
        top = _create(client, admin, "Департамент образования", short_name="Депобразования",
                      aliases="Департамент\nДО", place="г. Ханты-Мансийск", address="ул. Мира, 1\nтел. 33-00-00",
                      order_formula="ПОСТАНОВЛЯЮ:")
        child = _create(client, admin, "Отдел общего образования", parent=str(top))
        body = db.session.get(Body, child)
        assert body.parent_id == top
        assert db.session.get(Body, top).aliases == ["Департамент", "ДО"]
        assert db.session.get(Body, top).address == ["ул. Мира, 1", "тел. 33-00-00"]
        assert db.session.get(Body, top).formulas == {"order": "ПОСТАНОВЛЯЮ:"}  # printed before an order's points
        page = client.get("/admin/bodies").get_data(as_text=True)
        rows = re.findall(r'data-body="\d+">\s*<td><a href="[^"]+">([^<]+)</a>.*?<td class="parent">(.*?)</td>', page,
                          re.S)
        assert [(name, re.sub("<[^>]+>", "", above)) for name, above in rows] == [  # the tree: each row's parent
            ("Департамент образования", "верхний уровень"), ("Отдел общего образования", "Депобразования")]
        created = _events("body.create")
        assert [e.after["name"] for e in created] == ["Департамент образования", "Отдел общего образования"]
        assert "Орган добавлен в справочник" in client.get("/audit").get_data(as_text=True)


def test_a_duplicate_name_is_refused_in_russian(app, client, admin):
    with app.app_context():
        _create(client, admin, "Отдел кадров")
        response = _post(client, admin, "/admin/bodies", {"name": "отдел  кадров", "parent": "0", "head": "0"})
        assert response.status_code == 409
        assert "уже есть в справочнике" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count(Body.id))) == 1


def test_rename_and_move_but_never_under_itself(app, client, admin):
    with app.app_context():
        top = _create(client, admin, "Управление")
        child = _create(client, admin, "Отдел", parent=str(top))
        grandchild = _create(client, admin, "Сектор", parent=str(child))
        page = f"/admin/bodies/{top}"
        response = _post(client, admin, page, {"name": "Управление делами", "parent": "0", "head": "0"}, page)
        assert response.status_code == 302
        assert [e.action for e in _events("body.rename")] == ["body.rename"]
        history = client.get(page).get_data(as_text=True).split('id="object-history"')[1]
        assert "Орган переименован" in history and "Управление → Управление делами" in history
        # Under its own grandchild: a cycle, refused whether picked by id or typed by name; an unknown name too.
        for chosen in ({"parent": str(grandchild)}, {"parent": "", "parent_name": "сектор"}):
            response = _post(client, admin, page, {"name": "Управление делами", "head": "0", **chosen}, page)
            assert response.status_code == 400
        response = _post(client, admin, page, {"name": "Управление делами", "parent": "", "parent_name": "Нет такого",
                                               "head": "0"}, page)
        assert response.status_code == 400 and "Орган «Нет такого» не найден" in response.get_data(as_text=True)
        assert '<input type="hidden" name="parent" value="">' in client.get(page).get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Body, top).parent_id is None
        # Moving the sector to the top level is fine, and recorded as a move.
        sector = f"/admin/bodies/{grandchild}"
        assert _post(client, admin, sector, {"name": "Сектор", "parent": "0", "head": "0"}, sector).status_code == 302
        db.session.expire_all()
        assert db.session.get(Body, grandchild).parent_id is None
        move = _events("body.move")[-1]
        assert move.before["parent"] == "Отдел" and move.after["parent"] is None


def _order_of(responsible_id: int, author: User) -> Document:
    """A draft issued by the author's body."""
    return create_draft(author, DraftData(
        doc_type="order", title="О справке", event_date=date(2026, 11, 20),
        points=[PointData(text="Подготовить справку.", number="1", responsible_ids=[responsible_id],
                          deadline_text="до 20.12.2026")]))


def test_merge_moves_people_assignments_and_documents(app, client, admin, make_user):
    with app.app_context():
        target = _create(client, admin, "Комитет по образованию")
        source = _create(client, admin, "Управление образования", short_name="УО")
        sub = _create(client, admin, "Отдел школ", parent=str(source))
        db.session.rollback()
        make_user("both", "executor", bodies=["Комитет по образованию", "Управление образования"])
        make_user("only", "executor", bodies=["Управление образования"])
        make_user("author", "secretary", bodies=["Управление образования"])
        author = db.session.scalar(select(User).where(User.login == "author"))
        doc = _order_of(source, author)
        transitions.put_under_control(author, doc)
        db.session.commit()
        page = f"/admin/bodies/{source}"
        response = _post(client, admin, f"/admin/bodies/{source}/merge", {"target": str(target)}, page)
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Body, source).closed_at is not None
        assert db.session.get(Body, sub).parent_id == target
        members = db.session.scalars(select(Membership).where(Membership.body_id == target))
        assert sorted(m.user.login for m in members) == ["author", "both", "only"]
        assert not db.session.scalars(select(Membership).where(Membership.body_id == source)).all()
        assert db.session.get(Document, doc.id).issuing_body_id == target
        assert {a.lead_body_id for a in db.session.scalars(select(Assignment))} == {target}
        merged = db.session.get(Body, target)
        assert "Управление образования" in merged.aliases and "УО" in merged.aliases
        event = _events("body.merge")[-1]
        assert event.after["merged_into"] == "Комитет по образованию" and event.after["documents"] == 1
        # the closed body is not offered in forms any more, and the history still names it
        new_draft = client.get("/documents/new").get_data(as_text=True)
        assert "Комитет по образованию" in new_draft and "Управление образования" not in new_draft
        assert "Органы объединены" in client.get("/audit").get_data(as_text=True)
        # search's filter by body finds the document under the body it now belongs to (its entry moved too)
        found = client.get(f"/search?q=справке&body={target}").get_data(as_text=True)
        assert f'href="/documents/{doc.id}"' in found


def test_merging_into_its_own_sub_body_is_refused(app, client, admin):
    with app.app_context():
        top = _create(client, admin, "Управление")
        child = _create(client, admin, "Отдел", parent=str(top))
        db.session.rollback()
        response = client.post(f"/admin/bodies/{top}/merge", data={
            "csrf_token": admin.csrf(f"/admin/bodies/{top}"), "target": str(child)}, follow_redirects=True)
        assert "Орган нельзя влить в его собственное подразделение" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Body, top).closed_at is None and not _events("body.merge")


def test_close_waits_for_open_sub_bodies(app, client, admin):
    with app.app_context():
        top = _create(client, admin, "Управление")
        child = _create(client, admin, "Отдел", parent=str(top))
        page = f"/admin/bodies/{top}"
        db.session.rollback()
        response = client.post(f"/admin/bodies/{top}/close", data={"csrf_token": admin.csrf(page)},
                               follow_redirects=True)
        assert "действующие подразделения: Отдел" in response.get_data(as_text=True)
        assert client.post(f"/admin/bodies/{child}/close",
                           data={"csrf_token": admin.csrf(page)}).status_code == 302
        assert client.post(f"/admin/bodies/{top}/close", data={"csrf_token": admin.csrf(page)}).status_code == 302
        db.session.expire_all()
        assert all(b.closed_at is not None for b in db.session.scalars(select(Body)))
        assert "закрыт" in client.get(f"/admin/bodies/{top}").get_data(as_text=True)
        assert len(_events("body.close")) == 2


@pytest.mark.parametrize("role", ["secretary", "head", "auditor", "executor"])
def test_only_an_admin_changes_the_directory(app, client, auth, make_user, role):
    make_user("someone", role)
    auth.login("someone")
    token = auth.csrf("/tasks")
    for path in ("/admin/bodies", "/admin/users/new", "/admin/deputies"):
        assert client.get(path).status_code == 403
    response = client.post("/admin/bodies", data={"csrf_token": token, "name": "Чужой орган", "parent": "0",
                                                  "head": "0"})
    assert response.status_code == 403
    assert "Это может только администратор." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Body.id))) == 0


def test_a_form_without_its_csrf_token_changes_nothing(app, client, admin):
    response = client.post("/admin/bodies", data={"name": "Без токена", "parent": "0", "head": "0"})
    assert response.status_code == 400 and "Форма устарела" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={"login": "x", "full_name": "X", "password": TEST_PASSWORD})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Body.id))) == 0
        assert db.session.scalar(select(User).where(User.login == "x")) is None
    assert re.search("Форма устарела", response.get_data(as_text=True))


EMBLEM = Path(__file__).parent.parent / "data" / "emblem.jpg"


def test_an_emblem_is_uploaded_with_the_body_and_only_a_picture(app, client, admin):
    with app.app_context():
        body_id = _create(client, admin, "Департамент культуры")
    page = f"/admin/bodies/{body_id}"
    fields = {"name": "Департамент культуры", "parent": "0", "head": "0"}

    def post(**extra):
        return client.post(page, data={"csrf_token": admin.csrf(page), **fields, **extra},
                           content_type="multipart/form-data")

    response = post(name="Департамент культуры и искусства", emblem=(io.BytesIO(b"<html>not a picture</html>"),
                                                                      "герб.png"))
    assert response.status_code == 400
    assert "только PNG или JPEG" in response.get_data(as_text=True)
    with app.app_context():
        body = db.session.get(Body, body_id)
        assert body.emblem_file is None and body.name == "Департамент культуры"  # nothing of the form was saved
    assert post(emblem=(io.BytesIO(EMBLEM.read_bytes()), "герб.jpg")).status_code == 302
    with app.app_context():
        body = db.session.get(Body, body_id)
        assert body.emblem_file.content_type == "image/jpeg" and body.emblem_file.size == EMBLEM.stat().st_size
    assert 'id="emblem-present"' in client.get(page).get_data(as_text=True)
    assert post(remove_emblem="y").status_code == 302
    with app.app_context():
        assert db.session.get(Body, body_id).emblem_file is None
        assert [e.action for e in audit_events(Event.action.like("body.emblem%"))] == [
            "body.emblem", "body.emblem_remove"]
