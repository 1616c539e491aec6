"""Search through the API: the search service's results (what the policy lets the caller read), ranked, by pages."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from webapp.blueprints.api import bp
from webapp.blueprints.api.auth import api_user
from webapp.blueprints.api.schemas import MAX_ID, InputSchema
from webapp.models import AssignmentStatus, DocumentType
from webapp.services import search
from webapp.services.workflows import state_titles

TAG = ["search"]


class SearchArgs(InputSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=search.MAX_QUERY_LENGTH),
                      metadata={"description": "Words (any form: Russian morphology), or a registration number."})
    kind = fields.String(validate=validate.OneOf(["document", "assignment"]))
    type = fields.String(validate=validate.OneOf([t.value for t in DocumentType]))
    state = fields.String(validate=validate.Length(min=1, max=40))
    status = fields.String(validate=validate.OneOf([s.value for s in AssignmentStatus]))
    body_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    year = fields.Integer(validate=validate.Range(min=1900, max=2100))
    deadline_from = fields.Date()
    deadline_to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))

    @validates("state")
    def known_state(self, value: str, **_kwargs) -> None:
        """One of the workflows' states, as the page's choice is: the search writes it into its statements."""
        if value not in state_titles():
            raise ValidationError(f"Not a document state: one of {', '.join(sorted(state_titles()))}.")


class PieceSchema(Schema):
    text = fields.String(required=True)
    hit = fields.Boolean(required=True)


class HitSchema(Schema):
    kind = fields.String(required=True)
    document_id = fields.Integer(required=True)
    assignment_id = fields.Integer(allow_none=True)
    title = fields.String(required=True)
    doc_type = fields.String(required=True)
    state = fields.String(required=True)
    status = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    snippet = fields.List(fields.Nested(PieceSchema), required=True, metadata={"description": "hit: a matched word"})


class SearchResultsSchema(Schema):
    query = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "Hits counted, at most 1000."})
    more = fields.Boolean(required=True, metadata={
        "description": "More hits than counted: total is 1000 and the pages reach only the first 1000."})
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    hits = fields.List(fields.Nested(HitSchema), required=True)
    numbered_document_ids = fields.List(fields.Integer(), required=True,
                                        metadata={"description": "Documents whose registration number is the query."})


@bp.get("/search")
@bp.arguments(SearchArgs, location="query", as_kwargs=False)
@bp.response(200, SearchResultsSchema)
@bp.doc(tags=TAG, summary="Search documents and assignments (20 a page, title hits first, then newest)")
def search_all(args: dict):
    filters = search.Filters(doc_type=args.get("type"), state=args.get("state"), body_id=args.get("body_id"),
                             year=args.get("year"), deadline_from=args.get("deadline_from"),
                             deadline_to=args.get("deadline_to"), status=args.get("status"), kind=args.get("kind"))
    results = search.search(api_user(), args["q"], filters, args["page"])
    return {
        "query": results.query, "total": results.total, "more": results.more, "page": results.page,
        "pages": results.pages,
        "hits": [{"kind": h.entry.kind, "document_id": h.entry.document_id,
                  "assignment_id": h.entry.object_id if h.entry.kind == "assignment" else None,
                  "title": h.entry.title, "doc_type": h.entry.doc_type, "state": h.entry.state,
                  "status": h.entry.status, "deadline": h.entry.deadline,
                  "snippet": [{"text": text, "hit": hit} for text, hit in h.pieces]} for h in results.hits],
        "numbered_document_ids": [d.id for d in results.by_number],
    }
