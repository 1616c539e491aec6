"""The pages that listed every body or every user (issue 14: 5,000 bodies, 20,000 users) now send pickers and pages:
each page's form is the same size in a world of 60 and of 120 bodies and users (the old selects grew by an option
per body or user), /admin/users and the API's /bodies and /users come in keyset pages, and every picker refuses a
name that denotes nobody, in Russian, with nothing changed."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from functools import partial

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, AuthActions, private_app
from tests.web.test_api import Api, _error, _ok
from tests.web.test_api_overdue import _all_pages
from webapp.extensions import db
from webapp.models import Assignment, Body, Deputy, DocTemplate, Document, Membership, User
from webapp.services import tokens
from webapp.services.rendering import default_template
from webapp.services.users import create_user

SIZES = (60, 120)
NEXT = re.compile(r'href="([^"]+)" id="next-page"')


def _fill(n: int) -> dict:
    """A department over n bodies «Орган 0001…», n users «Сотрудник 0001…» (one in each body, each the controller of
    one open assignment of that body), an administrator, an auditor and a secretary of the department."""
    department = Body(name="Департамент образования", short_name="ДО")
    bodies = [Body(name=f"Орган {i:04}", parent=department) for i in range(1, n + 1)]
    db.session.add_all([department, *bodies])
    db.session.flush()
    user = partial(create_user, password=TEST_PASSWORD)
    admin = user("adm", "Администратор Артём", roles=["admin"], bodies=[])
    auditor = user("aud", "Аудитор Анна", roles=["auditor"], bodies=[])
    user("sec", "Секретарь Светлана", roles=["secretary"], bodies=[department.name])
    staff = [User(login=f"staff{i:04}", full_name=f"Сотрудник {i:04}", password_hash="-") for i in range(1, n + 1)]
    db.session.add_all(staff)
    db.session.flush()
    document = Document(doc_type="order", title="О контроле", state="published", number="1-о",
                        reg_date=date(2026, 1, 10), issuing_body=department)
    db.session.add(document)
    for body, person in zip(bodies, staff, strict=True):
        db.session.add(Membership(user_id=person.id, body_id=body.id))
        db.session.add(Assignment(document=document, lead_body=body, controller=person, action="Обеспечить.",
                                  status="in_work", deadline_kind="by", deadline=date(2026, 12, 1)))
    db.session.flush()
    _row, secret = tokens.create_token(auditor, "справочник", ["read"], 30)
    return {"admin": admin.id, "api": secret, "first": bodies[0].id, "department": department.id}


class World:
    def __init__(self, app, ids: dict):
        self.app, self.ids = app, ids

    def get(self, login: str, path: str) -> str:
        client = self.app.test_client()
        assert AuthActions(client).login(login).status_code == 302
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def api(self) -> Api:
        return Api(self.app.test_client(), self.ids["api"])


@pytest.fixture(scope="module")
def worlds(databases, tmp_path_factory) -> Iterator[dict[int, World]]:
    """One app per size for the module: these tests only read."""
    out: dict[int, World] = {}
    with ExitStack() as stack:
        for n in SIZES:
            kind = f"directory{n}"
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("DOCFLOW_INSTANCE_PATH", str(databases.workdir / kind / "instance"))
                app = stack.enter_context(private_app(databases, kind, tmp_path_factory.mktemp(kind),
                                                      partial(_fill, n)))
            out[n] = World(app, databases.built[kind])
        yield out


def _between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def _csrf_free(html: str) -> str:
    """A page's text without its CSRF tokens (signed with the time, so they differ from one request to the next)."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


#: page -> (who opens it, its address, the part that listed every body or user: (from, to) markers, or None: all)
PAGES = {
    "search": ("aud", lambda ids: "/search?q=контроль", ('id="search-form"', "</form>")),
    "dashboard": ("aud", lambda ids: "/assignments/dashboard", ('id="dashboard-filter"', "</form>")),
    "admin: templates": ("adm", lambda ids: "/admin/templates", ('id="upload-template"', "</form>")),
    "admin: deputies": ("adm", lambda ids: "/admin/deputies", ('id="deputy-form"', "</form>")),
    "own deputies": ("sec", lambda ids: "/account/deputies", ('id="own-deputy-form"', "</form>")),
    "admin: users": ("adm", lambda ids: "/admin/users", None),
    "admin: new user": ("adm", lambda ids: "/admin/users/new", ('id="memberships"', "</fieldset>")),
    "admin: a user": ("adm", lambda ids: f"/admin/users/{ids['admin']}", ('id="memberships"', "</fieldset>")),
}


@pytest.mark.parametrize("name", PAGES)
def test_the_page_does_not_grow_with_bodies_and_users(worlds, name):
    who, path, part = PAGES[name]
    sizes = {}
    for n, world in worlds.items():
        page = _csrf_free(world.get(who, path(world.ids)))
        shown = _between(page, *part) if part else page
        assert "Орган 0100" not in shown and "Сотрудник 0100" not in shown  # nobody listed in advance
        sizes[n] = len(shown)
    assert sizes[60] == sizes[120], sizes


def test_admin_users_in_pages_by_name_with_a_search(worlds):
    world = worlds[120]
    url, names = "/admin/users?size=50", []
    client = world.app.test_client()
    AuthActions(client).login("adm")
    while url:
        page = client.get(url).get_data(as_text=True)
        rows = re.findall(r'data-user="\d+">\s*<td><a href="[^"]+">([^<]+)</a>', page)
        assert len(rows) <= 50
        names += rows
        found = NEXT.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert len(names) == 123 and names == sorted(names) and len(set(names)) == 123
    found = client.get("/admin/users?q=СОТРУДНИК+011").get_data(as_text=True)
    assert re.findall(r">(Сотрудник \d+)</a>", found) == [f"Сотрудник {i:04}" for i in range(110, 120)]
    assert "staff0001" in client.get("/admin/users?q=staff0001").get_data(as_text=True)  # by login too
    response = client.get("/admin/users?after=garbage", follow_redirects=True)
    assert "Неверная ссылка на страницу списка пользователей" in response.get_data(as_text=True)


# --- the API's directory in pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "key", "total"), [("/bodies", "name", 121), ("/users", "full_name", 123)])
def test_the_api_lists_come_in_pages_by_name(worlds, path, key, total):
    api = worlds[120].api()
    rows, pages = _all_pages(api, f"{path}?limit=50")
    names = [row[key] for row in rows]
    assert pages == 3 and len(rows) == total and len({r["id"] for r in rows}) == total and names == sorted(names)
    first = api.get(f"{path}?limit=50")
    assert first.headers["X-Next-Cursor"] == str(rows[49]["id"]) and "limit=50" in first.headers["Link"]
    whole = api.get(path)  # no parameters: the first page of 200, here everything, as before paging
    assert _ok(whole) == rows and "Link" not in whole.headers


def test_the_api_lists_filter_by_name(worlds):
    api = worlds[120].api()
    assert [b["name"] for b in _ok(api.get("/bodies?q=орган%20011"))] == [f"Орган {i:04}" for i in range(110, 120)]
    assert [b["name"] for b in _ok(api.get("/bodies?q=до"))] == ["Департамент образования"]  # its short name
    assert [u["login"] for u in _ok(api.get("/users?q=STAFF0120"))] == ["staff0120"]
    rows, pages = _all_pages(api, "/users?q=сотрудник%20010&limit=4")  # the filter kept in the next pages' links
    assert [u["full_name"] for u in rows] == [f"Сотрудник {i:04}" for i in range(100, 110)] and pages == 3


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "after=abc", "after=-1", "after=99999999999",
                                   "after=2147483647", "q="])
def test_a_bad_page_request_is_refused_in_english(worlds, query):
    error = _error(worlds[60].api().get(f"/bodies?{query}"), 422, "validation_failed")
    assert error["message"].isascii()


# --- what a picker refuses ------------------------------------------------------------------------------------------


@pytest.fixture
def people(app, make_user):
    """An administrator; an executor and the head of school 1, an executor of school 2."""
    with app.app_context():
        db.session.add_all([Body(name="Школа № 1"), Body(name="Школа № 2")])
        db.session.commit()
    ids = {"adm": make_user("adm", "admin"), "exec": make_user("exec", "executor", bodies=["Школа № 1"]),
           "head": make_user("head", "head", bodies=["Школа № 1"]),
           "other": make_user("other", "executor", bodies=["Школа № 2"])}
    with app.app_context():
        ids["school"] = db.session.scalar(select(Body.id).where(Body.name == "Школа № 1"))
    return ids


def test_deputy_pickers_refuse_unknown_names_and_take_exact_ones(app, client, auth, people):
    auth.login("adm")
    token = auth.csrf("/admin/deputies")
    period = {"csrf_token": token, "starts_on": "23.11.2026", "ends_on": "30.11.2026"}
    response = client.post("/admin/deputies", data={**period, "principal": "", "principal_name": "Никто Никтович",
                                                    "deputy": "", "deputy_name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Пользователь «Никто Никтович» не найден" in page and "Выберите замещающего." in page
    assert 'value="Никто Никтович"' in page  # what was typed stays in the box
    response = client.post("/admin/deputies", data={**period, "principal": "abc", "deputy": str(people["head"])})
    assert response.status_code == 400 and "Пользователь не найден" in response.get_data(as_text=True)
    response = client.post("/admin/deputies", data={**period, "principal": "", "principal_name": "пользователь  EXEC",
                                                    "deputy": str(people["head"]), "deputy_name": "Пользователь head"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Deputy))
        assert (row.principal_id, row.deputy_id) == (people["exec"], people["head"])


def test_an_executor_names_as_her_deputy_only_people_she_may_find(app, client, auth, people):
    auth.login("exec")
    data = {"csrf_token": auth.csrf("/account/deputies"), "starts_on": "23.11.2026", "ends_on": "30.11.2026"}
    response = client.post("/account/deputies", data={**data, "deputy": str(people["other"])})  # of another school
    assert response.status_code == 400 and "Пользователь не найден" in response.get_data(as_text=True)
    response = client.post("/account/deputies", data={**data, "deputy": "", "deputy_name": "Пользователь other"})
    assert response.status_code == 400 and "Пользователь «Пользователь other» не найден" in response.get_data(
        as_text=True)
    response = client.post("/account/deputies", data={**data, "deputy": "", "deputy_name": "Пользователь head"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Deputy)) == 1


def test_a_users_body_picker_refuses_an_unknown_body_and_saves_nothing(app, client, auth, people):
    auth.login("adm")
    page = f"/admin/users/{people['exec']}"
    data = {"csrf_token": auth.csrf(page), "login": "exec", "full_name": "Пользователь exec", "roles": ["executor"],
            "memberships-0-body": str(people["school"]), "memberships-0-body_name": "Школа № 1",
            "memberships-1-body": "", "memberships-1-body_name": "Школа № 9"}
    response = client.post(page, data=data)
    assert response.status_code == 400 and "Орган «Школа № 9» не найден" in response.get_data(as_text=True)
    response = client.post(page, data={**data, "memberships-1-body_name": "школа № 2",
                                       "memberships-1-position": "методист"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, people["exec"])
        assert sorted((m.body.name, m.position) for m in user.memberships) == [
            ("Школа № 1", None), ("Школа № 2", "методист")]


def test_a_template_for_a_body_typed_by_name_or_refused(app, client, auth, people):
    auth.login("adm")
    token = auth.csrf("/admin/templates")
    with app.app_context():
        docx = default_template("order")
    data = {"csrf_token": token, "kind": "order", "body": "", "body_name": "Школа № 9",
            "file": (io.BytesIO(docx), "шаблон.docx")}
    response = client.post("/admin/templates", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "Орган «Школа № 9» не найден" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocTemplate)) == 0


def test_search_and_dashboard_refuse_an_unknown_body_or_controller(app, client, auth, people):
    auth.login("adm")
    page = client.get("/search?q=план&body=&body_name=Школа+№+9").get_data(as_text=True)
    assert "Орган «Школа № 9» не найден" in page and 'id="found"' not in page  # no search with a bad filter
    page = client.get("/search?q=план&body=abc").get_data(as_text=True)
    assert "Орган не найден" in page
    page = client.get("/assignments/dashboard?controller=&controller_name=Никто").get_data(as_text=True)
    assert "Пользователь «Никто» не найден" in page
    page = client.get("/assignments/dashboard?controller=0").get_data(as_text=True)  # a drill-down's «не назначен»
    assert 'name="controller_name" value="не назначен"' in page
