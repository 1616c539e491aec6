"""Files attached to documents (приложения): added and removed on a draft only, read with the document, their
text kept for search, DOCX and PDF shown as PDF where LibreOffice is present."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Document, DocumentFile, User
from webapp.services import jobs, rendering
from webapp.services.audit import record_event
from webapp.services.errors import Invalid, NotFound
from webapp.services.files import KINDS, check_uploads, read_bytes, store_bytes
from webapp.services.policy import ensure
from webapp.sources import SourceError, read_source

PDF = KINDS["pdf"].content_type
CONVERTED = {KINDS["docx"].content_type, KINDS["odt"].content_type}  #: shown as PDF through LibreOffice
TEXT_LIMIT = 200_000  #: characters of an attachment's text kept for search
TEXT_JOB = "attachment.text"  #: the job that reads the text of files above ATTACHMENT_TEXT_INLINE_BYTES
ATTACHABLE = {KINDS[kind].content_type: KINDS[kind].title for kind in ("docx", "pdf", "xlsx", "odt", "txt", "png",
                                                                      "jpeg")}  #: what a document may carry


def files_of(document: Document) -> list[DocumentFile]:
    return list(db.session.scalars(select(DocumentFile).where(DocumentFile.document_id == document.id)
                                   .order_by(DocumentFile.id)))


def _text_of(name: str, data: bytes) -> str | None:
    """What search should find in the file: the text webapp.sources reads from DOCX, PDF and plain text."""
    try:
        return read_source(name, data).text[:TEXT_LIMIT] or None
    except SourceError:
        return None  # an image, a table, a scan: attached all the same, found by its name only


def attach(user: User, document: Document, files: list[tuple[str | None, bytes]]) -> list[DocumentFile]:
    """Attach files to a draft; every file is checked by its content before any is kept (Invalid says which)."""
    ensure(user, "edit_document", document)
    if not files:
        raise Invalid("Выберите файл.")
    checked = check_uploads(files)
    for name, _data, content_type in checked:
        if content_type.split(";", 1)[0] not in ATTACHABLE:  # text comes as «text/plain; charset=…»
            raise Invalid(f"Файл «{name}» не принят: к документу прикладываются {', '.join(ATTACHABLE.values())}.")
    added, later = [], []
    inline = int(current_app.config["ATTACHMENT_TEXT_INLINE_BYTES"])
    for name, data, content_type in checked:
        row = DocumentFile(document_id=document.id, file_id=store_bytes(data, name, content_type).id,
                           filename=name, text=_text_of(name, data) if len(data) <= inline else None,
                           added_by_id=user.id)
        db.session.add(row)
        added.append(row)
        if len(data) > inline:
            later.append(row)
    db.session.flush()
    if later:  # reading a big PDF's text takes seconds: a job, after which the index follows (search.install)
        jobs.start(user, TEXT_JOB, "Текст приложений для поиска: " + ", ".join(row.filename for row in later),
                   {"file_ids": [row.id for row in later]}, total=len(later))
    record_event(user, "document.attach", document, after={"file": [row.filename for row in added]})
    return added


@jobs.kind(TEXT_JOB)
def _read_texts(job, progress: jobs.Progress) -> None:
    """The text of attachments too big to read in the request, each committed as it is read (a file removed
    meanwhile is skipped)."""
    for done, file_id in enumerate(job.params["file_ids"], 1):
        row = db.session.get(DocumentFile, file_id)
        if row is not None:
            row.text = _text_of(row.filename, read_bytes(row.stored))
            db.session.commit()
        progress(done)


def find(user: User, document: Document, attachment_id: int) -> DocumentFile:
    """An attachment of this document, for a user who may read it (NotFound for another document's file)."""
    ensure(user, "read_document", document)
    row = db.session.get(DocumentFile, attachment_id)
    if row is None or row.document_id != document.id:
        raise NotFound("Такого приложения у документа нет.")
    return row


def remove(user: User, document: Document, attachment_id: int) -> None:
    ensure(user, "edit_document", document)
    row = find(user, document, attachment_id)
    db.session.delete(row)
    db.session.flush()
    record_event(user, "document.detach", document, before={"file": row.filename})


def content(row: DocumentFile) -> bytes:
    return read_bytes(row.stored)


@dataclass(frozen=True)
class Preview:
    data: bytes
    name: str  #: the PDF's name


def can_preview(row: DocumentFile) -> bool:
    return row.stored.content_type in CONVERTED | {PDF}


def preview(row: DocumentFile) -> Preview:
    """The attachment as PDF: a PDF as it is, a DOCX or ODT converted by LibreOffice in a subprocess with a timeout
    (rendering.PdfUnavailable, with a Russian reason, when LibreOffice is absent or fails)."""
    if not can_preview(row):
        raise Invalid("Просмотр доступен только для DOCX, ODT и PDF: скачайте файл.")
    data = content(row)
    stem = row.filename.rsplit(".", 1)[0]
    if row.stored.content_type == PDF:
        return Preview(data, row.filename)
    return Preview(rendering.docx_to_pdf(data), f"{stem}.pdf")
