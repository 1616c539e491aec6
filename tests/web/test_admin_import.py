"""/admin/import: bodies and users of a first installation from CSV or XLSX — a preview that saves nothing, every bad
row named in Russian with nothing saved, and on saving the invitation links shown once."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Body, Event, Invitation, User


@pytest.fixture
def admin(app, make_user, auth):
    make_user("boss", "admin")
    assert auth.login("boss").status_code == 302
    return auth


def _xlsx(bodies: list[list], users: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Органы"
    for row in [["Наименование", "Краткое наименование", "Вышестоящий орган", "Другие наименования"], *bodies]:
        sheet.append(row)
    people = book.create_sheet("Пользователи")
    for row in [["Логин", "ФИО", "Должность", "Роли", "Органы"], *users]:
        people.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BODIES = [["Департамент образования", "Депобразования", None, "ДО; Департамент"],
          ["Отдел общего образования", "ООО", "Департамент образования", None]]
USERS = [["matveychuk", "Матвейчук Елена Николаевна", "Главный специалист", "Секретарь", "ООО"],
         ["tsulaya", "Цулая Лариса Владимировна", "Начальник отдела", "Руководитель, Согласующий",
          "Отдел общего образования"]]


def _upload(client, auth, name: str, data: bytes):
    return client.post("/admin/import", data={"csrf_token": auth.csrf("/admin/import"),
                                              "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Body.id))), db.session.scalar(select(func.count(User.id))))


def test_preview_then_save_an_xlsx(app, client, admin):
    before = _counts(app)
    response = _upload(client, admin, "справочник.xlsx", _xlsx(BODIES, USERS))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:3000]
    assert "Органов: 2" in page and "Матвейчук Елена Николаевна" in page and 'id="import-save"' in page
    assert _counts(app) == before  # the preview saved nothing
    content = re.search(r'name="content"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/admin/import/save", data={"csrf_token": admin.csrf("/admin/import"),
                                                       "filename": "справочник.xlsx", "content": content})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Сохранено: органов — 2, пользователей — 2." in page
    assert len(re.findall(r"/welcome/[\w-]+", page)) == 2
    with app.app_context():
        child = db.session.scalar(select(Body).where(Body.name == "Отдел общего образования"))
        assert child.parent.name == "Департамент образования" and child.short_name == "ООО"
        head = db.session.scalar(select(User).where(User.login == "tsulaya"))
        assert head.roles == {"head", "approver"} and [b.name for b in head.bodies] == ["Отдел общего образования"]
        assert db.session.scalar(select(func.count(Invitation.id))) == 2
        assert db.session.scalar(select(Event).where(Event.action == "directory.import")).after["users"] == 2


def test_a_csv_in_windows_1251_with_semicolons(app, client, admin):
    data = "Наименование;Краткое наименование\nКомитет по финансам;Комфин\n".encode("cp1251")
    response = _upload(client, admin, "органы.csv", data)
    assert response.status_code == 200 and "Комитет по финансам" in response.get_data(as_text=True)


def test_bad_rows_are_named_and_nothing_is_saved(app, client, admin):
    before = _counts(app)
    users = [*USERS, ["", "Без логина", None, "Исполнитель", None],
             ["ivanov", "Иванов Иван", None, "Начальник", None],
             ["petrov", "Петров Пётр", None, "Исполнитель", "Несуществующий отдел"]]
    bodies = [*BODIES, ["Сектор", None, "Неизвестное управление", None]]
    response = _upload(client, admin, "справочник.xlsx", _xlsx(bodies, users))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = re.findall(r"<li>([^<]+)</li>", page.split('id="import-errors"')[1].split("</ul>")[0])
    assert errors == [
        "Органы, строка 4: вышестоящий орган «Неизвестное управление» не найден: укажите его выше в файле или "
        "добавьте в справочник",
        "Пользователи, строка 4: укажите логин и ФИО.",
        "Пользователи, строка 5: неизвестная роль «Начальник» (роли: Секретарь, Руководитель, Согласующий, "
        "Исполнитель, Контролёр, Аудитор, Администратор)",
        "Пользователи, строка 6: орган «Несуществующий отдел» не найден",
    ]
    assert 'id="import-save"' not in page
    assert _counts(app) == before
    # a forged save of the same file is checked again and refused
    response = client.post("/admin/import/save", data={
        "csrf_token": admin.csrf("/admin/import"), "filename": "справочник.xlsx",
        "content": base64.b64encode(_xlsx(bodies, users)).decode()})
    assert response.status_code == 400 and _counts(app) == before


@pytest.mark.parametrize(("name", "data", "message"), [
    ("список.txt", b"x", "Загрузите файл CSV или XLSX."),
    ("список.xlsx", b"not a zip", "Файл XLSX не читается"),
    ("список.csv", "Что-то;Другое\n1;2\n".encode(), "Первая строка должна содержать заголовки"),
    ("список.csv", b"", "В файле нет ни одной строки"),
])
def test_unreadable_files_are_refused_in_russian(app, client, admin, name, data, message):
    response = _upload(client, admin, name, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
