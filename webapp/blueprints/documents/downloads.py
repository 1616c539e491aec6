"""Downloads of a document: its DOCX and PDF, the approval sheet and the acknowledgment sheet."""

from __future__ import annotations

import io
import os
import tempfile
import weakref
from collections.abc import Callable
from typing import IO

from flask import flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from webapp.blueprints.documents import bp
from webapp.blueprints.documents.routes import _load
from webapp.blueprints.jobs.routes import offer
from webapp.extensions import db
from webapp.models import Document
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.ru.filenames import document_file_name
from webapp.services import document_jobs, rendering
from webapp.services.files import read_bytes


def file_name(document: Document, extension: str, prefix: str | None = None) -> str:
    """The name a download of the document gets: «Приказ № 339 от 26.12.2020 — Об утверждении ….docx»."""
    return document_file_name(document.label, document.title, extension, prefix)


def send(data: bytes, name: str, mimetype: str = DOCX_CONTENT_TYPE):
    """A download under a Russian name (Flask writes RFC 5987's filename*, with an ASCII fallback)."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def send_written(write: Callable[[IO[bytes]], object], name: str, mimetype: str):
    """A download that `write` puts into an anonymous temporary file, sent from that file: a big export never sits
    in memory, and the file (nameless on disk) is gone when the response is closed."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response (or below, when writing fails)
    try:
        write(out)
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = send_file(out, mimetype=mimetype, as_attachment=True, download_name=name)
    response.content_length = size
    # The server closes the file once it is sent; a response dropped unread or unclosed (Flask's test client keeps
    # them open) closes it when its file iterator goes, instead of leaving it to the garbage collector's warning.
    weakref.finalize(response.response, out.close)
    return response


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


@bp.route("/documents/<int:document_id>/pdf", methods=["GET", "POST"])
@login_required
def download_pdf(document_id: int):
    """The PDF made before of the same DOCX, at once; else a page whose POST starts the conversion as a job."""
    document, data = _docx(document_id)
    cached = document_jobs.cached_pdf(data)
    if cached is not None:
        return send(read_bytes(cached), file_name(document, "pdf"), document_jobs.PDF_TYPE)
    try:
        rendering.pdf_converter()
    except rendering.PdfUnavailable as exc:
        flash(str(exc), "warning")
        return redirect(url_for("documents.detail", document_id=document.id))
    if request.method == "POST":
        job = document_jobs.start_pdf(current_user, document, data, file_name(document, "pdf"))
        db.session.commit()
        return redirect(url_for("jobs.detail", job_id=job.id), 303)
    return offer(f"PDF: {document.label}", "PDF делает LibreOffice, на это уходит от нескольких секунд до минуты.",
                 url_for("documents.detail", document_id=document.id), "Подготовить PDF")


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
