"""`docflow overdue` on the demo data: the protocol's overdue points and nothing else."""

from __future__ import annotations

import json

from openpyxl import load_workbook


def _overdue(app, *args):
    return app.test_cli_runner().invoke(args=["overdue", *args])


def test_overdue_json_on_the_demo(demo_app):
    result = _overdue(demo_app, "--as-of", "2022-03-01", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    by_point = {row["point"]: row for row in rows}
    assert set(by_point) == {"1.2.2", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6"}
    first = by_point["1.2.2"]
    assert first["days_overdue"] == 28 and first["deadline"] == "2022-02-01"
    assert first["responsible"].startswith("Органы местного самоуправления")
    assert first["document_number"] == "1" and first["document_date"] == "2021-06-10"
    assert all(by_point[f"3.3.{i}"]["days_overdue"] == 181 and by_point[f"3.3.{i}"]["deadline"] == "2021-09-01"
               for i in range(1, 7))
    for key in ("document_title", "document_number", "document_date", "point", "action", "responsible",
                "controller", "deadline", "days_overdue", "status"):
        assert key in first
    assert "2.2" not in by_point  # «с 1 сентября 2021 года» starts, it does not end


def test_nothing_is_overdue_before_the_deadlines(demo_app):
    result = _overdue(demo_app, "--as-of", "2021-06-15", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []
    assert "No overdue assignments." in _overdue(demo_app, "--as-of", "2021-06-15").output


def test_the_deadline_day_itself_is_not_overdue(demo_app):
    rows = json.loads(_overdue(demo_app, "--as-of", "2022-02-01", "--format", "json").output)
    assert "1.2.2" not in {row["point"] for row in rows}
    rows = json.loads(_overdue(demo_app, "--as-of", "2022-02-02", "--format", "json").output)
    assert {row["point"]: row["days_overdue"] for row in rows}["1.2.2"] == 1


def test_body_filter_csv_and_xlsx(demo_app, tmp_path):
    result = _overdue(demo_app, "--as-of", "2022-03-01", "--body", "АУ ДПО «Институт развития образования»",
                      "--format", "csv")
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("document_title,document_number,document_date,point,action")
    assert len(lines) == 1 + 6 and all(",3.3." in line for line in lines[1:])
    target = tmp_path / "overdue.xlsx"
    result = _overdue(demo_app, "--as-of", "2022-03-01", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0 and "7 overdue" in result.output
    sheet = load_workbook(target).active
    assert sheet["A2"].value == "Документ" and sheet["I2"].value == "Дней просрочки"
    assert sorted(row[8] for row in sheet.iter_rows(min_row=3, values_only=True)) == [28] + [181] * 6


def test_bad_arguments_are_refused(demo_app):
    result = _overdue(demo_app, "--as-of", "01.03.2022")
    assert result.exit_code == 2 and "is not a date in the form YYYY-MM-DD" in result.output
    result = _overdue(demo_app, "--body", "Нет такого органа")
    assert result.exit_code == 1 and "No body named" in result.output
    assert _overdue(demo_app, "--format", "xlsx").exit_code == 2


def test_more_rows_than_a_sheet_holds_writes_no_xlsx(demo_app, tmp_path, monkeypatch):
    """XlsxWriter leaves rows past a sheet's 1,048,576 out without a word; the command refuses instead and leaves
    no file short of rows (the limit lowered to the demo's 7 overdue and their title and header rows)."""
    from webapp.services.exports import XlsxSheet

    monkeypatch.setattr(XlsxSheet, "MAX_ROWS", 8)  # the title, the header and 6 of the 7 rows
    target = tmp_path / "overdue.xlsx"
    result = _overdue(demo_app, "--as-of", "2022-03-01", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 1 and "more rows than an XLSX sheet holds (8)" in result.output
    assert not target.exists()
    monkeypatch.setattr(XlsxSheet, "MAX_ROWS", 9)  # exactly enough
    assert _overdue(demo_app, "--as-of", "2022-03-01", "--format", "xlsx", "-o", str(target)).exit_code == 0
    assert len(list(load_workbook(target).active.iter_rows(min_row=3))) == 7
