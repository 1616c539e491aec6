"""Downloads of a document: its DOCX and PDF, the approval sheet and the acknowledgment sheet."""

from __future__ import annotations

import io

from flask import flash, redirect, send_file, url_for
from flask_login import login_required

from webapp.blueprints.documents import bp
from webapp.blueprints.documents.routes import _load
from webapp.extensions import db
from webapp.models import Document
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.ru.filenames import document_file_name
from webapp.services import rendering


def file_name(document: Document, extension: str, prefix: str | None = None) -> str:
    """The name a download of the document gets: «Приказ № 339 от 26.12.2020 — Об утверждении ….docx»."""
    return document_file_name(document.label, document.title, extension, prefix)


def send(data: bytes, name: str, mimetype: str = DOCX_CONTENT_TYPE):
    """A download under a Russian name (Flask writes RFC 5987's filename*, with an ASCII fallback)."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _docx(document_id: int):
    """A published document's stored DOCX (stored on its first download if publishing did not), else a fresh one."""
    document = _load(document_id)
    data = rendering.docx_bytes(document)
    db.session.commit()
    return document, data


@bp.get("/documents/<int:document_id>/docx")
@login_required
def download_docx(document_id: int):
    document, data = _docx(document_id)
    return send(data, file_name(document, "docx"))


@bp.get("/documents/<int:document_id>/pdf")
@login_required
def download_pdf(document_id: int):
    document, data = _docx(document_id)
    try:
        pdf = rendering.docx_to_pdf(data)
    except rendering.PdfUnavailable as exc:
        flash(str(exc), "warning")
        return redirect(url_for("documents.detail", document_id=document.id))
    return send(pdf, file_name(document, "pdf"), "application/pdf")


@bp.get("/documents/<int:document_id>/approval-sheet.docx")
@login_required
def approval_sheet(document_id: int):
    document = _load(document_id)
    return send(rendering.approval_sheet_docx(document), file_name(document, "docx", "Лист согласования"))


@bp.get("/documents/<int:document_id>/acknowledgment-sheet.docx")
@login_required
def acknowledgment_sheet(document_id: int):
    document = _load(document_id)
    return send(rendering.acknowledgment_sheet_docx(document), file_name(document, "docx", "Лист ознакомления"))
