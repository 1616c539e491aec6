"""Documents through the API: the register, one document with its content, drafts, transitions, the DOCX."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from webapp.blueprints.api import bp
from webapp.blueprints.api import present as show
from webapp.blueprints.api.auth import api_user
from webapp.blueprints.api.errors import ApiError, get_or_404
from webapp.blueprints.api.jobs import JobSchema, accepted
from webapp.blueprints.api.paging import keyset_page
from webapp.blueprints.api.schemas import (
    AcknowledgersIn,
    ApprovalModeIn,
    ApproverIn,
    AssignmentIn,
    AssignmentSchema,
    DecisionIn,
    DocumentListArgs,
    DocumentPageSchema,
    DocumentSchema,
    DraftIn,
    DraftUpdateIn,
    TransitionIn,
)
from webapp.blueprints.documents.downloads import file_name, send
from webapp.extensions import db
from webapp.models import Body, Document, User
from webapp.rendering.engine import DOCX_CONTENT_TYPE
from webapp.services import assignments as assignment_service
from webapp.services import document_jobs, policy, rendering, transitions
from webapp.services import documents as service
from webapp.services.bodies import check_assignable
from webapp.services.documents import AgendaData, DraftData, PointData
from webapp.services.files import read_bytes

TAG = ["documents"]
DOCX_RESPONSE = {"200": {"description": "The document as DOCX (a published one: its stored copy, byte for byte).",
                         "content": {DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}
PDF_RESPONSE = {"200": {"description": "The document as PDF.",
                        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                "202": {"description": "A job makes the PDF: poll it at Location, then download its `result_url`.",
                        "content": {"application/json": {"schema": JobSchema}}}}


def load_document(document_id: int) -> Document:
    """The document, if the caller may read it: 404 when there is none, 403 when it is not theirs to read."""
    document = get_or_404(Document, document_id, "document")
    policy.ensure(api_user(), "read_document", document)
    return document


def _act(document_id: int, verb: Callable[[Document], object]) -> dict:
    """Run one service function on the document and commit once; the document as it is afterwards."""
    document = load_document(document_id)
    verb(document)
    db.session.commit()
    return show.document(document, api_user())


def _draft_data(body: dict) -> DraftData:
    return DraftData(
        doc_type=body["type"], title=body["title"], event_date=body.get("event_date"), place=body.get("place"),
        heading=body.get("heading"), preamble=[p for p in body["preamble"] if p.strip()],
        decision_heading=body.get("decision_heading"), chair=body.get("chair"), secretary=body.get("secretary"),
        attendees=[(a["name"], a.get("job_title")) for a in body["attendees"]],
        agenda=[AgendaData(title=a["title"], speakers=a.get("speakers"), heard=a["heard"],
                           discussion=[{"speaker": s["speaker"], "text": s["text"]} for s in a["discussion"]])
                for a in body["agenda"]],
        points=[PointData(text=p["text"], number=(p.get("number") or "").rstrip(".") or None,
                          agenda_index=p.get("agenda_index"), responsible_ids=p["responsible_body_ids"],
                          deadline_text=p.get("deadline_text")) for p in body["points"]],
        controller_text=body.get("controller_text"),
        signatories=[(s["job_title"], s["name"]) for s in body["signatories"]],
    )


@bp.get("/documents")
@bp.arguments(DocumentListArgs, location="query", as_kwargs=False)
@bp.response(200, DocumentPageSchema)
@bp.doc(tags=TAG, summary="The register: the documents the caller may read, newest first")
def list_documents(args: dict):
    query = select(Document).where(Document.parent_id.is_(None), policy.readable_documents(api_user()))
    if args.get("type"):
        query = query.where(Document.doc_type == args["type"])
    if args.get("state"):
        query = query.where(Document.state == args["state"])
    if args.get("year"):
        day = func.coalesce(Document.reg_date, Document.event_date)
        query = query.where(day >= date(args["year"], 1, 1), day < date(args["year"] + 1, 1, 1))
    return keyset_page(query, Document.id, args, show.document_summary, newest_first=True)


@bp.post("/documents")
@bp.arguments(DraftIn)
@bp.response(201, DocumentSchema)
@bp.doc(tags=TAG, summary="Create a draft, issued by the caller's body")
def create_document(body: dict):
    document = service.create_draft(api_user(), _draft_data(body))
    db.session.commit()
    return show.document(document, api_user())


@bp.get("/documents/<int:document_id>")
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="One document with its whole structured content and the transitions the caller may fire")
def get_document(document_id: int):
    return show.document(load_document(document_id), api_user())


@bp.put("/documents/<int:document_id>")
@bp.arguments(DraftUpdateIn)
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="Replace a draft's content (send the version you read: 409 when it changed)")
def update_document(body: dict, document_id: int):
    return _act(document_id, lambda d: service.update_draft(api_user(), d, _draft_data(body), body["version"]))


@bp.post("/documents/<int:document_id>/transitions")
@bp.arguments(TransitionIn)
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="Fire a workflow transition (submit, sign, return_for_rework ...) with a comment")
def fire_transition(body: dict, document_id: int):
    return _act(document_id, lambda d: transitions.fire(api_user(), d, body["transition"], body.get("comment"),
                                                        body["version"]))


@bp.post("/documents/<int:document_id>/approvers")
@bp.arguments(ApproverIn)
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="Add an approver to the approval route")
def add_approver(body: dict, document_id: int):
    approver = db.session.get(User, body["user_id"])
    if approver is None:
        raise ApiError(422, "invalid", "No such user.")
    return _act(document_id, lambda d: transitions.add_approver(api_user(), d, approver))


@bp.delete("/documents/<int:document_id>/approvers/<int:step_id>")
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="Remove an approver from a draft's route (the step's id from approval_steps)")
def remove_approver(document_id: int, step_id: int):
    return _act(document_id, lambda d: transitions.remove_approver(api_user(), d, step_id))


@bp.put("/documents/<int:document_id>/approval-mode")
@bp.arguments(ApprovalModeIn)
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="Approvers one after another (sequential) or all at once (parallel)")
def approval_mode(body: dict, document_id: int):
    return _act(document_id, lambda d: transitions.set_approval_mode(api_user(), d, body["mode"]))


@bp.post("/documents/<int:document_id>/acknowledgments")
@bp.arguments(AcknowledgersIn)
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="Add active users to a document's acknowledgment list")
def add_acknowledgers(body: dict, document_id: int):
    people = list(db.session.scalars(select(User).where(User.id.in_(body["user_ids"]), User.active.is_(True))))
    if not people:
        raise ApiError(422, "invalid", "None of these users is an active user.")
    return _act(document_id, lambda d: transitions.add_acknowledgers(api_user(), d, people))


@bp.post("/documents/<int:document_id>/acknowledge")
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="The caller confirms having read the document (when on its acknowledgment list)")
def acknowledge(document_id: int):
    return _act(document_id, lambda d: transitions.acknowledge(api_user(), d))


@bp.post("/documents/<int:document_id>/amendments")
@bp.response(201, DocumentSchema)
@bp.doc(tags=TAG, summary="Start a draft that amends a document in force")
def amend(document_id: int):
    amendment = service.create_amendment(api_user(), load_document(document_id))
    db.session.commit()
    return show.document(amendment, api_user())


@bp.post("/documents/<int:document_id>/assignments")
@bp.arguments(AssignmentIn)
@bp.response(201, AssignmentSchema)
@bp.doc(tags=TAG, summary="Put an assignment under control by hand (a controller, on a document in force)")
def add_assignment(body: dict, document_id: int):
    document = load_document(document_id)
    lead = get_or_404(Body, body["lead_body_id"], "body")
    check_assignable(api_user(), body["coexecutor_ids"])  # an unknown id is refused, not dropped
    coexecutors = list(db.session.scalars(select(Body).where(Body.id.in_(body["coexecutor_ids"]))))
    assignment = assignment_service.add_assignment(api_user(), document, body["action"], lead, coexecutors,
                                                   body.get("deadline_text"))
    db.session.commit()
    return show.assignment(assignment, api_user())


@bp.post("/documents/<int:document_id>/approval")
@bp.arguments(DecisionIn)
@bp.response(200, DocumentSchema)
@bp.doc(tags=TAG, summary="The current approver approves (with remarks: a comment is required)")
def decide_approval(body: dict, document_id: int):
    return _act(document_id, lambda d: transitions.decide(api_user(), d, body["decision"], body.get("comment"),
                                                          body["version"]))


def _docx(document_id: int) -> tuple[Document, bytes]:
    """A published document's stored DOCX (stored on its first download if publishing did not), else a fresh one."""
    document = load_document(document_id)
    data = rendering.docx_bytes(document)
    db.session.commit()
    return document, data


@bp.get("/documents/<int:document_id>/pdf")
@bp.doc(tags=TAG, summary="The PDF: at once when made before from the same DOCX, else 202 and a job making it "
                          "(poll the job at Location; 503 when the server cannot make PDFs)", responses=PDF_RESPONSE)
def download_pdf(document_id: int):
    document, data = _docx(document_id)
    cached = document_jobs.cached_pdf(data)
    if cached is not None:
        return send(read_bytes(cached), file_name(document, "pdf"), document_jobs.PDF_TYPE)
    try:
        rendering.pdf_converter()
    except rendering.PdfUnavailable as exc:
        raise ApiError(503, "pdf_unavailable", "PDF cannot be made on this server now; download the DOCX.",
                       detail=str(exc)) from exc
    job = document_jobs.start_pdf(api_user(), document, data, file_name(document, "pdf"))
    db.session.commit()
    return accepted(job)


@bp.get("/documents/<int:document_id>/docx")
@bp.doc(tags=TAG, summary="Download the DOCX", responses=DOCX_RESPONSE)
def download_docx(document_id: int):
    document, data = _docx(document_id)
    return send(data, file_name(document, "docx"))
