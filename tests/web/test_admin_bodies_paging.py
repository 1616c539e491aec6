"""/admin/bodies in keyset pages by name, with a search by name and the bodies below one, each row naming its
parent: the directory of a region (thousands of bodies) is never sent whole."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Body

NEXT = re.compile(r'href="([^"]*)" id="next-page"')
ROW = re.compile(r'data-body="\d+">\s*<td><a href="[^"]+">([^<]+)</a>.*?<td class="parent">(.*?)</td>', re.S)


@pytest.fixture
def directory(app, make_user):
    """A department over 60 schools (Школа № 01 … № 60) and a separate library."""
    with app.app_context():
        department = Body(name="Управление образования", short_name="УО")
        schools = [Body(name=f"Школа № {n:02}", parent=department) for n in range(1, 61)]
        db.session.add_all([department, *schools, Body(name="Библиотека")])
        db.session.commit()
        ids = {"department": department.id}
    make_user("adm", "admin")
    make_user("aud", "auditor")
    return ids


def _rows(page: str) -> list[tuple[str, str]]:
    return [(name, re.sub("<[^>]+>", "", above)) for name, above in ROW.findall(page)]


def test_pages_by_name_cover_the_directory_once(client, auth, directory):
    auth.login("adm")
    url, seen, pages = "/admin/bodies?size=25", [], 0
    while url:
        page = client.get(url).get_data(as_text=True)
        rows = _rows(page)
        assert len(rows) <= 25
        seen += rows
        pages += 1
        found = NEXT.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
    names = [name for name, _ in seen]
    assert pages == 3 and len(names) == 62 and names == sorted(names)
    assert ("Школа № 07", "УО") in seen and ("Библиотека", "верхний уровень") in seen


def test_a_search_by_name_in_any_case_and_the_bodies_below_one(client, auth, directory):
    auth.login("adm")
    found = _rows(client.get("/admin/bodies?q=ШКОЛА+№+1").get_data(as_text=True))
    assert [name for name, _ in found] == [f"Школа № {n}" for n in range(10, 20)]
    assert [name for name, _ in _rows(client.get("/admin/bodies?q=уо").get_data(as_text=True))] == [
        "Управление образования"]  # by its short name
    page = client.get("/admin/bodies").get_data(as_text=True)
    assert f'href="/admin/bodies?parent={directory["department"]}">60</a>' in page  # its schools, one click away
    below = client.get(f"/admin/bodies?parent={directory['department']}&size=100").get_data(as_text=True)
    assert len(_rows(below)) == 60 and "Библиотека" not in [name for name, _ in _rows(below)]
    assert "Ничего не найдено" in client.get("/admin/bodies?q=%25%25").get_data(as_text=True)


def test_a_bad_cursor_starts_again_and_others_are_refused(client, auth, directory):
    auth.login("adm")
    response = client.get("/admin/bodies?q=школа&after=xyz", follow_redirects=True)
    assert "Неверная ссылка на страницу справочника" in response.get_data(as_text=True)
    assert len(_rows(response.get_data(as_text=True))) == 50
    auth.logout()
    auth.login("aud")
    assert client.get("/admin/bodies").status_code == 403


def test_the_new_body_form_picks_its_parent_and_head_by_name_without_listing_every_body(app, client, auth,
                                                                                      directory):
    auth.login("adm")
    page = client.get("/admin/bodies?size=25").get_data(as_text=True)
    assert "Школа № 60" not in page  # neither a row of page 1 nor an option of the form's parent
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/admin/bodies", data={"csrf_token": token, "name": "Школа № 61", "parent": "",
                                                  "parent_name": "уо", "head": "", "head_name": "пользователь adm"})
    assert response.status_code == 302
    with app.app_context():
        body = db.session.scalar(select(Body).where(Body.name == "Школа № 61"))
        assert body.parent_id == directory["department"] and body.head.login == "adm"


def test_a_merge_target_is_picked_by_name(app, client, auth, directory):
    auth.login("adm")
    with app.app_context():
        source = db.session.scalar(select(Body.id).where(Body.name == "Библиотека"))
    page = client.get(f"/admin/bodies/{source}").get_data(as_text=True)
    assert "Школа № 60" not in page  # no select of every open body to merge into
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    url = f"/admin/bodies/{source}/merge"
    answer = client.post(url, data={"csrf_token": token, "target": "", "target_name": "Школа № 99"},
                         follow_redirects=True)
    assert "Орган «Школа № 99» не найден" in answer.get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": token, "target": "", "target_name": "школа № 07"},
                         follow_redirects=True)
    assert "влит в «Школа № 07»" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Body, source).closed_at is not None


def _walk(client, url: str) -> list[str]:
    """Every name of the directory's pages from `url` on, following «next»."""
    names = []
    while url:
        page = client.get(url).get_data(as_text=True)
        names += [name for name, _ in _rows(page)]
        found = NEXT.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
    return names


NUMBERED = ["Район № 10", "район № 9", "Район № 2", "Школа № 1000", "Школа № 200", "Школа № 0200а", "Ёлки", "Елань",
            "Район № 2 (сектор)", "Школа № 0012345678901234"]
#: NUMBERED as a reader looks for them: case aside, «ё» as «е», numbers by value (by characters «№ 10» came first)
NATURAL = ["Елань", "Ёлки", "Район № 2", "Район № 2 (сектор)", "район № 9", "Район № 10", "Школа № 200",
           "Школа № 0200а", "Школа № 1000", "Школа № 0012345678901234"]


@pytest.fixture
def numbered(app, make_user):
    with app.app_context():
        db.session.add_all([Body(name=name) for name in NUMBERED])
        db.session.commit()
        return db.session.scalar(select(Body.id).where(Body.name == "Район № 10"))


def test_numbers_sort_by_their_value_across_pages_and_after_a_rename(client, auth, make_user, numbered):
    """The order holds across keyset pages and follows a body renamed in the form."""
    make_user("adm", "admin")
    auth.login("adm")
    assert _walk(client, "/admin/bodies?size=3") == NATURAL
    page = f"/admin/bodies/{numbered}"
    response = client.post(page, data={"csrf_token": auth.csrf(page), "name": "Район № 1", "parent": "0",
                                       "head": "0"})
    assert response.status_code == 302
    assert _walk(client, "/admin/bodies?q=район&size=2") == ["Район № 1", "Район № 2", "Район № 2 (сектор)",
                                                             "район № 9"]


def test_the_api_lists_bodies_in_the_same_order(app, client, make_user, numbered):
    from tests.web.test_api import make_token

    make_user("aud", "auditor")
    headers = {"Authorization": f"Bearer {make_token(app, 'aud', ('read',))}"}
    url, names = "/api/v1/bodies?limit=4", []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        names += [body["name"] for body in response.get_json()]
        link = re.match(r"<http://[^/]+([^>]+)>", response.headers.get("Link", ""))
        url = link.group(1) if link else None
    assert names == NATURAL


def test_the_command_line_tree_lists_siblings_in_the_same_order(runner, numbered):
    result = runner.invoke(args=["body", "list"])
    assert result.exit_code == 0, result.output
    assert [name for name in NATURAL if name in result.output] == NATURAL
    assert sorted(NATURAL, key=result.output.index) == NATURAL


def test_generated_bodies_sort_by_their_numbers(app, client, auth, runner, make_user, monkeypatch):
    """gen-load writes its bodies as rows, not through the model: their sort keys are written with them."""
    monkeypatch.setenv("DOCFLOW_PASSWORD", "load-password-123")
    result = runner.invoke(args=["gen-load", "--documents", "5", "--assignments", "10", "--bodies", "120",
                                 "--users", "5", "--seed", "3"])
    assert result.exit_code == 0, result.output
    make_user("adm", "admin")
    auth.login("adm")
    names = _walk(client, "/admin/bodies?q=школа&size=40")
    numbers = [int(re.search(r"№ (\d+)", name).group(1)) for name in names]
    assert len(numbers) == 117 and numbers == sorted(numbers) and numbers[:3] == [1, 2, 3]
