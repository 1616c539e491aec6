"""Downloads are named in Russian, as a clerk finds them in her downloads folder, and sent with RFC 5987's
`filename*=UTF-8''…` (with an ASCII fallback); nothing a file system refuses («/» of «01-29/5») is left in them."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Document
from webapp.ru.filenames import document_file_name, file_name


def _name(response) -> str:
    assert response.status_code == 200, response.status_code
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;") and "filename*=UTF-8''" in header
    return unquote(header.split("filename*=UTF-8''", 1)[1])


@pytest.fixture
def order_339(demo_app):
    with demo_app.app_context():
        return db.session.scalar(select(Document.id).where(Document.number == "339"))


def test_document_downloads_are_named_by_type_number_date_and_title(client, auth, order_339):
    auth.login("secretary", "demo")
    docx = _name(client.get(f"/documents/{order_339}/docx"))
    assert docx.startswith("Приказ № 339 от 26.12.2020 — ") and docx.endswith(".docx")
    assert _name(client.get(f"/documents/{order_339}/approval-sheet.docx")).startswith(
        "Лист согласования — Приказ № 339 от 26.12.2020 — ")
    assert _name(client.get(f"/documents/{order_339}/acknowledgment-sheet.docx")).startswith(
        "Лист ознакомления — Приказ № 339")
    assert _name(client.get("/assignments/bulk.xlsx")) == "Мои поручения на 23.11.2026.xlsx"


def test_templates_and_api_downloads_too(client, auth, demo_app, order_339):
    from tests.web.test_api import make_token

    auth.login("admin", "demo")
    assert _name(client.get("/admin/templates/default/order.docx")) == "Шаблон по умолчанию — Приказ.docx"
    token = make_token(demo_app, "auditor")
    answer = client.get(f"/api/v1/documents/{order_339}/docx", headers={"Authorization": f"Bearer {token}"})
    assert _name(answer).startswith("Приказ № 339 от 26.12.2020")


@pytest.mark.parametrize(("label", "title", "wanted"), [
    ("Решение № 01-29/5 от 01.02.2022", "О мерах", "Решение № 01-29-5 от 01.02.2022 — О мерах.docx"),
    ("Приказ", None, "Приказ.docx"),
    ("Приказ", 'О «проекте»: этап 2?', "Приказ — О «проекте»- этап 2.docx"),
    ("Протокол № 1 от 10.06.2021", "а" * 200, "Протокол № 1 от 10.06.2021 — " + "а" * 79 + "….docx"),
])
def test_names_are_safe_on_every_file_system(label, title, wanted):
    assert document_file_name(label, title, "docx") == wanted


def test_an_empty_or_hostile_name_still_makes_a_file_name():
    assert file_name('/\\:*?"<>|', "pdf") == "документ.pdf"
    assert file_name("..", "pdf") == "документ.pdf"
    assert len(file_name("я" * 400, "pdf")) == 150 + len(".pdf")


def test_dashboard_exports_are_named_by_their_day_and_filter(demo_app, client, auth):
    auth.login("auditor", "demo")
    assert _name(client.get("/assignments/export.docx?as_of=2022-03-01&overdue=y")) == \
        "Справка об исполнении поручений на 01.03.2022, только просроченные.docx"
    assert _name(client.get("/assignments/export.xlsx?as_of=2022-03-01")) == "Поручения на 01.03.2022.xlsx"
