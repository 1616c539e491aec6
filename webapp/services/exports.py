"""Exports of assignments for people and scripts: XLSX written row by row in constant memory (the dashboard's,
`docflow overdue`'s; the bulk workbook uses the same sheet writer), CSV, JSON and a text table; the rows read
from the database in batches with every filter in SQL; and the rule that keeps text from becoming a formula in
every spreadsheet we hand out."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import IO, Any, NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Point, User
from webapp.models.assignment import STATUS_TITLES, assignment_coexecutor
from webapp.models.document import TYPE_TITLES, DocumentType
from webapp.ru.typography import grouped
from webapp.services.assignments import OVERDUE_ORDER, overdue_query
from webapp.services.dashboard import Snapshot, document_date
from webapp.services.errors import Invalid

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    ("document_title", "Документ", 50), ("document_number", "№", 8), ("document_date", "Дата", 12),
    ("point", "Пункт", 8), ("action", "Поручение", 60), ("responsible", "Ответственные", 40),
    ("controller", "Контролёр", 25), ("deadline", "Срок", 12), ("days_overdue", "Дней просрочки", 10),
    ("status", "Статус", 12),
]
BATCH = 1000  #: rows fetched from the database at a time (PostgreSQL: a server-side cursor)


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


# --- XLSX, one row at a time ---------------------------------------------------------------------------------

#: XlsxWriter in constant-memory mode: a row goes to a temporary file as soon as the next one begins, so memory
#: stays flat however many rows; write_string keeps text as text, and these keep write() from guessing too.
XLSX_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                "strings_to_urls": False}


class SheetFull(Invalid):
    """More rows than a worksheet holds: XlsxWriter would leave the rest out without a word (its write returns -1),
    and the user would get a file short of rows."""

    def __init__(self, limit: int):
        super().__init__(f"Выгрузка не подготовлена: строк в ней больше, чем вмещает лист Excel ({grouped(limit)}). "
                         "Сузьте отбор или выгрузите CSV.")
        self.limit = limit


class XlsxSheet:
    """A workbook of one sheet written row by row to `target` (a path or a binary file) and closed with close().

    Text is always a string cell (never a formula or an error, whatever it starts with); formula-like text is also
    marked quotePrefix (Excel's leading apostrophe) so Excel keeps it text when the user edits the cell, and the
    value is the text itself (a control character in OOXML's escape, _x000D_, which Excel reads back). Dates are
    dates shown ДД.ММ.ГГГГ, numbers numbers; None and empty text leave the cell empty. `wrap`: data cells wrap
    their text and align to the top."""

    MAX_ROWS = 1_048_576  #: rows a worksheet holds, the header's among them (Excel's limit, and XlsxWriter's)

    def __init__(self, target: str | IO[bytes], title: str, widths: Sequence[float], *, wrap: bool = False):
        import xlsxwriter  # loaded with the first workbook written, not at start

        self.book = xlsxwriter.Workbook(target, XLSX_OPTIONS)
        self.sheet = self.book.add_worksheet(title[:31])
        cell = {"text_wrap": True, "valign": "top"} if wrap else {}
        self.text = self.book.add_format(cell) if cell else None  # None: the default format, empty text no cell
        self.quoted = self.book.add_format(cell | {"quote_prefix": True})
        self.day = self.book.add_format(cell | {"num_format": "DD.MM.YYYY"})
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)
        self.rows = 0  #: rows written so far (the next row's index)

    def style(self, **properties):
        """A cell format of this workbook (XlsxWriter's properties: bold=True, font_size=12 ...)."""
        return self.book.add_format(properties)

    def append(self, values: Iterable, style=None) -> None:
        """The next row; `style` for its text and numbers instead of the data cells' own."""
        write_string, row = self.sheet.write_string, self.rows
        if row >= self.MAX_ROWS:
            raise SheetFull(self.MAX_ROWS)
        plain = style or self.text
        for column, value in enumerate(values):
            if isinstance(value, str):
                if value:  # empty text: no cell
                    write_string(row, column, value, self.quoted if looks_like_formula(value) else plain)
            elif isinstance(value, date):
                self.sheet.write_datetime(row, column, value, self.day)
            elif value is not None:
                self.sheet.write_number(row, column, value, plain)
        self.rows += 1

    def close(self) -> None:
        self.book.close()


# --- assignments as the exports show them -----------------------------------------------------------------

NAME_SEPARATOR = "\x1f"  # joins co-executors' names in SQL: a character no body's name holds


class Record(NamedTuple):
    """One assignment as an export shows it: the cells of COLUMNS in their order, then what the справка needs."""

    document_title: str
    document_number: str
    document_date: date | None
    point: str
    action: str
    responsible: str
    controller: str
    deadline: date | None
    days_overdue: int
    status: str  #: in words
    document_type: str
    state: str  #: the dashboard's state at the day (open, done, cancelled), else the status
    assignment_id: int


def assignment_rows(*columns, order_by: Sequence = (), among=None):
    """SELECT for exports: an assignment's id, its document's type, title, number and date, its point's number,
    action, lead body's name, co-executors' names (NAME_SEPARATOR between them) and controller (a user's name or
    the text the document named), then `columns`; joined so that one statement reads every row. `among`: the rows
    (a subquery or CTE with an `id` column) whose assignments are read, first in the FROM list. PostgreSQL keeps
    the written join order past `join_collapse_limit` (8), which the dashboard's snapshot and these joins pass:
    joined last, it hashed every assignment with its point, document, body and controller before taking a school's
    211 rows (1.9 s of an export at 1,000,000 assignments)."""
    lead, controller = aliased(Body, name="lead_body"), aliased(User, name="controller_user")
    coexecutors = (select(func.aggregate_strings(Body.name, NAME_SEPARATOR))
                   .join_from(assignment_coexecutor, Body, Body.id == assignment_coexecutor.c.body_id)
                   .where(assignment_coexecutor.c.assignment_id == Assignment.id).scalar_subquery())
    rows = select(Assignment.id, Document.doc_type, Document.title, Document.number, document_date(), Point.number,
                  Assignment.action, lead.name, coexecutors,
                  func.coalesce(controller.full_name, Assignment.controller_text), *columns)
    rows = rows.select_from(Assignment) if among is None else \
        rows.select_from(among).join(Assignment, Assignment.id == among.c.id)
    return (rows.join(Document, Document.id == Assignment.document_id)
            .outerjoin(Point, Point.id == Assignment.point_id)
            .outerjoin(lead, lead.id == Assignment.lead_body_id)
            .outerjoin(controller, controller.id == Assignment.controller_id)
            .order_by(*order_by))


def responsible(lead: str | None, coexecutors: str | None) -> str:
    """«Lead; co-executor; …» as Assignment.bodies lists them, the co-executors by name."""
    names = [lead] if lead else []
    if coexecutors:
        names += sorted(coexecutors.split(NAME_SEPARATOR))
    return "; ".join(names)


def count_rows(rows, at_most: int | None = None) -> int:
    """The rows a select gives; with `at_most`, counted only that far (a request asks whether an export is big,
    which it knows after EXPORT_INLINE_ROWS + 1 rows; its job counts them all for its progress)."""
    if at_most is not None:
        rows = rows.limit(at_most)
    return db.session.scalar(select(func.count()).select_from(rows.subquery()))


def stream(query) -> Iterator:
    """The query's rows fetched BATCH at a time: a server-side cursor on PostgreSQL, never every row at once. The
    cursor is closed when the rows are read to the end or the iterator is closed (`finish`)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        yield from result
    finally:
        result.close()


def finish(rows: Iterable) -> None:
    """Close rows a writer stopped reading halfway (a sheet full, a failure): the generators under them end now,
    `stream`'s cursor with them, while their transaction is still open."""
    close = getattr(rows, "close", None)
    if close is not None:
        close()


LIST_HEAD_ROWS = 2  #: the title and the header above xlsx_list's rows


def ensure_sheet_holds(rows: int) -> None:
    """SheetFull when xlsx_list's sheet would not hold `rows` rows, known before any is written."""
    if rows + LIST_HEAD_ROWS > XlsxSheet.MAX_ROWS:
        raise SheetFull(XlsxSheet.MAX_ROWS)


def xlsx_list(records: Iterable[Record], target: str | IO[bytes], as_of: date, title: str, note: str = "") -> int:
    """The rows under a title line «{title} на ДД.ММ.ГГГГ» (with the note, e.g. the filters, in brackets) and a
    header line, the header frozen; returns the number of rows."""
    sheet = XlsxSheet(target, title, [width for *_, width in COLUMNS], wrap=True)
    try:
        sheet.append([f"{title} на {as_of:%d.%m.%Y}" + (f" ({note})" if note else "")],
                     style=sheet.style(bold=True, font_size=12))
        sheet.append([heading for _, heading, _ in COLUMNS], style=sheet.style(bold=True))
        sheet.sheet.freeze_panes(2, 0)
        width = len(COLUMNS)
        for record in records:
            sheet.append(record[:width])
        return sheet.rows - LIST_HEAD_ROWS
    finally:
        sheet.close()
        finish(records)


def csv_list(records: Iterable[Record], target: IO[bytes]) -> None:
    """The rows as CSV in UTF-8 with a byte order mark (so Excel reads the Russian), the keys of COLUMNS first."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = CsvWriter(text)
    writer.writerow([key for key, *_ in COLUMNS])
    width = len(COLUMNS)
    writer.writerows(record[:width] for record in records)
    text.detach()  # the caller's file stays open


# --- overdue lists (`docflow overdue`) --------------------------------------------------------------------

def overdue_dicts(as_of: date, body: Body | None = None) -> Iterator[dict]:
    """`docflow overdue`'s rows as the API's overdue list gives them (OverdueRow.as_dict's keys and values), read
    as columns in batches in the overdue list's order: at 1,000,000 assignments the command built 147,000
    models and their dicts first (25 s, 1.3 GB)."""
    rows = assignment_rows(Assignment.deadline, Assignment.status, Assignment.document_id,
                           Assignment.original_deadline, Assignment.deadline_text,
                           order_by=OVERDUE_ORDER).where(overdue_query(as_of, body).whereclause)
    for (key, kind, title, number, day, point, action, lead, others, controller, deadline, status, document_id,
         original, deadline_text) in stream(rows):
        yield {"assignment_id": key, "document_id": document_id, "document_title": title,
               "document_number": number or "", "document_date": _iso(day), "document_type": kind,
               "point": point or "", "action": action, "responsible": responsible(lead, others),
               "controller": controller or "", "deadline": deadline.isoformat(),
               "original_deadline": (original or deadline).isoformat(), "deadline_text": deadline_text or "",
               "days_overdue": (as_of - deadline).days, "status": status}


def _iso(day) -> str:
    """A date as YYYY-MM-DD ('' for none); SQLite gives the document's date (a CASE of columns) as that text."""
    return day.isoformat() if isinstance(day, date) else (day or "")


def write_overdue(rows: Iterable[dict], fmt: str, write: Callable[[str], object]) -> None:
    """The rows as JSON (a list of objects), CSV (the keys of COLUMNS) or a table for the terminal, written
    piece by piece through `write` as they are read."""
    rows = iter(rows)
    try:
        if fmt == "json":
            first = True
            for row in rows:
                item = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
                write(("[\n  " if first else ",\n  ") + item)
                first = False
            write("[]\n" if first else "\n]\n")
        elif fmt == "csv":
            keys = [key for key, *_ in COLUMNS]
            writer = CsvWriter(_Writes(write))
            writer.writerow(keys)
            for row in rows:
                writer.writerow([row.get(key, "") for key in keys])
        else:
            empty = True
            for row in rows:
                if empty:
                    write("days   deadline    number  point    document" + " " * 34 + "responsible\n")
                    empty = False
                title = row["document_title"][:40]
                write(f"{row['days_overdue']:>5} d  {row['deadline']}  {row['document_number'] or '—':>6}  "
                      f"{row['point'] or '—':<8} {title:<40}  {row['responsible'][:60]}\n")
            if empty:
                write("No overdue assignments.\n")
    finally:
        finish(rows)


class _Writes:
    """A file-like object over a write function (what the csv module writes to)."""

    def __init__(self, write: Callable[[str], object]):
        self.write = write


def overdue_records(as_of: date, body: Body | None = None) -> Iterator[Record]:
    """Open assignments whose deadline passed before `as_of` (of `body` and its sub-bodies, lead or co-executor),
    most overdue first, read in batches."""
    rows = assignment_rows(Assignment.deadline, Assignment.status,
                           order_by=OVERDUE_ORDER).where(overdue_query(as_of, body).whereclause)
    for (key, kind, title, number, day, point, action, lead, others, controller, deadline, status) in stream(rows):
        yield Record(title, number or "", day, point or "", action, responsible(lead, others), controller or "",
                     deadline, (as_of - deadline).days, STATUS_TITLES[status], kind, status, key)


def overdue_xlsx(as_of: date, target: str | IO[bytes], body: Body | None = None) -> int:
    """`docflow overdue --format xlsx`: the overdue list as a sheet; returns the number of rows."""
    return xlsx_list(overdue_records(as_of, body), target, as_of, "Просроченные поручения",
                     f"орган: {body.name} (с подчинёнными)" if body is not None else "")


# --- the dashboard «на дату»: its rows, XLSX, CSV, справка rows and chart data -----------------------------

#: An assignment's state at the dashboard's day, in the words the exports use.
STATE_TITLES = {"open": "на исполнении", "done": "исполнено", "cancelled": "снято с контроля"}
TITLE_LIMIT = 100  #: a document title longer than this is shortened in the справка, at a word boundary
#: Rows a справка is made of at most: a printed table of 2,000 rows is some 80 pages, rendered in about a second;
#: the region's whole list (980,000 rows at 1M) would have been read into memory before the renderer's budget
#: stopped it with a message about the template. Above it the dashboard says so and offers XLSX.
REPORT_MAX_ROWS = 2_000


def report_too_long() -> str:
    """Why the справка is not made when the filters keep more than REPORT_MAX_ROWS rows."""
    return (f"Справка формируется не более чем по {grouped(REPORT_MAX_ROWS)} поручениям, а отобрано больше. Сузьте "
            "отбор (например, «только просроченные», орган или вид документа) или выгрузите XLSX.")


def snapshot_records(snapshot: Snapshot) -> Iterator[Record]:
    """Every row of the dashboard's snapshot (its figure «all»), the longest overdue first, read in batches: the
    deadline and the state are the day's, days overdue counted to the day."""
    r, as_of = snapshot.rows.c, snapshot.filters.as_of
    rows = assignment_rows(r.deadline, r.state, r.overdue, order_by=(r.deadline.is_(None), r.deadline, r.id),
                           among=snapshot.rows)
    for key, kind, title, number, day, point, action, lead, others, controller, deadline, state, late in stream(rows):
        yield Record(title, number or "", day, point or "", action, responsible(lead, others), controller or "",
                     deadline, (as_of - deadline).days if late else 0, STATE_TITLES.get(state, state), kind, state,
                     key)


def snapshot_xlsx(records: Iterable[Record], target: str | IO[bytes], as_of: date, described: list[str]) -> int:
    """The dashboard's rows as a spreadsheet whose title states the filters they were chosen by."""
    return xlsx_list(records, target, as_of, "Поручения", "; ".join(described) or "все поручения")


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """Text of at most `limit` characters, cut between words (never inside one) and marked with «…»."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]
    return cut.rstrip(" ,;:—-") + "…"


def reference(row: dict) -> str:
    """A document as the справка names it: «Приказ от 26.12.2020 № 339 «Об утверждении …»», or, where the title
    goes on from the type («совещания по …»), «Протокол совещания по … от 10.06.2021 № 1». The document's date
    is a date or ISO text (YYYY-MM-DD)."""
    kind = TYPE_TITLES[DocumentType(row["document_type"])]
    day = row.get("document_date")
    day = date.fromisoformat(day) if isinstance(day, str) and day else day
    dated = f" от {day:%d.%m.%Y}" if day else ""
    number = f" № {row['document_number']}" if row.get("document_number") else ""
    title = shorten(row["document_title"]).rstrip(".")
    if title[:1].islower():
        return f"{kind} {title}{dated}{number}"
    return f"{kind}{dated}{number} «{title}»"


def report_rows(records: Iterable[Record]) -> list[dict]:
    """The dashboard's rows as the справка prints them: the document as a reference «Title от ДД.ММ.ГГГГ № N»
    (the title shortened between words), the deadline as ДД.ММ.ГГГГ, the state at the day in words."""
    return [{"document": reference(record._asdict()), "point": record.point, "action": record.action or "",
             "responsible": record.responsible, "status": record.status, "days_overdue": record.days_overdue,
             "deadline": f"{record.deadline:%d.%m.%Y}" if record.deadline else "—", "done": record.state == "done"}
            for record in records]


def chart_data(data) -> dict[str, str]:
    """The dashboard's charts as JSON for Chart.js (read from data- attributes: no inline script under the CSP):
    overdue by body (the ten of the table's level with the most: the top body would outweigh every other), by
    age, and open and overdue at the end of each month."""
    bodies = sorted((row for row in data.body_level[1] if row[2]),
                    key=lambda item: (-item[2], item[0].display_name))[:10]
    return {  # a long body name goes on several lines of the axis, broken between words
        "bodies": json.dumps({"labels": [textwrap.wrap(b.display_name, 28) for b, _, _ in bodies],
                              "values": [late for _, _, late in bodies]}, ensure_ascii=False),
        "ages": json.dumps({"labels": [f"{title} дн." for title, _, _ in data.buckets],
                            "values": [count for _, _, count in data.buckets]}, ensure_ascii=False),
        "trend": json.dumps({"labels": [f"{end:%m.%Y}" for end, _, _ in data.trend],
                             "open": [opened for _, opened, _ in data.trend],
                             "overdue": [late for _, _, late in data.trend]}, ensure_ascii=False),
    }
