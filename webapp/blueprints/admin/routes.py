"""The templates page: upload a DOCX template, see its versions, roll back, read the template context."""

from __future__ import annotations

import io
import re

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from webapp.blueprints import flash_form_errors
from webapp.blueprints.admin import bp
from webapp.blueprints.admin.forms import ActionForm, TemplateScopeForm, TemplateUploadForm
from webapp.blueprints.pickers import picked
from webapp.extensions import db
from webapp.models import DocTemplate
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.rendering.samples import documented
from webapp.ru.filenames import file_name
from webapp.services import policy, rendering
from webapp.services.errors import Invalid
from webapp.services.files import read_bytes


@bp.before_request
@login_required
def admins_only():
    """The same rule draws the administration links in the menu."""
    policy.ensure(current_user, "administer")


def _kind(value: str | None) -> str:
    return value if value in rendering.TEMPLATE_KINDS else "order"


IDENTIFIER = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def _with_code(description: str) -> Markup:
    """A variable's description with the names it lists (name, position, line) set as code, as template authors
    type them."""
    parts, last = [], 0
    for match in IDENTIFIER.finditer(description):
        parts += [escape(description[last:match.start()]), Markup("<code>{}</code>").format(match.group(0))]
        last = match.end()
    return Markup("").join([*parts, escape(description[last:])])


def _page(form: TemplateUploadForm, kind: str, status: int = 200):
    """The kind's versions with the bodies they are for (those alone: the directory may hold thousands)."""
    rows = list(db.session.scalars(
        select(DocTemplate).where(DocTemplate.doc_type == kind)
        .options(selectinload(DocTemplate.body), selectinload(DocTemplate.uploaded_by),
                 selectinload(DocTemplate.file))
        .order_by(DocTemplate.body_id, DocTemplate.version.desc())))
    return render_template("admin/templates.html", form=form, kind=kind, kinds=rendering.TEMPLATE_KINDS, rows=rows,
                           variables=[(path, _with_code(text), sample) for path, text, sample in documented(kind)],
                           action_form=ActionForm(), scope_form=TemplateScopeForm()), status


def _upload_form(kind: str) -> TemplateUploadForm:
    form = TemplateUploadForm(data={"kind": kind} if request.method == "GET" else None)
    form.kind.choices = [SelectChoice(k, title) for k, title in rendering.TEMPLATE_KINDS.items()]
    source = request.form if request.method == "POST" else request.args
    form.body_picked = picked("body", current_user, source, "body")  # a picker, not a select of every body
    return form


@bp.get("/templates")
def templates():
    kind = _kind(request.args.get("kind"))
    return _page(_upload_form(kind), kind)


@bp.post("/templates")
def upload():
    form = _upload_form(_kind(request.form.get("kind")))
    kind = _kind(form.kind.data)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _page(form, kind, 400)
    if form.body_picked.error:
        flash(form.body_picked.error, "danger")
        return _page(form, kind, 400)
    upload = form.file.data
    try:
        row = rendering.upload_template(current_user, kind, form.body_picked.id, upload.filename or "",
                                        upload.read())
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _page(form, kind, 400)
    db.session.commit()
    flash(f"Шаблон «{rendering.TEMPLATE_KINDS[kind]}» загружен: версия {row.version}. "
          "Новые документы будут формироваться по нему.", "success")
    return redirect(url_for("admin.templates", kind=kind))


@bp.post("/templates/<int:template_id>/activate")
def activate(template_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    row = rendering.activate_template(current_user, template_id)
    db.session.commit()
    flash(f"Действует версия {row.version}.", "success")
    return redirect(url_for("admin.templates", kind=row.doc_type))


@bp.post("/templates/default")
def use_default():
    form = TemplateScopeForm()
    if not form.validate_on_submit() or form.kind.data not in rendering.TEMPLATE_KINDS:
        abort(400)
    body_id = int(form.body.data) if (form.body.data or "0").isdigit() and int(form.body.data) else None
    rendering.deactivate_templates(current_user, form.kind.data, body_id)
    db.session.commit()
    flash("Загруженные версии отключены: действует шаблон по умолчанию.", "success")
    return redirect(url_for("admin.templates", kind=form.kind.data))


@bp.get("/templates/<int:template_id>/file")
def download(template_id: int):
    row = db.session.get(DocTemplate, template_id)
    if row is None:
        abort(404)
    return send_file(io.BytesIO(read_bytes(row.file)), mimetype=DOCX_CONTENT_TYPE, as_attachment=True,
                     download_name=file_name(f"Шаблон — {rendering.TEMPLATE_KINDS.get(row.doc_type, row.doc_type)}, "
                                             f"версия {row.version}", "docx"))


@bp.get("/templates/default/<kind>.docx")
def default_file(kind: str):
    if kind not in rendering.TEMPLATE_KINDS:
        abort(404)
    return send_file(io.BytesIO(rendering.default_template(kind)), mimetype=DOCX_CONTENT_TYPE, as_attachment=True,
                     download_name=file_name(f"Шаблон по умолчанию — {rendering.TEMPLATE_KINDS[kind]}", "docx"))
