"""Downloads of a document: its DOCX and PDF, the approval sheet and the acknowledgment sheet."""

from __future__ import annotations

import io
import os
import tempfile
import weakref
from collections.abc import Callable
from typing import IO

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
