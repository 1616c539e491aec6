"""Assignments through the API: the list, one assignment, and the verbs of assignments' service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from webapp import clock
from webapp.blueprints.api import bp
from webapp.blueprints.api import present as show
from webapp.blueprints.api.auth import api_user
from webapp.blueprints.api.errors import ApiError, get_or_404
from webapp.blueprints.api.paging import NEXT_PAGE_HEADERS, keyset_page, next_page_headers
from webapp.blueprints.api.schemas import (
    AcceptIn,
    AssignmentListArgs,
    AssignmentPageSchema,
    AssignmentSchema,
    CancelIn,
    ExtensionDecisionIn,
    ExtensionRequestIn,
    OverdueArgs,
    OverdueRowSchema,
    ReportIn,
    ReturnIn,
)
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body
from webapp.services import assignments as service
from webapp.services import policy

TAG = ["assignments"]


def load_assignment(assignment_id: int) -> Assignment:
    """An assignment in force the caller may read (a draft document's projected ones are not assignments yet)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.status == AssignmentStatus.draft:
        raise ApiError(404, "not_found", "No such assignment.")
    policy.ensure(api_user(), "read_assignment", assignment)
    return assignment


def _act(assignment_id: int, verb: Callable[[Assignment], object]) -> dict:
    """Run one service verb on the assignment and commit once; the assignment as it is afterwards."""
    assignment = load_assignment(assignment_id)
    verb(assignment)
    db.session.commit()
    return show.assignment(assignment, api_user())


@bp.get("/assignments")
@bp.arguments(AssignmentListArgs, location="query", as_kwargs=False)
@bp.response(200, AssignmentPageSchema)
@bp.doc(tags=TAG, summary="The assignments the caller may read, in id order")
def list_assignments(args: dict):
    query = service.visible_query(api_user())
    if args.get("status"):
        query = query.where(Assignment.status == args["status"])
    if args.get("document_id"):
        query = query.where(Assignment.document_id == args["document_id"])
    return keyset_page(query, Assignment.id, args, show.assignment_summary)


@bp.get("/assignments/<int:assignment_id>")
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="One assignment with its reports, deadline changes and what the caller may do")
def get_assignment(assignment_id: int):
    return show.assignment(load_assignment(assignment_id), api_user())


@bp.post("/assignments/<int:assignment_id>/take")
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Take into work (a member of a responsible body)")
def take(assignment_id: int):
    return _act(assignment_id, lambda a: service.take_into_work(api_user(), a))


@bp.post("/assignments/<int:assignment_id>/report")
@bp.arguments(ReportIn)
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Report what was done, with files")
def report(body: dict, assignment_id: int):
    files = [(f["name"], f["content"], "application/octet-stream") for f in body["files"]]  # typed by content
    return _act(assignment_id, lambda a: service.submit_report(api_user(), a, body["text"], files))


@bp.post("/assignments/<int:assignment_id>/accept")
@bp.arguments(AcceptIn)
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Accept the report: done (the controller)")
def accept(body: dict, assignment_id: int):
    return _act(assignment_id, lambda a: service.accept(api_user(), a, body.get("comment")))


@bp.post("/assignments/<int:assignment_id>/return")
@bp.arguments(ReturnIn)
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Return the report for rework with a comment (the controller)")
def return_report(body: dict, assignment_id: int):
    return _act(assignment_id, lambda a: service.return_report(api_user(), a, body["comment"]))


@bp.post("/assignments/<int:assignment_id>/cancel")
@bp.arguments(CancelIn)
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Remove from control with a reason (the controller or an administrator)")
def cancel(body: dict, assignment_id: int):
    return _act(assignment_id, lambda a: service.cancel(api_user(), a, body["reason"]))


@bp.post("/assignments/<int:assignment_id>/extension")
@bp.arguments(ExtensionRequestIn)
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Ask the controller to move the deadline")
def request_extension(body: dict, assignment_id: int):
    return _act(assignment_id,
                lambda a: service.request_extension(api_user(), a, body.get("new_date"), body["reason"]))


@bp.post("/assignments/<int:assignment_id>/extension/decision")
@bp.arguments(ExtensionDecisionIn)
@bp.response(200, AssignmentSchema)
@bp.doc(tags=TAG, summary="Move the deadline or refuse (the controller)")
def decide_extension(body: dict, assignment_id: int):
    return _act(assignment_id, lambda a: service.decide_extension(api_user(), a, body["approve"],
                                                                  body.get("new_date"), body.get("comment")))


@bp.get("/overdue")
@bp.arguments(OverdueArgs, location="query", as_kwargs=False)
@bp.response(200, OverdueRowSchema(many=True), headers=NEXT_PAGE_HEADERS)
@bp.doc(tags=TAG, summary="The overdue summary on a date: open assignments the caller may read whose deadline passed, "
                          "most overdue first, in pages of `limit` rows")
def overdue(args: dict):
    body = get_or_404(Body, args["body_id"], "body") if args.get("body_id") else None
    as_of = args.get("as_of") or clock.today()
    after = None
    if args.get("after"):
        deadline, document_id, assignment_id = args["after"].split(".")
        after = (date.fromisoformat(deadline), int(document_id), int(assignment_id))
    rows, more = service.overdue_page(as_of, body, api_user(), after, args["limit"])
    cursor = f"{more[0].isoformat()}.{more[1]}.{more[2]}" if more is not None else None
    return [row.as_dict() for row in rows], 200, next_page_headers("api.overdue", cursor)
