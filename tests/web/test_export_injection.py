"""Formula injection in exports: text that a spreadsheet would read as a formula stays text in every XLSX and
CSV we hand out (the bulk workbook, the dashboard's exports, `docflow overdue`), and the bulk import still reads
it back as the user wrote it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import select

from tests.web.test_assignments import _as, _status, setup  # noqa: F401 - the shared fixture
from tests.web.test_bulk import _upload
from webapp.extensions import db
from webapp.models import Assignment, Report

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
ORDINARY = ["Создать службу.", "Итог: 2+2=4", "'уже с апострофом", "1.2.2"]
AS_OF = "2026-12-05"  # four days after the setup assignment's deadline: it is overdue


def _set_action(app, assignment_id, action):
    with app.app_context():
        db.session.get(Assignment, assignment_id).action = action
        db.session.commit()


def _xlsx(data):
    """The first sheet (styles loaded, not read-only) and its raw XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    return load_workbook(io.BytesIO(data)).active, xml


def _assert_text_cell(cell, xml, value):
    """A string cell holding exactly the text, marked so Excel keeps it text when edited, and no formula. A control
    character is stored in OOXML's own escape (\r as _x000D_), which Excel and LibreOffice read back and openpyxl
    leaves as it is: unescape does what they do."""
    assert unescape(cell.value) == value
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert not re.search(r"<f[\s>/]", xml), "the sheet holds a formula"


def _csv_records(text):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


@pytest.fixture
def auditor(client, auth, setup):  # noqa: F811
    _as(client, auth, "aud")
    return client


# --- XLSX -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_bulk_workbook_writes_formula_like_text_as_text(app, client, auth, setup, payload):  # noqa: F811
    _set_action(app, setup["assignment"], payload)
    _as(client, auth, "exe")
    sheet, xml = _xlsx(client.get("/assignments/bulk.xlsx").data)
    assert sheet["A2"].value == setup["assignment"] and sheet["A2"].data_type == "n"
    _assert_text_cell(sheet["D2"], xml, payload)
    assert sheet["F2"].value == "01.12.2026" and not sheet["F2"].quotePrefix


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dashboard_xlsx_writes_formula_like_text_as_text(auditor, setup, payload, app):  # noqa: F811
    _set_action(app, setup["assignment"], payload)
    sheet, xml = _xlsx(auditor.get(f"/assignments/export.xlsx?as_of={AS_OF}").data)
    assert sheet["E2"].value == "Поручение"
    _assert_text_cell(sheet["E3"], xml, payload)
    _assert_ordinary_overdue_row(sheet)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cli_xlsx_writes_formula_like_text_as_text(app, runner, setup, payload, tmp_path):  # noqa: F811
    _set_action(app, setup["assignment"], payload)
    target = tmp_path / "overdue.xlsx"
    result = runner.invoke(args=["overdue", "--as-of", AS_OF, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet, xml = _xlsx(target.read_bytes())
    _assert_text_cell(sheet["E3"], xml, payload)
    _assert_ordinary_overdue_row(sheet)


def _assert_ordinary_overdue_row(sheet):
    """The rest of the row keeps its types: dates are dates, numbers numbers, plain text plain."""
    assert sheet["A3"].value == "Об организации работы" and not sheet["A3"].quotePrefix
    assert sheet["B3"].value == "7" and sheet["B3"].data_type == "s"
    assert sheet["C3"].is_date and sheet["C3"].value == datetime(2026, 11, 1)
    assert sheet["C3"].number_format == "DD.MM.YYYY"
    assert sheet["H3"].is_date and sheet["H3"].value == datetime(2026, 12, 1)
    assert sheet["I3"].value == 4 and sheet["I3"].data_type == "n"


@pytest.mark.parametrize("action", ORDINARY)
def test_ordinary_text_is_unchanged_in_xlsx(app, auditor, setup, action):  # noqa: F811
    _set_action(app, setup["assignment"], action)
    sheet, _ = _xlsx(auditor.get(f"/assignments/export.xlsx?as_of={AS_OF}").data)
    assert sheet["E3"].value == action and sheet["E3"].data_type == "s" and not sheet["E3"].quotePrefix
    _assert_ordinary_overdue_row(sheet)


# --- CSV --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dashboard_csv_prefixes_formula_like_text(app, auditor, setup, payload):  # noqa: F811
    _set_action(app, setup["assignment"], payload)
    [record] = _csv_records(auditor.get(f"/assignments/export.csv?as_of={AS_OF}").get_data(as_text=True))
    assert record["action"] == "'" + payload
    assert record["document_title"] == "Об организации работы" and record["deadline"] == "2026-12-01"
    assert record["days_overdue"] == "4"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cli_csv_prefixes_formula_like_text(app, runner, setup, payload, tmp_path):  # noqa: F811
    _set_action(app, setup["assignment"], payload)
    target = tmp_path / "overdue.csv"
    result = runner.invoke(args=["overdue", "--as-of", AS_OF, "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    [record] = _csv_records(target.read_bytes().decode("utf-8"))  # read_text would turn \r into \n
    assert record["action"] == "'" + payload and record["days_overdue"] == "4"
    [record] = _csv_records(runner.invoke(args=["overdue", "--as-of", AS_OF, "--format", "csv"]).output)
    assert record["action"] == "'" + payload


@pytest.mark.parametrize("action", ORDINARY)
def test_ordinary_text_is_unchanged_in_csv(app, auditor, setup, action):  # noqa: F811
    _set_action(app, setup["assignment"], action)
    [record] = _csv_records(auditor.get(f"/assignments/export.csv?as_of={AS_OF}").get_data(as_text=True))
    assert record["action"] == action and record["deadline"] == "2026-12-01"


# --- the bulk import reads protected cells back ----------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","x")', "-2+3"])
def test_bulk_import_reads_formula_like_text_as_written(app, client, auth, setup, text):  # noqa: F811
    _set_action(app, setup["assignment"], text)
    _as(client, auth, "exe")
    # data_only, as the import reads: a formula would come back as its (never computed) value, None
    book = load_workbook(io.BytesIO(client.get("/assignments/bulk.xlsx").data), data_only=True)
    sheet = book.active
    assert sheet["D2"].value == text  # the text itself, no stray apostrophe
    sheet["H2"] = "в работе"
    sheet.append([setup["assignment"], "", "", "", "", "", "", "отчёт", text])
    sheet["I3"].data_type = "s"  # as Excel stores text typed as '=...: a string, not a formula
    sheet.append([setup["assignment"], "", "", "", "", "", "", "=отчёт", ""])
    sheet["H4"].data_type = "s"
    page = _upload(client, book).get_data(as_text=True)
    results = page[page.index('id="bulk-results"'):]
    assert "взято в работу" in results and "отчёт направлен контролёру" in results
    assert "неизвестный статус «=отчёт»" in results
    assert _status(app, setup["assignment"]) == "reported"
    with app.app_context():
        assert db.session.scalars(select(Report.text)).all() == [text]
