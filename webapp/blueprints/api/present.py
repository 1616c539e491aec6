"""Objects as the API shows them: plain dicts in the shapes of schemas.py, what the caller may do read from the
policy and the workflow service (never decided here)."""

from __future__ import annotations

from typing import Any

from webapp import clock
from webapp.models import Assignment, Body, Document, Notification, User
from webapp.services import assignments as assignment_service
from webapp.services import policy, transitions
from webapp.services.documents import points_in_order
from webapp.services.workflows import workflow_of

#: The API's name of an action on an assignment -> the policy rule that allows it.
ASSIGNMENT_ACTIONS = {"take": "take_assignment", "report": "report_assignment", "accept": "review_report",
                      "return": "review_report", "cancel": "cancel_assignment",
                      "request_extension": "request_extension", "decide_extension": "decide_extension"}


def body(row: Body) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "short_name": row.short_name, "parent_id": row.parent_id,
            "head_id": row.head_id, "aliases": list(row.aliases or []), "closed": row.closed_at is not None}


def user(row: User) -> dict[str, Any]:
    return {"id": row.id, "login": row.login, "full_name": row.full_name, "position": row.position,
            "roles": sorted(row.roles), "body_ids": [b.id for b in row.bodies], "active": row.active}


def notification(row: Notification) -> dict[str, Any]:
    return {"id": row.id, "document_id": row.document_id, "text": row.text, "created_at": row.created_at,
            "read_at": row.read_at}


def document_summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.id, "type": document.doc_type, "type_title": document.type_title, "state": document.state,
        "state_title": workflow_of(document).state(document.state).title, "number": document.number,
        "date": document.doc_date, "reg_date": document.reg_date, "event_date": document.event_date,
        "title": document.title, "issuing_body_id": document.issuing_body_id, "author_id": document.author_id,
        "parent_id": document.parent_id, "version": document.version,
    }


def document(document: Document, caller: User) -> dict[str, Any]:
    return {
        **document_summary(document),
        "heading": document.heading, "place": document.place, "preamble": list(document.preamble or []),
        "decision_heading": document.decision_heading, "controller_text": document.controller_text,
        "participants": [{"role": p.role, "name": p.name, "job_title": p.job_title} for p in document.participants],
        "agenda": [{"id": a.id, "number": a.number, "title": a.title, "speakers": a.speakers,
                    "heard": list(a.heard or []),
                    "discussion": [{"speaker": s.get("speaker") or "", "text": s.get("text") or ""}
                                   for s in a.discussion or []]} for a in document.agenda_items],
        "points": [{"id": p.id, "parent_id": p.parent_id, "agenda_item_id": p.agenda_item_id, "number": p.number,
                    "text": p.text, "is_assignment": p.is_assignment,
                    "responsible_body_ids": [r.body_id for r in p.responsibles], "deadline": p.deadline,
                    "deadline_text": p.deadline_text, "deadline_kind": p.deadline_kind}
                   for p in points_in_order(document)],
        "signatories": [{"job_title": s.job_title, "name": s.name} for s in document.signatories],
        "attachment_ids": [a.id for a in document.attachments],
        "approval_mode": document.approval_mode,
        "approval_steps": [{"id": s.id, "user_id": s.user_id, "round": s.round, "position": s.position,
                            "decision": s.decision, "comment": s.comment} for s in document.approval_steps],
        "acknowledgments": [{"person_name": a.person_name, "user_id": a.user_id, "acknowledged_at": a.acknowledged_at}
                            for a in document.acknowledgments],
        "amends_id": document.amends_id,
        "transitions": [{"name": t.name, "title": t.title, "to": t.target, "comment_required": t.comment_required,
                         "blocked_reason": transitions.blocked_reason(caller, document, t)}
                        for t in transitions.available_transitions(caller, document)],
    }


def assignment_summary(row: Assignment) -> dict[str, Any]:
    return {
        "id": row.id, "document_id": row.document_id, "point_number": row.point_number, "action": row.action,
        "status": row.status, "status_title": row.status_title, "lead_body_id": row.lead_body_id,
        "coexecutor_ids": [b.id for b in row.coexecutors], "controller_id": row.controller_id,
        "deadline": row.deadline, "original_deadline": row.original_deadline, "deadline_text": row.deadline_text,
        "deadline_kind": row.deadline_kind, "overdue": assignment_service.is_overdue(row, clock.today()),
        "completed_on": row.completed_on, "series_id": row.series_id,
    }


def assignment(row: Assignment, caller: User) -> dict[str, Any]:
    return {
        **assignment_summary(row),
        "controller_text": row.controller_text, "cancel_reason": row.cancel_reason,
        "days_overdue": assignment_service.days_overdue(row, clock.today()),
        "reports": [{"id": r.id, "author_id": r.author_id, "text": r.text, "created_at": r.created_at,
                     "decision": r.decision, "decision_comment": r.decision_comment,
                     "file_names": [f.filename for f in r.files]} for r in row.reports],
        "deadline_changes": [{"id": c.id, "status": c.status, "reason": c.reason, "requested_date": c.requested_date,
                              "old_date": c.old_date, "new_date": c.new_date, "decision_comment": c.decision_comment}
                             for c in row.deadline_changes],
        "actions": [name for name, rule in ASSIGNMENT_ACTIONS.items() if policy.can(caller, rule, row)],
    }
