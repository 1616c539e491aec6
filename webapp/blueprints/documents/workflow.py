"""Views of a document's workflow: transitions, the approval route, acknowledgment, its history."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp import clock
from webapp.blueprints import first_page_again, page_links
from webapp.blueprints.confirm import ask, confirmed
from webapp.blueprints.documents import bp
from webapp.blueprints.documents.forms import (
    AcknowledgersForm,
    ActionForm,
    ApprovalModeForm,
    ApproverForm,
    DecisionForm,
    TransitionForm,
)
from webapp.blueprints.documents.routes import _load
from webapp.blueprints.pickers import picked, typed_users
from webapp.extensions import db
from webapp.models import User
from webapp.services import exports, paging, policy, workflows
from webapp.services import notifications as inbox
from webapp.services import transitions as service
from webapp.services.errors import Invalid


def _back(document_id: int):
    return redirect(url_for("documents.detail", document_id=document_id))


def _version(raw: str | None) -> int:
    return int(raw) if (raw or "").isdigit() else -1


def _refuse_invalid_form(form) -> None:
    if not form.validate():
        raise Invalid("Форма заполнена неверно: " + "; ".join(e for errs in form.errors.values() for e in errs))


@bp.post("/documents/<int:document_id>/transition")
@login_required
def transition(document_id: int):
    document = _load(document_id)
    form = TransitionForm()
    _refuse_invalid_form(form)
    try:
        fired = service.check_fire(current_user, document, form.transition.data or "", form.comment.data,
                                   _version(form.version.data))
        if fired.confirm and not confirmed():
            return ask(f"{fired.title}?", f"{document.label} «{document.title}» будет "
                       f"{workflows.done_text(document, fired)}. Это действие нельзя отменить.", fired.title,
                       url_for("documents.detail", document_id=document_id),
                       {"transition": fired.name, "version": str(document.version), "comment": form.comment.data or ""})
        service.fire(current_user, document, fired.name, form.comment.data, _version(form.version.data))
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _back(document_id)
    db.session.commit()
    flash(f"{document.type_title} {workflows.done_text(document, fired)}.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/approval/decide")
@login_required
def decide(document_id: int):
    document = _load(document_id)
    form = DecisionForm()
    _refuse_invalid_form(form)
    try:
        service.decide(current_user, document, form.decision.data, form.comment.data, _version(form.version.data))
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _back(document_id)
    db.session.commit()
    flash("Решение по согласованию записано.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/approval/approvers")
@login_required
def add_approver(document_id: int):
    document = _load(document_id)
    _refuse_invalid_form(ApproverForm())
    policy.ensure(current_user, "edit_route", document)  # who may, before whom they name (403, not "not found")
    chosen = picked("approver", current_user, request.form, "approver")
    approver = chosen.obj
    try:
        if chosen.error:
            raise Invalid(chosen.error)
        if approver is None:
            raise Invalid("Выберите согласующего.")
        service.add_approver(current_user, document, approver)
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _back(document_id)
    db.session.commit()
    flash(f"В лист согласования добавлен согласующий: {approver.full_name}.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/approval/approvers/<int:step_id>/remove")
@login_required
def remove_approver(document_id: int, step_id: int):
    document = _load(document_id)
    _refuse_invalid_form(ActionForm())
    try:
        service.remove_approver(current_user, document, step_id)
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _back(document_id)
    db.session.commit()
    return _back(document_id)


@bp.post("/documents/<int:document_id>/approval/mode")
@login_required
def approval_mode(document_id: int):
    document = _load(document_id)
    form = ApprovalModeForm()
    _refuse_invalid_form(form)
    service.set_approval_mode(current_user, document, form.mode.data)
    db.session.commit()
    return _back(document_id)


@bp.post("/documents/<int:document_id>/acknowledgments")
@login_required
def add_acknowledgers(document_id: int):
    document = _load(document_id)
    form = AcknowledgersForm()
    _refuse_invalid_form(form)
    people = list(db.session.scalars(select(User).where(User.id.in_(form.people.data or []), User.active.is_(True))))
    typed, error = typed_users(current_user, request.form.get("people_names"))  # the box shown without JavaScript
    if error:
        flash(error, "danger")
        return _back(document_id)
    people += [u for u in typed if u not in people]
    if not people:
        flash("Выберите, кого ознакомить.", "danger")
        return _back(document_id)
    added = service.add_acknowledgers(current_user, document, people)
    db.session.commit()
    flash(f"В список ознакомления добавлено: {added}.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/acknowledge")
@login_required
def acknowledge(document_id: int):
    document = _load(document_id)
    _refuse_invalid_form(ActionForm())
    service.acknowledge(current_user, document)
    db.session.commit()
    flash("Ознакомление с документом отмечено.", "success")
    return _back(document_id)


@bp.get("/documents/<int:document_id>/acknowledgments.csv")
@login_required
def acknowledgments_csv(document_id: int):
    """The acknowledgment sheet as CSV (opens in Excel: UTF-8 with BOM, semicolons)."""
    document = _load(document_id)
    buffer = io.StringIO()
    writer = exports.CsvWriter(buffer, delimiter=";")
    writer.writerow(["№", "ФИО", "Должность", "Дата ознакомления"])
    for i, row in enumerate(document.acknowledgments, 1):
        when = clock.local_time_text(row.acknowledged_at)
        writer.writerow([i, row.person_name, row.user.position if row.user else "", when])
    from webapp.blueprints.documents.downloads import file_name, send

    return send(("\ufeff" + buffer.getvalue()).encode("utf-8"), file_name(document, "csv", "Лист ознакомления"),
                "text/csv; charset=utf-8")


@bp.post("/documents/<int:document_id>/amend")
@login_required
def amend(document_id: int):
    from webapp.services.documents import create_amendment

    document = _load(document_id)
    _refuse_invalid_form(ActionForm())
    if not confirmed():
        policy.ensure(current_user, "amend_document", document)  # ask only who may
        return ask("Создать изменяющий документ?", f"Будет создан проект изменяющего документа. Изменяемый "
                   f"документ: {document.label} «{document.title}». Проект можно будет отредактировать или отозвать.",
                   "Создать проект", url_for("documents.detail", document_id=document_id))
    amendment = create_amendment(current_user, document)
    db.session.commit()
    flash("Создан проект изменяющего документа.", "success")
    return redirect(url_for("documents.edit", document_id=amendment.id))


@bp.get("/notifications")
@login_required
def notifications():
    people = {person.id: person for person in policy.acting_for(current_user)}  # a deputy: her principals' too
    unread = bool(request.args.get("unread"))
    size = paging.page_size(request.args.get("size", type=int))
    try:
        page = inbox.inbox_page(current_user, unread=unread, after=request.args.get("after"), size=size)
    except Invalid as error:
        return first_page_again("documents.notifications", error)
    return render_template("documents/notifications.html", rows=page.rows, form=ActionForm(), people=people,
                           unread=unread, sizes=paging.PAGE_SIZES, size=size, **page_links(page.after))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    _refuse_invalid_form(ActionForm())
    inbox.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("documents.notifications"))
