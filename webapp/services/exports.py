"""Overdue lists as JSON, CSV, a text table and XLSX (openpyxl) for scripts, cron and spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    ("document_title", "Документ", 50), ("document_number", "№", 8), ("document_date", "Дата", 12),
    ("point", "Пункт", 8), ("action", "Поручение", 60), ("responsible", "Ответственные", 40),
    ("controller", "Контролёр", 25), ("deadline", "Срок", 12), ("days_overdue", "Дней просрочки", 10),
    ("status", "Статус", 12),
]


def overdue_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def overdue_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[key for key, *_ in COLUMNS], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
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
    sheet.append([f"{title} на {as_of.strftime('%d.%m.%Y')}"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([title for _, title, _ in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for key, *_ in COLUMNS:
            value = row[key]
            if key in ("deadline", "document_date") and value:
                value = date.fromisoformat(value)
            values.append(value)
        sheet.append(values)
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
