"""The auditors' dashboard of assignment control «на дату», its drill-down filters and its exports (XLSX, CSV,
DOCX справка): every one of them reads the same filters from the URL."""

from __future__ import annotations

from datetime import datetime

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp import clock
from webapp.blueprints import id_url
from webapp.blueprints.assignments import bp
from webapp.blueprints.documents.downloads import send, send_written
from webapp.blueprints.fields import IdField, RuDateField, RuForm
from webapp.blueprints.jobs.routes import export_offer
from webapp.blueprints.pickers import Picked, picked
from webapp.extensions import db
from webapp.models import Document, User
from webapp.models.document import TYPE_TITLES
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.ru.filenames import file_name
from webapp.security import db_id
from webapp.services import export_jobs, exports, policy, rendering
from webapp.services.dashboard import (
    CONTROLLERS_SHOWN,
    FIGURES,
    NO_CONTROLLER,
    Filters,
    Snapshot,
    counted_after,
    overview,
)

#: The query-string keys of the dashboard's filters (what a drill-down link and an export carry along).
FILTER_KEYS = ("as_of", "overdue", "body", "controller", "document", "doc_type", "since", "until")


class DashboardFilterForm(RuForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    as_of = RuDateField("На дату", validators=[Optional()])
    overdue = BooleanField("только просроченные")
    body = IdField("Орган (с подчинёнными)", validators=[Optional()])  # the pickers' ids (blueprints/pickers.py)
    controller = IdField("Контролёр", validators=[Optional()])
    document = IdField("Документ", validators=[Optional()])
    doc_type = SelectField("Вид документа", validators=[Optional()], choices=[SelectChoice("", "все")] + [
        SelectChoice(k.value, v) for k, v in TYPE_TITLES.items()])
    since = RuDateField("Документы с", validators=[Optional()])
    until = RuDateField("по", validators=[Optional()])


NOBODY = "не назначен"  #: typed into the controller's picker: assignments nobody controls (NO_CONTROLLER)


def _controller() -> tuple[Picked, bool]:
    """The controller's picker: a user chosen or typed (the dashboard is the overseers', who find everyone), «не
    назначен» for assignments nobody controls (then True), or the id alone of a drill-down link — a deactivated
    controller's too, since their assignments stay under control."""
    raw, text = (request.args.get("controller") or "").strip(), request.args.get("controller_name")
    typed = " ".join((text or "").split()).lower()
    if typed == NOBODY or (raw == str(NO_CONTROLLER) and text is None):
        return Picked(text=NOBODY), True
    if raw and text is None:
        try:
            user = db.session.get(User, db_id(raw))
        except ValueError:
            user = None
        return (Picked(user, user.full_name) if user else Picked(error="Контролёр не найден: выберите из подсказок.")
                ), False
    return picked("user", current_user, request.args, "controller"), False


def dashboard_filters() -> tuple[DashboardFilterForm, Filters]:
    """The filters in the URL; a bad one is reported on the form and the day's unfiltered figures are shown. The
    body and the controller are pickers (blueprints/pickers.py), not selects of every body and every controller."""
    form = DashboardFilterForm(request.args)
    body = picked("body", current_user, request.args, "body")
    controller, nobody = _controller()
    form.body_picked, form.controller_picked = body, controller
    today = clock.today()
    if not form.validate():
        return form, Filters(as_of=today)
    if body.error or controller.error:
        for field, chosen in ((form.body, body), (form.controller, controller)):
            field.errors = [chosen.error] if chosen.error else []
        return form, Filters(as_of=today)
    document = db.session.get(Document, form.document.data) if form.document.data else None
    if form.document.data and document is None:
        form.document.errors = ["Документ не найден."]
        return form, Filters(as_of=today)
    return form, Filters(as_of=form.as_of.data or today, only_overdue=form.overdue.data,
                         body=body.obj,
                         controller_id=NO_CONTROLLER if nobody else controller.id,
                         document=document, doc_type=form.doc_type.data or None,
                         since=form.since.data, until=form.until.data)


def filter_args() -> dict[str, str]:
    """The dashboard's filters as they stand in the URL (empty ones left out)."""
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


def drill_down() -> tuple[Filters, str, object] | None:
    """The assignment list opened from a dashboard figure (`as_of` and `figure` in its URL): the filters, the
    figure and its SQL condition on the assignment (`Snapshot.holds`); None for the plain list or when the filters
    are bad."""
    if not request.args.get("as_of"):
        return None
    form, filters = dashboard_filters()
    if form.errors:
        return None
    figure = request.args.get("figure") or "all"
    figure = figure if figure in FIGURES else "all"
    return filters, figure, Snapshot(filters).holds(figure)


def _with_pickers(args: dict[str, str], filters: Filters) -> dict[str, str]:
    """The links' filters with the body and the controller the pickers resolved (by id), chosen or typed."""
    args = {key: value for key, value in args.items() if key not in ("body", "controller")}
    if filters.body is not None:
        args["body"] = str(filters.body.id)
    if filters.controller_id is not None:
        args["controller"] = str(filters.controller_id)
    return args


@bp.get("/assignments/dashboard")
@login_required
def dashboard():
    policy.ensure(current_user, "oversee")
    form, filters = dashboard_filters()
    every_controller = request.args.get("controllers") == "all"  # «показать всех» under «По контролёрам»
    data = overview(filters, asked=request.args.get("exact") == "1",  # «Пересчитать сейчас»
                    controllers=None if every_controller else CONTROLLERS_SHOWN)
    return render_template("assignments/dashboard.html", form=form, data=data, figures=FIGURES,
                           args=_with_pickers(filter_args(), filters) | {"as_of": filters.as_of.isoformat()},
                           described=filters.describe(), link=id_url,
                           chart=None if data.waiting else exports.chart_data(data))


@bp.get("/assignments/dashboard/counted")
@login_required
def dashboard_counted():
    """For the page that showed an earlier count (dashboard.js): whether figures of its filters counted after
    `after` (ISO time) are kept now."""
    policy.ensure(current_user, "oversee")
    try:
        after = datetime.fromisoformat(request.args.get("after", ""))
    except ValueError:
        return jsonify(error="after: an ISO date and time is required"), 400
    if after.tzinfo is None:
        return jsonify(error="after: the time zone is required"), 400
    form, filters = dashboard_filters()
    if form.errors:
        return jsonify(error="bad filters: " + "; ".join(form.errors)), 400
    return jsonify(counted=counted_after(filters, after))


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
    limit = export_jobs.inline_limit()
    if fmt != "docx" and export_jobs.too_big(export_jobs.dashboard_count(filters, at_most=limit + 1)):
        if request.method == "POST":
            job = export_jobs.start_dashboard(current_user, filters, fmt, name)
            db.session.commit()
            return redirect(url_for("jobs.detail", job_id=job.id), 303)
        return export_offer(f"Выгрузка {fmt.upper()}: {name}", limit,
                            url_for("assignments.dashboard", **filter_args()), more=True)
    if fmt == "docx" and export_jobs.dashboard_count(
            filters, at_most=exports.REPORT_MAX_ROWS + 1) > exports.REPORT_MAX_ROWS:
        flash(exports.report_too_long(), "warning")
        return redirect(url_for("assignments.dashboard", **filter_args()))
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
