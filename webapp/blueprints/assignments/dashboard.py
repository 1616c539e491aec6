"""The auditors' dashboard of assignment control and its exports (XLSX, CSV, DOCX справка)."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp import clock
from webapp.blueprints.assignments import bp
from webapp.blueprints.fields import RuDateField, RuForm
from webapp.extensions import db
from webapp.models import Body
from webapp.models.assignment import STATUS_TITLES
from webapp.models.document import TYPE_TITLES
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.security import db_id
from webapp.services import assignments, exports, occurrences, policy, rendering
from webapp.services.dashboard import Filters, overview, select_assignments


class DashboardFilterForm(RuForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    as_of = RuDateField("На дату", validators=[Optional()])
    body = SelectField("Орган", coerce=db_id, validate_choice=False, validators=[Optional()])
    doc_type = SelectField("Вид документа", validators=[Optional()], choices=[SelectChoice("", "все")] + [
        SelectChoice(k.value, v) for k, v in TYPE_TITLES.items()])
    status = SelectField("Статус", validators=[Optional()], choices=[SelectChoice("", "все")] + [
        SelectChoice(k.value, v) for k, v in STATUS_TITLES.items() if k != "draft"])
    since = RuDateField("Документы с", validators=[Optional()])
    until = RuDateField("по", validators=[Optional()])


def _filters() -> tuple[DashboardFilterForm, date, Filters]:
    policy.ensure(current_user, "oversee")
    form = DashboardFilterForm(request.args)
    form.body.choices = [SelectChoice(0, "все")] + [SelectChoice(b.id, b.display_name)
                                                    for b in db.session.scalars(select(Body).order_by(Body.name))]
    if not form.validate():
        return form, clock.today(), Filters()
    as_of = form.as_of.data or clock.today()
    return form, as_of, Filters(body=db.session.get(Body, form.body.data) if form.body.data else None,
                                doc_type=form.doc_type.data or None, status=form.status.data or None,
                                since=form.since.data, until=form.until.data)


@bp.get("/assignments/dashboard")
@login_required
def dashboard():
    form, as_of, filters = _filters()
    if occurrences.catch_up(clock.today()):  # the next due dates of periodic assignments
        db.session.commit()
    data = overview(as_of, filters)
    peak = max([count for _, count in data.buckets] + [1])
    return render_template("assignments/dashboard.html", form=form, data=data, peak=peak,
                           export_args=request.args.to_dict())


@bp.get("/assignments/export.<fmt>")
@login_required
def export(fmt: str):
    _, as_of, filters = _filters()
    rows = [assignments.OverdueRow(a, assignments.days_overdue(a, as_of)).as_dict()
            for a in select_assignments(filters)]
    stamp = as_of.isoformat()
    if fmt == "xlsx":
        body = exports.overdue_xlsx(rows, as_of, title="Поручения")
        mime = exports.XLSX_CONTENT_TYPE
    elif fmt == "csv":
        body = ("\ufeff" + exports.overdue_csv(rows)).encode("utf-8")
        mime = "text/csv; charset=utf-8"
    elif fmt == "docx":
        body = rendering.render_assignments_report(rendering.report_rows(rows), as_of)  # the admin's template
        mime = DOCX_CONTENT_TYPE
    else:
        return Response("Неизвестный формат выгрузки.", status=404)
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f"attachment; filename=assignments-{stamp}.{fmt}"})
