"""Overdue lists as JSON, CSV, a text table and XLSX (openpyxl) for scripts, cron and spreadsheets; and the rule
that keeps text from becoming a formula in every spreadsheet we hand out."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable
from datetime import date
from typing import Any

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    ("document_title", "Документ", 50), ("document_number", "№", 8), ("document_date", "Дата", 12),
    ("point", "Пункт", 8), ("action", "Поручение", 60), ("responsible", "Ответственные", 40),
    ("controller", "Контролёр", 25), ("deadline", "Срок", 12), ("days_overdue", "Дней просрочки", 10),
    ("status", "Статус", 12),
]


# --- formula injection (OWASP «CSV Injection») ------------------------------------------------------------
# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...), =cmd|...), and tab
# or carriage return can hide such a start; text from users (an assignment's action, a name) must stay text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """The one rule: text a spreadsheet could evaluate. Numbers and dates are never text, so never caught."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_field(value: Any) -> Any:
    """A CSV field no spreadsheet evaluates: formula-like text gets a leading apostrophe (OWASP's advice);
    anything else is returned as it is."""
    return "'" + value if looks_like_formula(value) else value


class CsvWriter:
    """csv.writer with every field passed through csv_field; the same arguments (delimiter=";" ...)."""

    def __init__(self, buffer, **fmtparams):
        self._writer = csv.writer(buffer, **fmtparams)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_field(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def append_row(sheet, values: Iterable) -> None:
    """sheet.append(values) where text stays text: openpyxl turns a string starting with "=" into a formula
    (and "#N/A" into an error), so every string is written as a string cell; formula-like text is also marked
    quotePrefix (Excel's leading apostrophe) so Excel keeps it text when the user edits the cell. The value is
    the text itself: reading the cell back gives exactly what was written. The cells are made before they are
    appended (asking the sheet for its last row each time made a long export quadratic)."""
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(sheet)
            cell._value, cell.data_type = value, "s"  # as typed: no formula or error guessing
            if looks_like_formula(value):
                cell.quotePrefix = True
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def overdue_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def overdue_csv(rows: list[dict]) -> str:
    keys = [key for key, *_ in COLUMNS]
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(keys)
    writer.writerows([row.get(key, "") for key in keys] for row in rows)
    return buffer.getvalue()


def overdue_table(rows: list[dict]) -> str:
    if not rows:
        return "No overdue assignments.\n"
    lines = []
    for row in rows:
        title = row["document_title"][:40]
        lines.append(f"{row['days_overdue']:>5} d  {row['deadline']}  {row['document_number'] or '—':>6}  "
                     f"{row['point'] or '—':<8} {title:<40}  {row['responsible'][:60]}")
    return "\n".join(["days   deadline    number  point    document" + " " * 34 + "responsible", *lines]) + "\n"


def overdue_xlsx(rows: list[dict], as_of: date, title: str = "Просроченные поручения", note: str = "") -> bytes:
    """The rows under a title line «{title} на ДД.ММ.ГГГГ» (with the note, e.g. the filters, in brackets) and a
    header line; dates as dates, text as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    append_row(sheet, [f"{title} на {as_of.strftime('%d.%m.%Y')}" + (f" ({note})" if note else "")])
    sheet["A1"].font = Font(bold=True, size=12)
    append_row(sheet, [title for _, title, _ in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for key, *_ in COLUMNS:
            value = row[key]
            if key in ("deadline", "document_date") and value:
                value = date.fromisoformat(value)
            values.append(value)
        append_row(sheet, values)
    for index, (_, _, width) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the dashboard «на дату»: its rows, XLSX, справка rows and chart data ----------------------------------

#: An assignment's state at the dashboard's day, in the words the exports use.
STATE_TITLES = {"open": "на исполнении", "done": "исполнено", "cancelled": "снято с контроля"}
TITLE_LIMIT = 100  #: a document title longer than this is shortened in the справка, at a word boundary


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """Text of at most `limit` characters, cut between words (never inside one) and marked with «…»."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]
    return cut.rstrip(" ,;:—-") + "…"


def snapshot_rows(rows: list[tuple[Any, date | None, str]], as_of: date) -> list[dict]:
    """The dashboard's rows (assignment, deadline at the day, state at the day) as plain dicts with the keys of
    COLUMNS: the deadline and the state are the day's, days overdue counted to the day."""
    out = []
    for assignment, deadline, state in rows:
        document = assignment.document
        day = document.doc_date
        late = (as_of - deadline).days if state == "open" and deadline and deadline < as_of and \
            assignment.deadline_kind in ("by", "period") else 0
        controller = assignment.controller.full_name if assignment.controller else (assignment.controller_text or "")
        out.append({
            "assignment_id": assignment.id, "document_id": document.id, "document_title": document.title,
            "document_number": document.number or "", "document_date": day.isoformat() if day else "",
            "document_type": document.doc_type, "point": assignment.point_number or "", "action": assignment.action,
            "responsible": "; ".join(b.name for b in assignment.bodies), "controller": controller,
            "deadline": deadline.isoformat() if deadline else "", "deadline_text": assignment.deadline_text or "",
            "days_overdue": late, "status": STATE_TITLES.get(state, state), "state": state,
            "completed_on": assignment.completed_on.isoformat() if state == "done" and assignment.completed_on
            else "",
        })
    return out


def snapshot_xlsx(rows: list[dict], as_of: date, described: list[str]) -> bytes:
    """The dashboard's rows as a spreadsheet whose title states the filters they were chosen by."""
    return overdue_xlsx(rows, as_of, title="Поручения", note="; ".join(described) or "все поручения")


def reference(row: dict) -> str:
    """A document as the справка names it: «Приказ от 26.12.2020 № 339 «Об утверждении …»», or, where the title
    goes on from the type («совещания по …»), «Протокол совещания по … от 10.06.2021 № 1»."""
    from webapp.models.document import TYPE_TITLES, DocumentType

    kind = TYPE_TITLES[DocumentType(row["document_type"])]
    day = f" от {date.fromisoformat(row['document_date']):%d.%m.%Y}" if row.get("document_date") else ""
    number = f" № {row['document_number']}" if row.get("document_number") else ""
    title = shorten(row["document_title"]).rstrip(".")
    if title[:1].islower():
        return f"{kind} {title}{day}{number}"
    return f"{kind}{day}{number} «{title}»"


def report_rows(rows: list[dict]) -> list[dict]:
    """The dashboard's rows as the справка prints them: the document as a reference «Title от ДД.ММ.ГГГГ № N»
    (the title shortened between words), the deadline as ДД.ММ.ГГГГ, the state at the day in words."""
    out = []
    for row in rows:
        deadline = date.fromisoformat(row["deadline"]) if row.get("deadline") else None
        out.append({"document": reference(row), "point": row.get("point") or "",
                    "action": row.get("action") or "", "responsible": row.get("responsible") or "",
                    "deadline": f"{deadline:%d.%m.%Y}" if deadline else "—", "status": row["status"],
                    "days_overdue": row.get("days_overdue") or 0, "done": row.get("state") == "done"})
    return out


def chart_data(data) -> dict[str, str]:
    """The dashboard's charts as JSON for Chart.js (read from data- attributes: no inline script under the CSP):
    overdue by body (the ten with the most), by age, and open and overdue at the end of each month."""
    bodies = sorted((row for row in data.by_body if row[2]), key=lambda item: (-item[2], item[0].display_name))[:10]
    return {  # a long body name goes on several lines of the axis, broken between words
        "bodies": json.dumps({"labels": [textwrap.wrap(b.display_name, 28) for b, _, _ in bodies],
                              "values": [late for _, _, late in bodies]}, ensure_ascii=False),
        "ages": json.dumps({"labels": [f"{title} дн." for title, _, _ in data.buckets],
                            "values": [count for _, _, count in data.buckets]}, ensure_ascii=False),
        "trend": json.dumps({"labels": [f"{end:%m.%Y}" for end, _, _ in data.trend],
                             "open": [opened for _, opened, _ in data.trend],
                             "overdue": [late for _, _, late in data.trend]}, ensure_ascii=False),
    }
