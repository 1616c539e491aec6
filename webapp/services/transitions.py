"""Moving documents through their workflows: rules, guards, effects, the approval route, acknowledgment."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp import clock
from webapp.extensions import db
from webapp.models import (
    Acknowledgment,
    ApprovalDecision,
    ApprovalMode,
    ApprovalStep,
    Assignment,
    AssignmentStatus,
    Body,
    DeadlineKind,
    Document,
    Notification,
    Point,
    PointResponsible,
    Role,
    User,
)
from webapp.services import notifications, numbering, occurrences, rendering
from webapp.services.assignments import default_controller
from webapp.services.audit import record_event
from webapp.services.documents import sync_draft_assignments
from webapp.services.errors import Conflict, Invalid, NotAllowed
from webapp.services.policy import ensure, first_allowed, in_scope, may_approve, may_fire, note_acting, refusal
from webapp.services.route import current_round, planned_round, route_running, steps_waiting_for
from webapp.services.workflows import done_text, is_editable, workflow_of
from webapp.workflow import Transition

# --- the approval route -------------------------------------------------------------------------


def uses_route(document: Document) -> bool:
    return any("start_approval" in t.effects for t in workflow_of(document).transitions.values())


def add_approver(user: User, document: Document, approver: User) -> ApprovalStep:
    ensure(user, "edit_route", document)
    if not may_approve(approver):
        raise Invalid("Согласующим может быть только активный пользователь с ролью «Согласующий» или «Руководитель».")
    running = route_running(document)
    steps = current_round(document) if running else planned_round(document)
    if any(s.user_id == approver.id for s in steps):
        raise Invalid(f"{approver.full_name} уже в листе согласования.")
    step = ApprovalStep(document_id=document.id, user=approver, user_id=approver.id, added_while_running=running,
                        round=document.approval_round if running else document.approval_round + 1,
                        position=max((s.position for s in steps), default=0) + 1)
    document.approval_steps.append(step)
    db.session.flush()
    record_event(user, "approval.add_approver", document, after={"approver": approver.login, "round": step.round})
    return step


def remove_approver(user: User, document: Document, step_id: int) -> None:
    ensure(user, "edit_route", document)
    if not is_editable(document):
        raise Conflict("Убрать согласующего можно только из проекта, пока он не отправлен на согласование.")
    step = next((s for s in planned_round(document) if s.id == step_id), None)
    if step is None:
        raise Invalid("Такого согласующего в листе нет.")
    document.approval_steps.remove(step)
    db.session.flush()
    record_event(user, "approval.remove_approver", document, before={"approver": step.user.login})


def set_approval_mode(user: User, document: Document, mode: str) -> None:
    ensure(user, "edit_route", document)
    if not is_editable(document):
        raise Conflict("Порядок согласования меняют в проекте, до отправки на согласование.")
    if mode not in ApprovalMode.__members__:
        raise Invalid("Неизвестный порядок согласования.")
    before = document.approval_mode
    document.approval_mode = mode
    document.updated_at = clock.now()
    db.session.flush()
    record_event(user, "approval.mode", document, before={"mode": before}, after={"mode": mode})


def decide(user: User, document: Document, decision: str, comment: str | None, expected_version: int) -> None:
    """An approver approves, or approves with remarks (a comment is then required). Returning is a transition.

    The document's row is locked while the decision is recorded, so a transition cannot slip in between; the
    decision itself does not change the document's version, so approvers of a parallel route deciding at the same
    moment all succeed (each on its own step) instead of all but one being told to reload."""
    db.session.refresh(document, with_for_update=True)
    _check_version(document, expected_version)
    ensure(user, "decide_approval", document)
    comment = (comment or "").strip() or None
    if decision not in (ApprovalDecision.approved, ApprovalDecision.approved_with_remarks):
        raise Invalid("Неизвестное решение по согласованию.")
    if decision == ApprovalDecision.approved_with_remarks and not comment:
        raise Invalid("Согласование с замечаниями требует текста замечаний.")
    whose = user.acting_as or user  # a deputy decides on the step of the colleague she stands in for
    step = next(s for s in steps_waiting_for(document) if s.user_id == whose.id)
    step.decision, step.comment, step.decided_at = decision, comment, clock.now()
    db.session.flush()
    record_event(user, f"approval.{decision}", document, comment=comment,
                 after={"round": step.round, "decision": decision})
    _tell_of_decision(user, whose, document, decision, comment)


def _tell_of_decision(user: User, whose: User, document: Document, decision: str, comment: str | None) -> None:
    """The author learns of each approval (and of the route's end); in a sequential route the next approver
    learns that her turn has come."""
    label = f"{document.label} «{_short_title(document)}»"
    said = "согласован с замечаниями" if decision == ApprovalDecision.approved_with_remarks else "согласован"
    author = [document.author_id] if document.author_id else []
    notifications.notify(author, f"{label} {said} ({whose.full_name})." + (f" Замечания: {comment}" if comment else ""),
                         actor=user, document_id=document.id)
    waiting = steps_waiting_for(document)
    if not waiting:
        notifications.notify(author, f"{label}: согласование завершено, все согласующие согласовали.",
                             actor=user, document_id=document.id)
    elif document.approval_mode == ApprovalMode.sequential:
        notifications.notify([waiting[0].user_id], f"Ваша очередь согласовать: {label}.", actor=user,
                             document_id=document.id)


# --- guards -------------------------------------------------------------------------------------


def _guard_failure(guard: str, user: User, document: Document) -> str | None:
    """None when the guard holds, else the reason in Russian."""
    if guard == "content_complete":
        missing = []
        if not (document.title or "").strip():
            missing.append("заголовок")
        if document.event_date is None:
            missing.append("дата")
        if document.issuing_body_id is None:  # the letterhead and the number series are the body's
            missing.append("орган, издающий документ")
        if document.doc_type == "protocol" and not any(p.kind == "point" for p in document.points):
            missing.append("хотя бы один пункт решения")
        return f"Документ не заполнен: {', '.join(missing)}." if missing else None
    if guard == "approvers_assigned":
        has = planned_round(document) or (document.approval_round and current_round(document))
        return None if has else "Добавьте в лист согласования хотя бы одного согласующего."
    if guard == "all_approvals_given":
        steps = current_round(document)
        if not steps or any(s.decision not in (ApprovalDecision.approved, ApprovalDecision.approved_with_remarks)
                            for s in steps):
            return "Ещё не все согласующие согласовали документ."
        return None
    if guard == "bodies_open":  # its points become assignments: none may go to a body closed since drafting
        closed = list(db.session.scalars(
            select(Body.display_name).join(PointResponsible, PointResponsible.body_id == Body.id)
            .join(Point, Point.id == PointResponsible.point_id)
            .where(Point.document_id == document.id, Body.closed_at.is_not(None)).distinct().limit(3)))
        return (f"Пункты документа адресованы закрытому органу ({', '.join(f'«{n}»' for n in sorted(closed))}): "
                "верните документ на доработку и выберите действующий орган." if closed else None)
    if guard == "own_draft":
        return refusal(user, "withdraw_draft", document)
    if guard == "body_scope":  # also the author and the approver act only for a body in their scope
        return None if in_scope(user, document.issuing_body_id) else "Документ издаёт орган, в котором вы не состоите."
    raise ValueError(f"guard {guard!r} is not implemented")  # the engine's validation makes this unreachable


def _refusal(user: User, document: Document, transition: Transition) -> str | None:
    return _decision(user, document, transition)[0]


def _decision(user: User, document: Document, transition: Transition) -> tuple[str | None, User | None]:
    """The refusal, or None and whose rights allow it: the user's own or a colleague's she stands in for."""
    if document.state not in transition.sources:
        return "Это действие недоступно в текущем состоянии документа.", None
    return first_allowed(user, lambda who: _own_refusal(who, document, transition))


def _own_refusal(user: User, document: Document, transition: Transition) -> str | None:
    reason = may_fire(user, document, transition)
    if reason:
        return reason
    for guard in transition.guards:
        reason = _guard_failure(guard, user, document)
        if reason:
            return reason
    return None


def available_transitions(user: User, document: Document) -> list[Transition]:
    """What the user may fire from the document's state: the buttons the document page shows (a button whose
    guard does not hold yet is drawn disabled with blocked_reason)."""
    if not user.is_authenticated:
        return []
    return [t for t in workflow_of(document).transitions_from(document.state)
            if first_allowed(user, lambda who, t=t: may_fire(who, document, t))[0] is None]


def blocked_reason(user: User, document: Document, transition: Transition) -> str | None:
    return _refusal(user, document, transition)


# --- firing -------------------------------------------------------------------------------------


def _check_version(document: Document, expected_version: int) -> None:
    if document.version != expected_version:
        raise Conflict("Документ изменился, пока страница была открыта. Обновите страницу и повторите действие.")


def check_fire(user: User, document: Document, name: str, comment: str | None, expected_version: int) -> Transition:
    """Every check `fire` makes, changing nothing: the transition the user may fire now (a page asks for
    confirmation only of what would succeed), else NotAllowed, Conflict or Invalid."""
    _check_version(document, expected_version)
    transition = workflow_of(document).transition(name)
    if transition is None:
        raise Invalid("Неизвестное действие.")
    if document.state not in transition.sources:
        raise Conflict("Документ уже в другом состоянии. Обновите страницу.")
    reason, whose = _decision(user, document, transition)
    if reason:
        raise NotAllowed(reason)
    note_acting(user, whose)
    if transition.comment_required and not (comment or "").strip():
        raise Invalid("Для этого действия нужен комментарий.")
    return transition


def fire(user: User, document: Document, name: str, comment: str | None, expected_version: int) -> Document:
    """Apply one transition: re-check every rule, change the state, run the effects, record the event."""
    transition = check_fire(user, document, name, comment, expected_version)
    comment = (comment or "").strip() or None
    before = {"state": document.state, "number": document.number}
    document.state = transition.target
    document.updated_at = clock.now()
    for effect in transition.effects:
        EFFECTS[effect](user, document, transition, comment)
    _follow(document)
    db.session.flush()
    record_event(user, f"transition.{name}", document, before=before,
                 after={"state": document.state, "number": document.number}, comment=comment)
    return document


def _follow(document: Document) -> None:
    """Attachments whose workflow follows the parent take the parent's state (a Положение and its order)."""
    for attachment in document.attachments:
        workflow = workflow_of(attachment)
        if workflow.follows_parent and document.state in workflow.states:
            attachment.state = document.state
            attachment.draft_mark = document.draft_mark


# --- effects ------------------------------------------------------------------------------------


def _start_approval(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    """A new round: the planned approvers, or after a rework the previous round's approvers again."""
    previous = current_round(document)
    planned = planned_round(document)
    document.approval_round += 1
    if not planned:
        for step in previous:
            document.approval_steps.append(ApprovalStep(
                document_id=document.id, user_id=step.user_id, round=document.approval_round,
                position=step.position))
    db.session.flush()
    db.session.expire(document, ["approval_steps"])


def _record_return(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    """The approval sheet shows who returned the document: the returning approver's open step says so."""
    whose = user.acting_as or user
    for step in current_round(document):
        if step.user_id == whose.id and step.decision is None:
            step.decision, step.comment, step.decided_at = ApprovalDecision.returned, comment, clock.now()


def _assign_number(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    if document.number:
        return  # a document brought in with its number keeps it
    numbering.assign_number(document, clock.today())


def _freeze(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    """Published content is read-only: the state is not editable; the «Проект» mark goes."""
    document.draft_mark = False
    for attachment in document.attachments:
        attachment.draft_mark = False


def _create_assignments(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    put_under_control(user, document)


def put_under_control(user: User, document: Document) -> None:
    """A document now in force: its directives become assignments under control (on publication, or when an
    archive document is imported with its number and date)."""
    sync_draft_assignments(document, AssignmentStatus.new)
    # The controller: the person the control clause names, else the document's signatory, else whoever put
    # the document in force.
    controller = default_controller(document) or user
    for assignment in db.session.scalars(select(Assignment).where(Assignment.document_id == document.id,
                                                                  Assignment.controller_id.is_(None))):
        assignment.controller_id = controller.id
    db.session.flush()
    for series in db.session.scalars(select(Assignment).where(Assignment.document_id == document.id,
                                                              Assignment.deadline_kind == DeadlineKind.periodic)):
        occurrences.start(series, clock.today())
    count = db.session.scalar(select(func.count(Assignment.id)).where(Assignment.document_id == document.id))
    record_event(user, "assignments.create", document, after={"count": count})
    notifications.assignments_created(user, list(db.session.scalars(
        select(Assignment).where(Assignment.document_id == document.id, Assignment.series_id.is_(None),
                                 Assignment.status == AssignmentStatus.new))))


def _render_docx(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    """Store the published DOCX: served byte for byte ever after."""
    rendering.store_published_docx(document)


def _participants(document: Document) -> set[int]:
    """Whom a document's events concern: its author, the approvers of the running round, its signatories."""
    recipients: set[int] = set()
    if document.author_id:
        recipients.add(document.author_id)
    recipients.update(s.user_id for s in current_round(document))
    recipients.update(s.user_id for s in document.signatories if s.user_id)
    return recipients


def _heads(document: Document) -> set[int]:
    """The active heads acting for the document's issuing body."""
    heads = db.session.scalars(select(User).where(User.active.is_(True)))
    return {u.id for u in heads if u.has_role(Role.head) and in_scope(u, document.issuing_body_id)}


def _send(user: User, document: Document, transition: Transition, comment: str | None, recipients: set[int]) -> None:
    recipients.discard(user.id)
    text = f"{document.label} «{_short_title(document)}» {done_text(document, transition)} ({user.full_name})."
    if comment:
        text += f" Комментарий: {comment}"
    for user_id in sorted(recipients):
        db.session.add(Notification(user_id=user_id, document_id=document.id, text=text))


def _short_title(document: Document) -> str:
    title = document.title.strip()
    return title if len(title) <= 80 else title[:79].rstrip() + "…"


def _notify(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    """Tell the author, the approvers of the running round and the signatories what happened."""
    _send(user, document, transition, comment, _participants(document))


def _notify_heads(user: User, document: Document, transition: Transition, comment: str | None) -> None:
    """Tell the heads of the issuing body (those not told already by `notify`): something waits for their
    signature or concerns them."""
    already = _participants(document) if "notify" in transition.effects else set()
    _send(user, document, transition, comment, _heads(document) - already)


EFFECTS = {
    "start_approval": _start_approval,
    "record_return": _record_return,
    "assign_number": _assign_number,
    "freeze": _freeze,
    "create_assignments": _create_assignments,
    "render_docx": _render_docx,
    "notify": _notify,
    "notify_heads": _notify_heads,
}


# --- acknowledgment (ознакомление) --------------------------------------------------------------


def add_acknowledgers(user: User, document: Document, people: list[User]) -> int:
    ensure(user, "manage_acknowledgments", document)
    known = {a.user_id for a in document.acknowledgments if a.user_id}
    added = 0
    for person in people:
        if person.id in known:
            continue
        document.acknowledgments.append(Acknowledgment(
            person_name=person.full_name, user_id=person.id, position=len(document.acknowledgments) + 1))
        db.session.add(Notification(user_id=person.id, document_id=document.id,
                                    text=f"Ознакомьтесь с документом: {document.label} «{_short_title(document)}»."))
        added += 1
    db.session.flush()
    record_event(user, "acknowledgment.add", document, after={"people": [p.login for p in people]})
    return added


def acknowledge(user: User, document: Document) -> Acknowledgment:
    ensure(user, "acknowledge", document)
    row = next(a for a in document.acknowledgments if a.user_id == user.id and a.acknowledged_at is None)
    row.acknowledged_at = clock.now()
    db.session.flush()
    record_event(user, "acknowledgment.mark", document, after={"at": row.acknowledged_at})
    return row
