"""The auditors' dashboard of assignment control «на дату», its drill-down filters and its exports (XLSX, CSV,
DOCX справка): every one of them reads the same filters from the URL."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp import clock
from webapp.blueprints.assignments import bp
from webapp.blueprints.documents.downloads import send, send_written
from webapp.blueprints.fields import IdField, RuDateField, RuForm
from webapp.blueprints.jobs.routes import export_offer
from webapp.blueprints.pickers import picked
from webapp.extensions import db
from webapp.models import Assignment, Document, User
from webapp.models.document import TYPE_TITLES
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.ru.filenames import file_name
from webapp.security import db_id
from webapp.services import export_jobs, exports, policy, rendering
from webapp.services.dashboard import FIGURES, NO_CONTROLLER, Filters, Snapshot, overview

#: The query-string keys of the dashboard's filters (what a drill-down link and an export carry along).
FILTER_KEYS = ("as_of", "overdue", "body", "controller", "document", "doc_type", "since", "until")


class DashboardFilterForm(RuForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    as_of = RuDateField("На дату", validators=[Optional()])
    overdue = BooleanField("только просроченные")
    body = IdField("Орган (с подчинёнными)", validators=[Optional()])  # the picker's id (blueprints/pickers.py)
    controller = SelectField("Контролёр", validate_choice=False, validators=[Optional()])
    document = IdField("Документ", validators=[Optional()])
    doc_type = SelectField("Вид документа", validators=[Optional()], choices=[SelectChoice("", "все")] + [
        SelectChoice(k.value, v) for k, v in TYPE_TITLES.items()])
    since = RuDateField("Документы с", validators=[Optional()])
    until = RuDateField("по", validators=[Optional()])


def dashboard_filters(with_choices: bool = False) -> tuple[DashboardFilterForm, Filters]:
    """The filters in the URL; a bad one is reported on the form and the day's unfiltered figures are shown."""
    form = DashboardFilterForm(request.args)
    form.body_picked = body = picked("body", current_user, request.args, "body")  # a picker, not every body
    if with_choices:
        controllers = select(Assignment.controller_id).where(Assignment.controller_id.is_not(None)).distinct()
        form.controller.choices = [SelectChoice("", "все"), SelectChoice(str(NO_CONTROLLER), "не назначен")] + [
            SelectChoice(str(u.id), u.full_name)
            for u in db.session.scalars(select(User).where(User.id.in_(controllers)).order_by(User.full_name))]
    today = clock.today()
    if not form.validate():
        return form, Filters(as_of=today)
    if body.error:
        form.body.errors = [body.error]
        return form, Filters(as_of=today)
    controller = None
    if form.controller.data:
        try:
            controller = db_id(form.controller.data)
        except ValueError:
            form.controller.errors = ["Неизвестный контролёр."]
            return form, Filters(as_of=today)
    document = db.session.get(Document, form.document.data) if form.document.data else None
    if form.document.data and document is None:
        form.document.errors = ["Документ не найден."]
        return form, Filters(as_of=today)
    return form, Filters(as_of=form.as_of.data or today, only_overdue=form.overdue.data,
                         body=body.obj,
                         controller_id=controller, document=document, doc_type=form.doc_type.data or None,
                         since=form.since.data, until=form.until.data)


def filter_args() -> dict[str, str]:
    """The dashboard's filters as they stand in the URL (empty ones left out)."""
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


def drill_down() -> tuple[Filters, str, object] | None:
    """The assignment list opened from a dashboard figure (`as_of` and `figure` in its URL): the filters, the
    figure and the SQL condition on assignment ids; None for the plain list or when the filters are bad."""
    if not request.args.get("as_of"):
        return None
    form, filters = dashboard_filters()
    if form.errors:
        return None
    figure = request.args.get("figure") or "all"
    figure = figure if figure in FIGURES else "all"
    return filters, figure, Snapshot(filters).ids(figure)


def _with_body(args: dict[str, str], filters: Filters) -> dict[str, str]:
    """The links' filters with the body the picker resolved (by its id), whether it was chosen or typed."""
    args = {key: value for key, value in args.items() if key != "body"}
    return args | {"body": str(filters.body.id)} if filters.body is not None else args


@bp.get("/assignments/dashboard")
@login_required
def dashboard():
    policy.ensure(current_user, "oversee")
    form, filters = dashboard_filters(with_choices=True)
    data = overview(filters)
    return render_template("assignments/dashboard.html", form=form, data=data, figures=FIGURES,
                           args=_with_body(filter_args(), filters) | {"as_of": filters.as_of.isoformat()},
                           described=filters.describe(),
                           chart=exports.chart_data(data))


@bp.route("/assignments/export.<fmt>", methods=["GET", "POST"])
@login_required
def export(fmt: str):
    """The file at once, or, for more rows than EXPORT_INLINE_ROWS (XLSX, CSV), a page whose POST starts a job."""
    policy.ensure(current_user, "oversee")
    if fmt not in ("xlsx", "csv", "docx"):
        return Response("Неизвестный формат выгрузки.", status=404)
    _, filters = dashboard_filters()
    kind = "Справка об исполнении поручений" if fmt == "docx" else "Поручения"
    only = ", только просроченные" if filters.only_overdue else ""
    name = file_name(f"{kind} на {filters.as_of:%d.%m.%Y}{only}", fmt)
    if fmt != "docx" and export_jobs.too_big(rows := export_jobs.dashboard_count(filters)):
        if request.method == "POST":
            job = export_jobs.start_dashboard(current_user, filters, fmt, name, rows)
            db.session.commit()
            return redirect(url_for("jobs.detail", job_id=job.id), 303)
        return export_offer(f"Выгрузка {fmt.upper()}: {name}", rows,
                     url_for("assignments.dashboard", **filter_args()))
    records = exports.snapshot_records(Snapshot(filters))
    described = filters.describe()
    if fmt == "xlsx":  # written row by row as the rows are read
        return send_written(lambda out: exports.snapshot_xlsx(records, out, filters.as_of, described), name,
                            exports.XLSX_CONTENT_TYPE)
    if fmt == "csv":
        return send_written(lambda out: exports.csv_list(records, out), name, "text/csv; charset=utf-8")
    # the admin's template of the справка
    body = rendering.render_assignments_report(exports.report_rows(records), filters.as_of,
                                               subtitle=f"({'; '.join(described)})" if described else "")
    return send(body, name, DOCX_CONTENT_TYPE)
