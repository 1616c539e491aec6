"""The auditors' dashboard and its exports, on the demo data as of 1 March 2022."""

from __future__ import annotations

import csv
import io
import re

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook


@pytest.fixture
def auditor(demo_app, client, auth):
    auth.login("auditor", "demo")
    return client


def _count(page, element_id):
    return int(re.search(rf'id="{element_id}">(\d+)<', page).group(1))


def test_dashboard_totals_aging_and_breakdowns(auditor):
    page = auditor.get("/assignments/dashboard?as_of=2022-03-01").get_data(as_text=True)
    assert _count(page, "total-overdue") == 7
    aging = re.findall(r'<span class="bucket-count">(\d+)</span>', page)
    assert aging == ["0", "1", "0", "6"]  # 28 days in 8–30, six of 181 days over 90
    by_body = page[page.index('id="by-body"'):page.index('id="by-document"')]
    assert "Органы местного самоуправления" in by_body or "ОМСУ" in by_body
    overdue_list = page[page.index('id="overdue-list"'):]
    assert overdue_list.count("<tr><td>181</td>") == 6 and overdue_list.count("<tr><td>28</td>") == 1
    page = auditor.get("/assignments/dashboard?as_of=2021-06-15").get_data(as_text=True)
    assert _count(page, "total-overdue") == 0 and "Просроченных нет." in page


def test_dashboard_filters(auditor):
    page = auditor.get("/assignments/dashboard?as_of=2022-03-01&doc_type=order").get_data(as_text=True)
    assert _count(page, "total-overdue") == 0
    page = auditor.get("/assignments/dashboard?as_of=2022-03-01&since=2021-06-01&until=2021-06-30"
                       ).get_data(as_text=True)
    assert _count(page, "total-overdue") == 7
    page = auditor.get("/assignments/dashboard?as_of=not-a-date").get_data(as_text=True)
    assert "На дату: Не удалось распознать дату: not-a-date" in page  # a bad filter is reported, not a 500


def test_exports_xlsx_csv_docx(auditor):
    response = auditor.get("/assignments/export.xlsx?as_of=2022-03-01&status=new")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows and all(row[9] == "new" for row in rows)
    assert sorted(row[8] for row in rows if row[8]) == [28] + [181] * 6
    text = auditor.get("/assignments/export.csv?as_of=2022-03-01").get_data(as_text=True).lstrip("\ufeff")
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == len(rows) + sum(1 for r in records if r["status"] != "new")
    document = DocxDocument(io.BytesIO(auditor.get("/assignments/export.docx?as_of=2022-03-01").data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "СПРАВКА" and texts[1].startswith("о ходе исполнения поручений по состоянию на 01.03.2022")
    table = document.tables[0]
    assert len(table.rows) == 1 + len(records)
    assert any("просрочено на 181 дн." in row.cells[5].text for row in table.rows)
    assert auditor.get("/assignments/export.pdf").status_code == 404


@pytest.mark.parametrize("login", ["executor", "secretary", "controller"])
def test_dashboard_is_for_auditors_and_admins(demo_app, client, auth, login):
    auth.login(login, "demo")
    assert client.get("/assignments/dashboard").status_code == 403
    assert client.get("/assignments/export.xlsx").status_code == 403


def test_bodies_count_their_sub_bodies_once_each(app, client, auth, make_user):
    """«По ответственным органам (с подчинёнными)»: a body's row counts its own assignments and those of every
    body below it, an assignment of two sub-bodies once."""
    from datetime import date

    from webapp.extensions import db
    from webapp.models import Assignment, Body, Document

    with app.app_context():
        top = Body(name="Департамент", short_name="Деп")
        left, right = Body(name="Отдел 1", parent=top), Body(name="Отдел 2", parent=top)
        school = Body(name="Школа 5", parent=left)
        document = Document(doc_type="order", title="О мерах", state="published", number="3",
                            reg_date=date(2026, 1, 10))
        db.session.add_all([top, left, right, school, document])
        db.session.flush()

        def assignment(lead, *others, deadline=date(2026, 12, 31)):
            row = Assignment(document_id=document.id, action="Сделать", status="in_work", lead_body=lead,
                             deadline=deadline, deadline_kind="by", coexecutors=list(others))
            db.session.add(row)

        assignment(school, deadline=date(2026, 2, 1))  # overdue on the day asked
        assignment(left, right)  # two sub-bodies of the department: counted once for it
        assignment(top)
        db.session.commit()
    make_user("aud", "auditor")
    auth.login("aud")
    page = client.get("/assignments/dashboard?as_of=2026-03-01").get_data(as_text=True)
    table = page[page.index('id="by-body"'):page.index('id="by-document"')]
    rows = dict((name, (int(opened), int(late))) for name, opened, late in re.findall(
        r"<tr><td><a [^>]*>([^<]+)</a></td><td>(\d+)</td><td>(\d+)</td></tr>", table))
    assert rows == {"Деп": (3, 1), "Отдел 1": (2, 1), "Отдел 2": (1, 0), "Школа 5": (1, 1)}
