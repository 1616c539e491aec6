"""Overdue lists as JSON, CSV, a text table and XLSX (openpyxl) for scripts, cron and spreadsheets; and the rule
that keeps text from becoming a formula in every spreadsheet we hand out."""

from __future__ import annotations

import csv
import io
import json
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
    the text itself: reading the cell back gives exactly what was written."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, 1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"
            if looks_like_formula(value):
                cell.quotePrefix = True


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


def overdue_xlsx(rows: list[dict], as_of: date, title: str = "Просроченные поручения") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    append_row(sheet, [f"{title} на {as_of.strftime('%d.%m.%Y')}"])
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
