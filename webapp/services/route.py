"""The approval route's state: its rounds and whose turn it is. Facts only: rules live in policy, changes in
transitions."""

from __future__ import annotations

from webapp.models import ApprovalMode, ApprovalStep, Document, User
from webapp.services.workflows import is_editable


def current_round(document: Document) -> list[ApprovalStep]:
    return [s for s in document.approval_steps if s.round == document.approval_round and document.approval_round]


def planned_round(document: Document) -> list[ApprovalStep]:
    """The approvers the next round will ask (edited while the document is a draft)."""
    return [s for s in document.approval_steps if s.round == document.approval_round + 1]


def route_running(document: Document) -> bool:
    return document.approval_round > 0 and any(s.decision is None for s in current_round(document)) \
        and not is_editable(document)


def steps_waiting_for(document: Document) -> list[ApprovalStep]:
    """Whose turn it is: all undecided steps at once, or only the first one in a sequential route."""
    if not route_running(document):
        return []
    waiting = [s for s in current_round(document) if s.decision is None]
    if document.approval_mode == ApprovalMode.sequential:
        return waiting[:1]
    return waiting


def is_current_approver(user: User, document: Document) -> bool:
    return user.is_authenticated and any(s.user_id == user.id for s in steps_waiting_for(document))


def on_route(user: User, document: Document) -> bool:
    """The user is or was an approver of the document, in any round."""
    return user.is_authenticated and any(s.user_id == user.id for s in document.approval_steps)
