"""Bulk work in a spreadsheet: export my open assignments to XLSX, fill in status and text, import it back.

Every row goes through the same service verbs and rules as a click in the UI, in its own savepoint:
a row that breaks a rule is reported and changes nothing; the others still apply."""

from __future__ import annotations

import io
from dataclasses import dataclass

from webapp.archives import Limits, UnsafeArchive, check_archive, is_zip
from webapp.extensions import db
from webapp.models import Assignment, User
from webapp.models.assignment import OPEN_STATUSES, STATUS_TITLES
from webapp.services import assignments as service
from webapp.services.errors import Invalid, ServiceError
from webapp.services.exports import append_row
from webapp.services.policy import can, is_controller, is_responsible

HEADERS = ["ID", "Документ", "Пункт", "Поручение", "Ответственный", "Срок", "Текущий статус",
           "Новый статус", "Текст отчёта / комментарий"]
NEW_STATUS = {  # what a user may type in «Новый статус», in Russian or as the code
    "в работе": "in_work", "in_work": "in_work",
    "отчёт": "reported", "отчет": "reported", "reported": "reported",
    "исполнено": "done", "принято": "done", "done": "done",
    "вернуть": "returned", "на доработку": "returned", "returned": "returned",
}
MAX_BYTES = 20 * 1024 * 1024  # the upload itself (the app refuses larger requests anyway)
MAX_ROWS = 5000


@dataclass
class RowResult:
    row: int
    assignment_id: int | None
    ok: bool
    message: str


def export_workbook(user: User) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = [a for a in db.session.scalars(service.visible_query(user).order_by(Assignment.id))
            if a.status in OPEN_STATUSES and not a.is_series
            and (is_responsible(user, a) or is_controller(user, a))]
    book = Workbook()
    sheet = book.active
    sheet.title = "Поручения"
    append_row(sheet, HEADERS)
    for a in rows:
        doc = a.document
        label = f"{doc.type_title}{' № ' + doc.number if doc.number else ''} «{doc.title[:100]}»"
        append_row(sheet, [a.id, label, a.point_number or "", a.action, "; ".join(b.name for b in a.bodies),
                           a.deadline.strftime("%d.%m.%Y") if a.deadline else (a.deadline_text or ""),
                           STATUS_TITLES[a.status], "", ""])
    choice = DataValidation(type="list", formula1='"в работе,отчёт,исполнено,на доработку"', allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add(f"H2:H{max(2, len(rows) + 1)}")
    for column, width in zip("ABCDEFGHI", [8, 40, 8, 60, 40, 12, 18, 16, 60], strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# A filled-in export is a few sheets; spreadsheet XML compresses far better than a document's, so the ratio
# limit is looser than for templates.
LIMITS = Limits(max_bytes=MAX_BYTES, max_ratio=1000)


def _open_workbook(data: bytes):
    from openpyxl import load_workbook

    if not is_zip(data):
        raise Invalid("Это не файл Excel (XLSX).")
    try:
        check_archive(data, LIMITS)
    except UnsafeArchive as exc:
        raise Invalid(exc.reason) from exc
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise Invalid("Не удалось прочитать файл Excel: он повреждён или это не XLSX.") from exc


def _apply(user: User, assignment: Assignment, status: str, text: str) -> str:
    if status == "in_work":
        service.take_into_work(user, assignment)
        return "взято в работу"
    if status == "reported":
        service.submit_report(user, assignment, text)
        return "отчёт направлен контролёру"
    if status == "done":
        service.accept(user, assignment, text or None)
        return "принято: исполнено"
    service.return_report(user, assignment, text)
    return "возвращено на доработку"


def import_workbook(user: User, data: bytes) -> list[RowResult]:
    book = _open_workbook(data)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None or [str(h or "").strip() for h in header[:len(HEADERS)]] != HEADERS:
        raise Invalid("Первая строка не совпадает с выгрузкой: загрузите файл, полученный кнопкой «Выгрузить».")
    results: list[RowResult] = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            results.append(RowResult(number, None, False, f"пропущено: больше {MAX_ROWS} строк"))
            break
        values = list(values) + [None] * len(HEADERS)
        raw_id, raw_status, text = values[0], str(values[7] or "").strip().lower(), str(values[8] or "").strip()
        if not raw_status:
            continue  # nothing asked for this row
        try:
            assignment_id = int(raw_id)
        except (TypeError, ValueError):
            results.append(RowResult(number, None, False, "нет номера поручения (ID)"))
            continue
        status = NEW_STATUS.get(raw_status)
        assignment = db.session.get(Assignment, assignment_id)
        if status is None:
            results.append(RowResult(number, assignment_id, False, f"неизвестный статус «{values[7]}»"))
            continue
        if assignment is None or not can(user, "read_assignment", assignment):
            results.append(RowResult(number, assignment_id, False, "поручение не найдено или недоступно"))
            continue
        try:
            with db.session.begin_nested():
                message = _apply(user, assignment, status, text)
            results.append(RowResult(number, assignment_id, True, message))
        except ServiceError as exc:  # NotAllowed, Invalid, Conflict: the row is refused, nothing of it stays
            db.session.refresh(assignment)
            results.append(RowResult(number, assignment_id, False, exc.reason))
    book.close()
    return results
