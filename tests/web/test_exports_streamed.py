"""Streamed XLSX exports (the dashboard's, the bulk workbook, `docflow overdue --format xlsx`): each sheet holds
exactly the rows the list or the dashboard shows, cell by cell as the models say them, formula-like text stays
text, and the SQL statements an export runs do not grow with its rows (read in batches, one query)."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from tests.conftest import TODAY, counted_statements
from tests.web.test_assignment_list import _walk
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Point
from webapp.models.assignment import OPEN_STATUSES, STATUS_TITLES
from webapp.services.exports import STATE_TITLES

FORMULA = '=HYPERLINK("http://evil.example","x")'
STATUSES = ("new", "in_work", "reported", "done", "cancelled", "returned", "in_work")


@pytest.fixture
def world(app, make_user):
    """A department «Отдел» with two schools, and a body outside it; its executor, a controller, an auditor."""
    with app.app_context():
        department = Body(name="Отдел")
        db.session.add_all([department, Body(name="Школа 1", parent=department),
                            Body(name="Школа 2", parent=department), Body(name="Чужой отдел")])
        db.session.commit()
    ids = {"exe": make_user("exe", "executor", bodies=["Отдел"]), "ctl": make_user("ctl", "controller"),
           "aud": make_user("aud", "auditor")}
    return ids


def _grow(app, world, count: int) -> None:
    """`count` more assignments, each of a document of its own, with every shape a row can take: the three document
    types (a protocol dated by its meeting), with and without number, point, lead body, co-executors, controller
    (a user or only the document's text), deadline, and every status; one action looks like a formula."""
    with app.app_context():
        bodies = {b.name: b for b in db.session.query(Body)}
        start = db.session.query(Assignment).count()
        for n in range(start, start + count):
            kind = ("order", "protocol", "decision")[n % 3]
            document = Document(doc_type=kind, title=f"Документ {n}", state="published",
                                number=str(n) if n % 4 else None, reg_date=date(2026, 1, 1 + n % 28),
                                event_date=date(2025, 12, 1 + n % 28) if kind == "protocol" else None)
            db.session.add(document)
            point = None
            if n % 5:
                point = Point(document=document, position=0, number=f"{n}.1", text="Сделать")
                db.session.add(point)
            status = STATUSES[n % len(STATUSES)]
            db.session.add(Assignment(
                document=document, point=point, action=FORMULA if n % 10 == 3 else f"Поручение {n}",
                lead_body=[bodies["Школа 1"], bodies["Школа 2"], bodies["Чужой отдел"], None][n % 4],
                coexecutors=[bodies["Школа 2"], bodies["Чужой отдел"]] if n % 6 == 0 else [],
                controller_id=world["ctl"] if n % 2 else None, controller_text=None if n % 2 else "Петров П.П.",
                deadline=None if n % 7 == 6 else date(2026, 1 + n % 12, 1 + n % 28),
                deadline_kind="ongoing" if n % 9 == 8 else "by", status=status,
                completed_on=date(2026, 11, 1) if status == "done" else None))
        db.session.commit()


def _sheet(response, first_row: int) -> list[tuple]:
    """The data rows of the first sheet, read as a reader would (read-only), with each cell's quotePrefix."""
    assert response.status_code == 200, response.status_code
    return _rows(io.BytesIO(response.data), first_row)


def _rows(source, first_row: int) -> list[tuple]:
    book = load_workbook(source, read_only=True)
    rows = [tuple((unescape(c.value) if isinstance(c.value, str) else c.value,
                   bool(getattr(c, "style_array", None) and c.style_array.quotePrefix)) for c in row)
            for row in book.active.iter_rows(min_row=first_row) if any(c.value for c in row)]
    book.close()
    return rows


def _cell(value) -> tuple:
    """A value as the sheet holds it: a date as a datetime, empty text as no value; quotePrefix on formula-like text."""
    if isinstance(value, date):
        value = datetime(value.year, value.month, value.day)
    return (value if value != "" else None, isinstance(value, str) and value.startswith("="))


def _responsible(a: Assignment) -> str:
    return "; ".join(([a.lead_body.name] if a.lead_body else []) + sorted(b.name for b in a.coexecutors))


def _controller(a: Assignment) -> str:
    return a.controller.full_name if a.controller else (a.controller_text or "")


def _listed(a: Assignment, day: date, status: str) -> tuple:
    """A row of the dashboard's and the overdue list's sheet, from the models' own properties."""
    late = (day - a.deadline).days if (a.status in OPEN_STATUSES and a.deadline and a.deadline < day
                                       and a.deadline_kind == "by") else 0
    return tuple(_cell(v) for v in (a.document.title, a.document.number or "", a.document.doc_date,
                                    a.point_number or "", a.action, _responsible(a), _controller(a), a.deadline,
                                    late, status))


def test_dashboard_xlsx_holds_the_rows_its_drill_down_lists(app, client, auth, world):
    _grow(app, world, 40)
    auth.login("aud")
    listed = _walk(client, f"/assignments?as_of={TODAY}&figure=all&size=25")
    rows = _sheet(client.get(f"/assignments/export.xlsx?as_of={TODAY}"), first_row=3)
    with app.app_context():
        states = {"done": "done", "cancelled": "cancelled"}
        expected = [_listed(a, TODAY, STATE_TITLES[states.get(a.status, "open")])
                    for a in (db.session.get(Assignment, i) for i in listed)]
    assert len(listed) == 40 and rows == expected
    assert (FORMULA, True) in [row[4] for row in rows]  # formula-like text: a string marked quotePrefix


def test_bulk_xlsx_holds_my_open_assignments_as_the_list_shows_them(app, client, auth, world):
    _grow(app, world, 40)
    auth.login("exe")
    mine = _walk(client, "/assignments?scope=mine&size=25&status=all")
    rows = _sheet(client.get("/assignments/bulk.xlsx"), first_row=2)
    with app.app_context():
        expected = []
        for a in sorted((db.session.get(Assignment, i) for i in mine), key=lambda a: a.id):
            if a.status not in OPEN_STATUSES:
                continue
            doc = a.document
            label = f"{doc.type_title}{' № ' + doc.number if doc.number else ''} «{doc.title}»"
            deadline = a.deadline.strftime("%d.%m.%Y") if a.deadline else (a.deadline_text or "")
            expected.append(tuple(_cell(v) for v in (a.id, label, a.point_number or "", a.action, _responsible(a),
                                                     deadline, STATUS_TITLES[a.status], "", "")))
    # rows of another body are not mine (the lead is «Чужой отдел» and no school co-executes), closed ones not open
    assert 0 < len(expected) < len(mine) < 40
    assert rows == expected  # the two columns to fill in are empty
    assert (FORMULA, True) in [row[3] for row in rows]


def test_overdue_xlsx_holds_the_rows_of_the_json_list_with_the_body_filter_in_sql(app, runner, world, tmp_path):
    _grow(app, world, 40)
    target = tmp_path / "overdue.xlsx"
    args = ["overdue", "--as-of", TODAY.isoformat(), "--body", "Отдел"]
    result = runner.invoke(args=[*args, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(args=[*args, "--format", "json"]).output)
    everyone = json.loads(runner.invoke(args=[*args[:3], "--format", "json"]).output)
    rows = _rows(target, first_row=3)
    with app.app_context():
        expected = [_listed(a, TODAY, STATUS_TITLES[a.status])
                    for a in (db.session.get(Assignment, row["assignment_id"]) for row in listed)]
    assert f"{len(listed)} overdue assignment(s)" in result.output
    assert 5 < len(listed) < len(everyone) and rows == expected
    assert [row[8][0] for row in rows] == sorted((row[8][0] for row in rows), reverse=True)  # most overdue first


EXPORTS = {  # who asks, how, and the sheet's first data row: each export's statements counted
    "dashboard": ("aud", lambda client, runner, path: client.get(f"/assignments/export.xlsx?as_of={TODAY}"), 3),
    "bulk": ("exe", lambda client, runner, path: client.get("/assignments/bulk.xlsx"), 2),
    "overdue": (None, lambda client, runner, path: runner.invoke(args=[
        "overdue", "--as-of", TODAY.isoformat(), "--body", "Отдел", "--format", "xlsx", "-o", str(path)]), 3),
}


@pytest.mark.parametrize("export", list(EXPORTS))
def test_statements_do_not_grow_with_the_rows(app, client, auth, runner, world, tmp_path, export):
    login, run, first_row = EXPORTS[export]
    if login:
        auth.login(login)
    counts, sizes = [], []
    for more in (10, 90):
        _grow(app, world, more)
        with counted_statements(app) as seen:
            result = run(client, runner, tmp_path / "overdue.xlsx")
        counts.append(len(seen))
        data = result.data if login else (tmp_path / "overdue.xlsx").read_bytes()
        sizes.append(len(_rows(io.BytesIO(data), first_row)))
    assert sizes[1] > 5 * sizes[0] > 0, sizes  # the second export has many more rows ...
    assert counts[0] == counts[1], counts  # ... and runs the same statements


def test_the_file_is_sent_from_a_temporary_file_gone_after_the_response(app, client, auth, world, tmp_path,
                                                                        monkeypatch):
    _grow(app, world, 10)
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))  # every temporary file of the export goes here
    auth.login("aud")
    with client.get(f"/assignments/export.xlsx?as_of={TODAY}") as response:
        assert response.headers["Content-Length"] == str(len(response.data)) and response.data[:2] == b"PK"
    assert list(spool.iterdir()) == []


def test_a_report_of_more_rows_than_it_is_made_of_is_refused_on_the_dashboard(app, client, auth, world,
                                                                               monkeypatch):
    """The справка is a printed table: above REPORT_MAX_ROWS rows (2,000; 12 here) the request counts no further,
    reads none of them and goes back to the dashboard with its filters and the reason; a narrower one is made.
    Before, the region's whole list was read into memory and the renderer's budget blamed the template."""
    from webapp.services import exports

    _grow(app, world, 12)
    monkeypatch.setattr(exports, "REPORT_MAX_ROWS", 11)
    auth.login("aud")
    refused = client.get(f"/assignments/export.docx?as_of={TODAY}&doc_type=")
    assert refused.status_code == 302
    assert refused.headers["Location"] == f"/assignments/dashboard?as_of={TODAY}"
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert ("Справка формируется не более чем по 11 поручениям, а отобрано больше. Сузьте отбор (например, "
            "«только просроченные», орган или вид документа) или выгрузите XLSX.") in page
    made = client.get(f"/assignments/export.docx?as_of={TODAY}&doc_type=order")  # 4 of the 12
    assert made.status_code == 200 and made.data[:2] == b"PK"
    monkeypatch.setattr(exports, "REPORT_MAX_ROWS", 12)  # exactly enough
    assert client.get(f"/assignments/export.docx?as_of={TODAY}").status_code == 200


def test_a_streamed_export_is_planned_for_all_its_rows(app, world):
    """PostgreSQL plans a server-side cursor for its first tenth of rows (cursor_tuple_fraction 0.1): a
    department's workbook walked the primary key in the export's order, testing each row (350 ms at 1M), where the
    rows found by their indexes and sorted took 20. An export reads every row, so its cursor is planned for all of
    them, in the export's transaction only."""
    from sqlalchemy import select, text

    from webapp.models import Assignment
    from webapp.services import exports

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's server-side cursors")
        rows = exports.stream(select(Assignment.id))
        next(rows, None)
        during = db.session.execute(text("SHOW cursor_tuple_fraction")).scalar()
        exports.finish(rows)
        db.session.rollback()
        after = db.session.execute(text("SHOW cursor_tuple_fraction")).scalar()
    assert (during, after) == ("1", "0.1")


def test_the_dashboard_s_export_reads_its_rows_first(app, client, auth, world):
    """The dashboard's sheet joins its rows' assignments to their documents, points, bodies and controllers from
    the snapshot's rows, written first: past `join_collapse_limit` (8 relations) PostgreSQL keeps the written order,
    and with the snapshot joined last it hashed every assignment with its point, document, body and controller
    before taking a school's 211 rows (1.9 s of an export at 1,000,000 assignments; 50 ms so)."""
    import re

    _grow(app, world, 5)
    auth.login("aud")
    with counted_statements(app) as seen:
        assert client.get(f"/assignments/export.xlsx?as_of={TODAY}").status_code == 200
    rows = [statement for statement in seen if "controller_user" in statement and "snapshot" in statement]
    assert rows and all(re.search(r"\bFROM snapshot JOIN assignment ON assignment\.id = snapshot\.id\b",
                                  " ".join(statement.split())) for statement in rows), rows
