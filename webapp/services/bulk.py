"""Bulk work in a spreadsheet: export my open assignments to XLSX, fill in status and text, import it back.

Every row goes through the same service verbs and rules as a click in the UI, in its own savepoint:
a row that breaks a rule is reported and changes nothing; the others still apply."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from sqlalchemy import literal, select

from webapp.archives import Limits, UnsafeArchive, check_archive, is_zip
from webapp.extensions import db
from webapp.models import Assignment, User
from webapp.models.assignment import OPEN_STATUSES, STATUS_TITLES
from webapp.models.document import TYPE_TITLES, DocumentType
from webapp.services import assignments as service
from webapp.services import exports
from webapp.services.errors import Invalid, ServiceError
from webapp.services.policy import can, own_assignments

HEADERS = ["ID", "Документ", "Пункт", "Поручение", "Ответственный", "Срок", "Текущий статус",
           "Новый статус", "Текст отчёта / комментарий"]
NEW_STATUS = {  # what a user may type in «Новый статус», in Russian or as the code
    "в работе": "in_work", "in_work": "in_work",
    "отчёт": "reported", "отчет": "reported", "reported": "reported",
    "исполнено": "done", "принято": "done", "done": "done",
    "вернуть": "returned", "на доработку": "returned", "returned": "returned",
}
WIDTHS = [8, 40, 8, 60, 40, 12, 18, 16, 60]
CHOICES = ("в работе", "отчёт", "исполнено", "на доработку")  #: offered in «Новый статус» (NEW_STATUS reads more)
MAX_BYTES = 20 * 1024 * 1024  # the upload itself (the app refuses larger requests anyway)
MAX_ROWS = 5000


@dataclass
class RowResult:
    row: int
    assignment_id: int | None
    ok: bool
    message: str


def _exported(user: User):
    """WHERE clauses: the user's open assignments (of their bodies, or under their control; a periodic series goes
    by its dated occurrences). All of them hers to read: her bodies' and those she controls are what
    visible_assignments lets anyone who does not oversee read."""
    return own_assignments(user, Assignment.status.in_(OPEN_STATUSES)), ~Assignment.is_series


def export_count(user: User, at_most: int | None = None) -> int:
    """How many rows export_workbook would write for the user; with `at_most`, counted only that far
    (exports.count_rows: an auditor's count of every open assignment took 250 ms at 1,000,000)."""
    return exports.count_rows(select(literal(1)).select_from(Assignment).where(*_exported(user)), at_most)


def export_workbook(user: User, target: str | IO[bytes],
                    rows: Callable[[Iterable], Iterable] = lambda rows: rows) -> int:
    """The user's open assignments as the workbook to fill in, written row by row to `target`; returns the number
    of rows. `rows` wraps the rows as they are read (a job counts them for its progress)."""
    query = exports.assignment_rows(Assignment.deadline, Assignment.deadline_text, Assignment.status,
                                    order_by=[Assignment.id]).where(*_exported(user))
    sheet = exports.XlsxSheet(target, "Поручения", WIDTHS)
    read = rows(exports.stream(query))
    try:
        sheet.append(HEADERS)
        for key, kind, title, number, _day, point, action, lead, others, _controller, deadline, deadline_text, \
                status in read:
            label = f"{TYPE_TITLES[DocumentType(kind)]}{' № ' + number if number else ''} «{title[:100]}»"
            sheet.append([key, label, point or "", action, exports.responsible(lead, others),
                          f"{deadline:%d.%m.%Y}" if deadline else (deadline_text or ""), STATUS_TITLES[status], "",
                          ""])
        choice = {"validate": "list", "source": list(CHOICES), "ignore_blank": True}
        sheet.sheet.data_validation(1, 7, max(1, sheet.rows - 1), 7, choice)  # «Новый статус»: H2:H{last}
        return sheet.rows - 1
    finally:
        sheet.close()
        exports.finish(read)


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
