"""Big exports as jobs: the dashboard's list (XLSX, CSV) and «Мои поручения» for bulk work (XLSX). A request
that would write more rows than EXPORT_INLINE_ROWS starts one of these instead of answering with the file; the
worker writes the same file with the same functions, reporting its rows as they are read."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import literal, select

from webapp.extensions import db
from webapp.models import Body, Document, Job, User
from webapp.services import bulk, exports, jobs
from webapp.services.dashboard import Filters, Snapshot
from webapp.services.errors import Invalid

DASHBOARD = "export.dashboard"
BULK = "export.bulk"
MIMETYPES = {"xlsx": exports.XLSX_CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}
GONE = "Выгрузка не подготовлена: {what} удалён(а) после запуска задания."


def too_big(rows: int) -> bool:
    """Whether an export of `rows` rows runs as a job rather than in the request."""
    return rows > inline_limit()


def inline_limit() -> int:
    return int(current_app.config["EXPORT_INLINE_ROWS"])


def dashboard_count(filters: Filters, at_most: int | None = None) -> int:
    """The rows of the dashboard's export; with `at_most`, counted only that far (a request asks whether the
    export is big, which it knows after EXPORT_INLINE_ROWS + 1 rows; the job counts them all for its progress)."""
    return exports.count_rows(select(literal(1)).select_from(Snapshot(filters).rows), at_most)


def filters_params(filters: Filters) -> dict:
    """The dashboard's filters as a job keeps them (JSON)."""
    iso = lambda day: day.isoformat() if day else None  # noqa: E731
    return {"as_of": iso(filters.as_of), "only_overdue": filters.only_overdue,
            "body_id": filters.body.id if filters.body else None, "controller_id": filters.controller_id,
            "document_id": filters.document.id if filters.document else None, "doc_type": filters.doc_type,
            "since": iso(filters.since), "until": iso(filters.until)}


def params_filters(params: dict) -> Filters:
    """The filters back in the worker; a body or document removed meanwhile ends the job with the reason."""
    day = lambda key: date.fromisoformat(params[key]) if params.get(key) else None  # noqa: E731
    body = db.session.get(Body, params["body_id"]) if params.get("body_id") else None
    if params.get("body_id") and body is None:
        raise Invalid(GONE.format(what="орган"))
    document = db.session.get(Document, params["document_id"]) if params.get("document_id") else None
    if params.get("document_id") and document is None:
        raise Invalid(GONE.format(what="документ"))
    return Filters(as_of=day("as_of"), only_overdue=bool(params.get("only_overdue")), body=body,
                   controller_id=params.get("controller_id"), document=document, doc_type=params.get("doc_type"),
                   since=day("since"), until=day("until"))


def start_dashboard(user: User, filters: Filters, fmt: str, name: str) -> Job:
    """The export's job; its rows are counted by the worker (the request counted only past EXPORT_INLINE_ROWS)."""
    return jobs.start(user, DASHBOARD, f"Выгрузка сводки: {name}", {"fmt": fmt, "name": name,
                                                                    "filters": filters_params(filters)})


def start_bulk(user: User, name: str) -> Job:
    """The bulk workbook's job; its rows are counted by the worker (the request counted only past
    EXPORT_INLINE_ROWS)."""
    return jobs.start(user, BULK, f"Выгрузка поручений: {name}", {"name": name})


@jobs.kind(DASHBOARD)
def _dashboard(job: Job, progress: jobs.Progress) -> jobs.Output:
    filters = params_filters(job.params["filters"])
    fmt = job.params["fmt"]
    total = dashboard_count(filters)
    if fmt == "xlsx":  # refused before a million rows are written, not after
        exports.ensure_sheet_holds(total)
    progress(0, total)
    records = progress.counted(exports.snapshot_records(Snapshot(filters)), exports.BATCH)
    if fmt == "xlsx":
        described = filters.describe()
        return jobs.Output(job.params["name"], MIMETYPES[fmt],
                           lambda out: exports.snapshot_xlsx(records, out, filters.as_of, described))
    return jobs.Output(job.params["name"], MIMETYPES[fmt], lambda out: exports.csv_list(records, out))


@jobs.kind(BULK)
def _bulk(job: Job, progress: jobs.Progress) -> jobs.Output:
    owner = db.session.get(User, job.owner_id)
    progress(0, bulk.export_count(owner))
    return jobs.Output(job.params["name"], MIMETYPES["xlsx"], lambda out: bulk.export_workbook(
        owner, out, rows=lambda rows: progress.counted(rows, exports.BATCH)))
