"""A document's PDF as a job: LibreOffice takes seconds (and a slot of PDF_MAX_PROCESSES), so the page's download
starts a job unless the PDF of the same DOCX was made before; the result is then the cache (kept JOB_RESULT_DAYS,
found by the DOCX's SHA-256, served to whoever may read the document)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Document, Job, JobStatus, StoredFile, User
from webapp.services import jobs, policy, rendering
from webapp.services.errors import Invalid

PDF = "document.pdf"
PDF_TYPE = "application/pdf"


def digest(docx: bytes) -> str:
    return hashlib.sha256(docx).hexdigest()


def cached_pdf(docx: bytes) -> StoredFile | None:
    """The PDF a job made of exactly these DOCX bytes, while it is kept."""
    return db.session.scalar(
        select(StoredFile).join(Job, Job.result_id == StoredFile.id)
        .where(Job.kind == PDF, Job.status == JobStatus.done, Job.params["docx"].as_string() == digest(docx))
        .order_by(Job.id.desc()).limit(1))


def start_pdf(user: User, document: Document, docx: bytes, name: str) -> Job:
    """The user's job converting these DOCX bytes (one already queued or running for them is reused)."""
    pending = db.session.scalar(select(Job).where(
        Job.kind == PDF, Job.owner_id == user.id, Job.status.in_([JobStatus.queued, JobStatus.running]),
        Job.params["docx"].as_string() == digest(docx)).limit(1))
    if pending is not None:
        return pending
    return jobs.start(user, PDF, f"PDF: {name}", {"document_id": document.id, "docx": digest(docx), "name": name},
                      total=1)


@jobs.kind(PDF)
def _pdf(job: Job, progress: jobs.Progress) -> jobs.Output:
    document = db.session.get(Document, job.params["document_id"])
    if document is None:
        raise Invalid("PDF не подготовлен: документ удалён.")
    policy.ensure(db.session.get(User, job.owner_id), "read_document", document)
    docx = rendering.docx_bytes(document)  # the document as it is now (a draft may have changed meanwhile)
    job.params = {**job.params, "docx": digest(docx)}  # the cache's key: the bytes converted
    db.session.commit()
    progress(0, 1, "Преобразование в PDF")
    try:
        pdf = rendering.docx_to_pdf(docx)
    except rendering.PdfBusy as exc:  # every slot of this host taken: a later try will find one
        raise jobs.Passing(str(exc)) from exc
    except rendering.PdfUnavailable as exc:
        raise Invalid(str(exc)) from exc
    return jobs.Output(job.params["name"], PDF_TYPE, lambda out: out.write(pdf))
