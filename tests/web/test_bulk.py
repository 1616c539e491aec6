"""The XLSX round trip: export my open assignments, fill in statuses, import; a row that breaks a rule is
reported and changes nothing."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.web.test_assignments import _as, _status, setup  # noqa: F401 - the shared fixture
from webapp.extensions import db
from webapp.models import Assignment, Body, Document


def _upload(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    token = AuthActions(client).csrf("/assignments/bulk")
    return client.post("/assignments/bulk", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (buffer, "filled.xlsx")})


def _second_assignment(app):
    with app.app_context():
        other = db.session.scalar(select(Body).where(Body.name == "Отдел культуры"))
        doc = db.session.scalar(select(Document))
        a = Assignment(document=doc, lead_body=other, action="Провести фестиваль.", deadline=date(2026, 12, 20),
                       deadline_kind="by", status="new")
        db.session.add(a)
        db.session.commit()
        return a.id


def test_round_trip_with_a_row_that_breaks_a_rule(app, client, auth, setup):  # noqa: F811
    foreign = _second_assignment(app)
    _as(client, auth, "exe")
    book = load_workbook(io.BytesIO(client.get("/assignments/bulk.xlsx").data))
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[6]) for r in rows] == [(setup["assignment"], "Создать службу.", "Новое")]
    sheet["H2"] = "в работе"
    sheet.append([setup["assignment"], "", "", "", "", "", "", "исполнено", "Готово"])  # only the controller may
    sheet.append([foreign, "", "", "", "", "", "", "в работе", ""])  # another body's assignment
    sheet.append(["abc", "", "", "", "", "", "", "в работе", ""])
    sheet.append([setup["assignment"], "", "", "", "", "", "", "сделано", ""])
    page = _upload(client, book).get_data(as_text=True)
    results = page[page.index('id="bulk-results"'):]
    assert "взято в работу" in results
    assert "Принять или вернуть отчёт может контролёр поручения" in results
    assert "поручение не найдено или недоступно" in results
    assert "нет номера поручения (ID)" in results and "неизвестный статус «сделано»" in results
    assert results.count("table-success") == 1 and results.count("table-danger") == 4
    assert _status(app, setup["assignment"]) == "in_work" and _status(app, foreign) == "new"

    book = load_workbook(io.BytesIO(client.get("/assignments/bulk.xlsx").data))
    book.active["H2"], book.active["I2"] = "отчёт", "Служба создана."
    assert "отчёт направлен контролёру" in _upload(client, book).get_data(as_text=True)
    _as(client, auth, "ctl")
    book = load_workbook(io.BytesIO(client.get("/assignments/bulk.xlsx").data))
    book.active["H2"] = "исполнено"
    assert "принято: исполнено" in _upload(client, book).get_data(as_text=True)
    assert _status(app, setup["assignment"]) == "done"


def test_bad_files_are_refused_with_a_message(app, client, auth, setup):  # noqa: F811
    _as(client, auth, "exe")
    token = auth.csrf("/assignments/bulk")
    response = client.post("/assignments/bulk", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(b"not a spreadsheet"), "x.xlsx")})
    assert response.status_code == 400 and "Это не файл Excel (XLSX)." in response.get_data(as_text=True)
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["что-то", "другое"])
    response = _upload(client, book)
    assert response.status_code == 400 and "Первая строка не совпадает с выгрузкой" in response.get_data(as_text=True)
    assert _status(app, setup["assignment"]) == "new"


def test_an_xxe_spreadsheet_is_refused_before_parsing(app, client, auth, setup):  # noqa: F811
    """The same archive checks as template uploads: a DOCTYPE in any XML part stops the import."""
    import zipfile

    from openpyxl import Workbook

    _as(client, auth, "exe")
    plain = io.BytesIO()
    Workbook().save(plain)
    evil = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            dst.writestr(item, data)
    token = auth.csrf("/assignments/bulk")
    response = client.post("/assignments/bulk", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(evil.getvalue()), "x.xlsx")})
    assert response.status_code == 400 and "содержит объявление DOCTYPE" in response.get_data(as_text=True)
