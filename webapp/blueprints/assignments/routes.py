"""Views of assignments: the lists (mine, under my control, all), one assignment with its actions and history."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import clock
from webapp.blueprints import first_page_again, flash_form_errors, id_url, page_links, pickers
from webapp.blueprints.assignments import bp
from webapp.blueprints.assignments.dashboard import drill_down
from webapp.blueprints.assignments.forms import (
    ActionForm,
    AddAssignmentForm,
    BulkImportForm,
    CancelForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ReportForm,
    ReviewForm,
)
from webapp.blueprints.confirm import ask, confirmed
from webapp.blueprints.documents.downloads import send_written
from webapp.blueprints.jobs.routes import export_offer
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, Document
from webapp.models.assignment import STATUS_TITLES
from webapp.ru.filenames import file_name
from webapp.security import db_id
from webapp.services import assignments as service
from webapp.services import bulk, calendar, export_jobs, exports, occurrences, paging, policy
from webapp.services.dashboard import FIGURES
from webapp.services.errors import Invalid
from webapp.services.history import history_page


def _bodies(ids: list[int] | None) -> list[Body]:
    """The open bodies among the chosen ids, by name (pickers.chosen_bodies refused any other)."""
    if not ids:
        return []
    return list(db.session.scalars(select(Body).where(Body.id.in_(ids), Body.closed_at.is_(None))
                                   .order_by(Body.sort_key)))


SCOPES = {"mine": "Мои поручения", "control": "На моём контроле", "all": "Все доступные"}


@bp.route("/assignments")
@login_required
def index():
    if occurrences.catch_up(clock.today()):  # the next due dates of periodic assignments
        db.session.commit()
    figure = drill_down()  # opened from a dashboard figure: exactly the rows it counted
    # Open assignments unless asked otherwise (at fifteen years every status by deadline opened on 2012's done ones);
    # a figure's rows are its own.
    status = service.status_filter(request.args.get("status"), "" if figure else service.OPEN)
    scope = request.args.get("scope") or ""
    sort, _order = paging.choose(service.COLUMN_SORTS, request.args.get("sort"), "deadline")
    size = paging.page_size(request.args.get("size", type=int))
    try:
        page = service.list_page(current_user, status=status, scope=scope, sort=sort, size=size,
                                 after=request.args.get("after"), within=figure[2] if figure else None,
                                 overdue_on=clock.today() if request.args.get("overdue") and not figure else None)
    except Invalid as error:
        return first_page_again("assignments.index", error)
    return render_template("assignments/index.html", assignments=page.rows, statuses=STATUS_TITLES, status=status,
                           scopes=SCOPES, scope=scope, sorts=service.SORTS, sort=sort, sizes=service.PAGE_SIZES,
                           size=size, **page_links(page.after), today=clock.today(),
                           is_overdue=service.is_overdue, figure=figure, figures=FIGURES,
                           document_url=id_url("documents.detail", "document_id"),
                           assignment_url=id_url("assignments.detail", "assignment_id"))


def _load(assignment_id: int, *options) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id, options=options)
    if assignment is None or assignment.status == AssignmentStatus.draft:
        abort(404)
    policy.ensure(current_user, "read_assignment", assignment)
    return assignment


@bp.get("/assignments/<int:assignment_id>")
@login_required
def detail(assignment_id: int):
    assignment = _load(assignment_id, *service.PAGE_LOADS)
    history, history_after = history_page("assignment", assignment.id, request.args.get("after"))
    return render_template(
        "assignments/detail.html", a=assignment, history=history, history_after=history_after, today=clock.today(),
        overdue=service.is_overdue(assignment, clock.today()),
        days_overdue=service.days_overdue(assignment, clock.today()),
        pending=policy.pending_change(assignment), rollup=service.rollup(assignment),
        series_progress=occurrences.progress(assignment, clock.today()) if assignment.is_series else None,
        action_form=ActionForm(), report_form=ReportForm(), review_form=ReviewForm(), cancel_form=CancelForm(),
        request_form=ExtensionRequestForm(), decide_form=ExtensionDecisionForm(),
    )


def _back(assignment_id: int):
    return redirect(url_for("assignments.detail", assignment_id=assignment_id))


def _act(assignment_id: int, form, action, done_message: str):
    """Validate the form, run one service verb, commit once; a rule broken by the data is flashed."""
    assignment = _load(assignment_id)
    if not form.validate():
        flash_form_errors(form)
        return _back(assignment_id)
    try:
        action(assignment)
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _back(assignment_id)
    db.session.commit()
    flash(done_message, "success")
    return _back(assignment_id)


@bp.post("/assignments/<int:assignment_id>/take")
@login_required
def take(assignment_id: int):
    return _act(assignment_id, ActionForm(), lambda a: service.take_into_work(current_user, a), "Взято в работу.")


@bp.post("/assignments/<int:assignment_id>/report")
@login_required
def report(assignment_id: int):
    form = ReportForm()

    def submit(a):
        files = [(f.filename or "file", f.read(), f.mimetype or "application/octet-stream")
                 for f in (form.files.data or []) if getattr(f, "filename", "")]
        service.submit_report(current_user, a, form.text.data, files)

    return _act(assignment_id, form, submit, "Отчёт направлен контролёру.")


@bp.post("/assignments/<int:assignment_id>/review")
@login_required
def review(assignment_id: int):
    form = ReviewForm()

    def decide(a):
        if form.decision.data == "accept":
            service.accept(current_user, a, form.comment.data)
        else:
            service.return_report(current_user, a, form.comment.data)

    return _act(assignment_id, form, decide, "Решение по отчёту записано.")


@bp.post("/assignments/<int:assignment_id>/cancel")
@login_required
def cancel(assignment_id: int):
    form = CancelForm()
    if form.validate() and not confirmed():
        assignment = _load(assignment_id)
        policy.ensure(current_user, "cancel_assignment", assignment)  # ask only who may
        return ask("Снять поручение с контроля?", f"Поручение «{assignment.action}» будет снято с контроля без "
                   f"отчёта{' вместе с его открытыми сроками' if assignment.is_series else ''}. "
                   f"Причина: {form.reason.data}", "Снять с контроля",
                   url_for("assignments.detail", assignment_id=assignment_id), {"reason": form.reason.data})
    return _act(assignment_id, form, lambda a: service.cancel(current_user, a, form.reason.data),
                "Поручение снято с контроля.")


@bp.post("/assignments/<int:assignment_id>/extension")
@login_required
def request_extension(assignment_id: int):
    form = ExtensionRequestForm()
    return _act(assignment_id, form,
                lambda a: service.request_extension(current_user, a, getattr(form.new_date, "parsed", None),
                                                    form.reason.data),
                "Запрос на перенос срока направлен контролёру.")


@bp.post("/assignments/<int:assignment_id>/extension/decide")
@login_required
def decide_extension(assignment_id: int):
    form = ExtensionDecisionForm()
    return _act(assignment_id, form,
                lambda a: service.decide_extension(current_user, a, form.decision.data == "approve",
                                                   getattr(form.new_date, "parsed", None), form.comment.data),
                "Решение о переносе срока записано.")


@bp.get("/calendar")
@login_required
def calendars():
    return render_template("assignments/calendar.html", tokens=calendar.tokens_of(current_user),
                           bodies=current_user.bodies, form=ActionForm())


@bp.post("/calendar")
@login_required
def create_calendar():
    if not ActionForm().validate():
        abort(400)
    body_id = request.form.get("body", type=db_id)
    body = db.session.get(Body, body_id) if body_id else None
    token = calendar.create_token(current_user, body)
    db.session.commit()
    url = url_for("assignments.calendar_feed", token=token, _external=True)
    flash(f"Ссылка для подписки (показывается один раз): {url}", "success")
    return redirect(url_for("assignments.calendars"))


@bp.post("/calendar/<int:token_id>/revoke")
@login_required
def revoke_calendar(token_id: int):
    if not ActionForm().validate():
        abort(400)
    calendar.revoke(current_user, token_id)
    db.session.commit()
    flash("Ссылка отозвана.", "success")
    return redirect(url_for("assignments.calendars"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """No login: calendar programs cannot log in; the secret token is the key. Polled often, so conditional: the
    ETag hashes what the feed shows and is compared before anything is rendered; a matching If-None-Match is
    answered 304. Last-Modified is informational (a row leaving the feed has no later time to show): only the ETag
    decides. Private: the address is a secret, no shared cache may keep the body."""
    feed = calendar.find(token, request.host_url)
    if request.if_none_match.contains_weak(feed.etag):
        response = Response(status=304)
    else:
        response = Response(calendar.body(feed), mimetype="text/calendar; charset=utf-8")
    response.set_etag(feed.etag, weak=True)  # DTSTAMP differs between renderings of the same content
    response.last_modified = feed.last_modified
    response.cache_control.private = True
    response.cache_control.no_cache = True  # a client keeps the body but asks (cheaply) each time
    return response


@bp.route("/assignments/bulk.xlsx", methods=["GET", "POST"])
@login_required
def bulk_export():
    """The workbook at once, or, for more rows than EXPORT_INLINE_ROWS, a page whose POST starts a job."""
    name = file_name(f"Мои поручения на {clock.today():%d.%m.%Y}", "xlsx")
    limit = export_jobs.inline_limit()
    if export_jobs.too_big(bulk.export_count(current_user, at_most=limit + 1)):
        if request.method == "POST":
            job = export_jobs.start_bulk(current_user, name)
            db.session.commit()
            return redirect(url_for("jobs.detail", job_id=job.id), 303)
        return export_offer(f"Выгрузка поручений: {name}", limit, url_for("assignments.bulk_import"), more=True)
    return send_written(lambda out: bulk.export_workbook(current_user, out), name, exports.XLSX_CONTENT_TYPE)


@bp.route("/assignments/bulk", methods=["GET", "POST"])
@login_required
def bulk_import():
    form = BulkImportForm()
    results = None
    if request.method == "POST":
        if not form.validate():
            flash_form_errors(form)
            return render_template("assignments/bulk.html", form=form, results=None), 400
        try:
            results = bulk.import_workbook(current_user, form.file.data.read())
        except Invalid as exc:
            db.session.rollback()
            flash(exc.reason, "danger")
            return render_template("assignments/bulk.html", form=form, results=None), 400
        db.session.commit()
    return render_template("assignments/bulk.html", form=form, results=results)


@bp.route("/documents/<int:document_id>/assignments/new", methods=["GET", "POST"])
@login_required
def add(document_id: int):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    policy.ensure(current_user, "add_assignment", document)
    form = AddAssignmentForm()
    coexecutors = [(form.coexecutors, form.coexecutor_names)]  # pickers: bodies suggested as a name is typed
    lead = pickers.Picked()
    if request.method == "POST":
        lead = pickers.picked("draft_body", current_user, request.form, "lead_body")
        valid = form.validate()
        if pickers.chosen_bodies(current_user, coexecutors) and valid and not lead.error:
            try:
                assignment = service.add_assignment(current_user, document, form.action.data, lead.obj,
                                                    _bodies(form.coexecutors.data), form.deadline.data)
            except Invalid as exc:
                db.session.rollback()
                flash(exc.reason, "danger")
            else:
                db.session.commit()
                flash("Поручение добавлено.", "success")
                return redirect(url_for("assignments.detail", assignment_id=assignment.id))
        else:
            flash("; ".join([e for errors in form.errors.values() for e in errors] + [lead.error] * bool(lead.error)),
                  "danger")
        pickers.body_labels(coexecutors)
        return render_template("assignments/add.html", form=form, lead=lead, doc=document), 400
    pickers.body_labels(coexecutors)
    return render_template("assignments/add.html", form=form, lead=lead, doc=document)
