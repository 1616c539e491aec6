"""Files attached to a document (приложения): upload and removal on a draft, download and PDF preview for readers."""

from __future__ import annotations

import io

from flask import flash, redirect, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf.file import MultipleFileField

from webapp.blueprints import flash_form_errors
from webapp.blueprints.documents import bp
from webapp.blueprints.documents.forms import ActionForm
from webapp.blueprints.documents.routes import _load
from webapp.blueprints.fields import RuForm
from webapp.extensions import db
from webapp.services import attachments as service
from webapp.services import rendering
from webapp.services.errors import Invalid
from webapp.services.files import safe_name, served_content_type


class AttachForm(RuForm):
    files = MultipleFileField("Файлы")


def _back(document_id: int):
    return redirect(url_for("documents.detail", document_id=document_id, _anchor="files"))


def _guarded(response):
    """Users' bytes are never rendered by the browser as a page of ours, whatever they contain."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


@bp.post("/documents/<int:document_id>/files")
@login_required
def attach(document_id: int):
    document = _load(document_id)
    form = AttachForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(document.id)
    files = [(f.filename, f.read()) for f in (form.files.data or []) if getattr(f, "filename", "")]
    try:
        added = service.attach(current_user, document, files)
    except Invalid as exc:
        db.session.rollback()
        flash(exc.reason, "danger")
        return _back(document.id)
    db.session.commit()
    flash("Приложено файлов: " + str(len(added)) + ".", "success")
    return _back(document.id)


@bp.post("/documents/<int:document_id>/files/<int:attachment_id>/delete")
@login_required
def detach(document_id: int, attachment_id: int):
    document = _load(document_id)
    form = ActionForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(document.id)
    service.remove(current_user, document, attachment_id)
    db.session.commit()
    flash("Файл удалён из приложений.", "success")
    return _back(document.id)


@bp.get("/documents/<int:document_id>/files/<int:attachment_id>")
@login_required
def download_file(document_id: int, attachment_id: int):
    """Flask names the download with RFC 5987's filename* (and an ASCII fallback) for Cyrillic names."""
    row = service.find(current_user, _load(document_id), attachment_id)
    response = send_file(io.BytesIO(service.content(row)), mimetype=served_content_type(row.stored.content_type),
                         as_attachment=True, download_name=safe_name(row.filename))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _guarded(response)


@bp.get("/documents/<int:document_id>/files/<int:attachment_id>/preview")
@login_required
def preview_file(document_id: int, attachment_id: int):
    """DOCX and ODT converted to PDF by LibreOffice, a PDF as it is: shown in the browser's PDF viewer."""
    row = service.find(current_user, _load(document_id), attachment_id)
    try:
        shown = service.preview(row)
    except (Invalid, rendering.PdfUnavailable) as exc:
        flash(getattr(exc, "reason", None) or str(exc), "warning")
        return _back(document_id)
    response = send_file(io.BytesIO(shown.data), mimetype="application/pdf", as_attachment=False,
                         download_name=safe_name(shown.name))
    response.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'self'"
    return _guarded(response)
