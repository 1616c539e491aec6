"""Who may do what to which object: every rule once, with its refusal in Russian.

Services enforce a rule with `ensure(user, RULE, obj)`; views ask `can(user, RULE, obj)` to draw a button or guard a
page, and templates ask the same through `can(RULE, obj)` (for the signed-in user). Nothing else decides access.

Body scope. A user acts for the bodies they belong to and every body below them. A user who belongs to no body
works for the organisation as a whole (the legal department's approver, the control office), and so does an
administrator. Scope is part of every rule that touches a document or an assignment:
- a document in force (published) is public inside the service: every signed-in user may read it;
- a document not in force (a draft, on its route, cancelled) is read by its author, the approvers on its route,
  auditors and administrators, and by secretaries, heads, approvers and controllers whose scope holds its
  issuing body;
- editing, every workflow transition fired by role, the approval route, numbering (a transition's effect),
  acknowledgment lists, amending documents and adding assignments need the issuing body in the user's scope;
  relations (the author, the approver whose turn it is) act without it;
- an assignment is read and acted on by members of its responsible bodies (and of the bodies above them), its
  controller, auditors and administrators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import and_, any_, bindparam, exists, func, or_, select, true, union

from webapp import clock
from webapp.extensions import db
from webapp.models import (
    ApprovalStep,
    Assignment,
    AssignmentStatus,
    Body,
    ChangeStatus,
    Deputy,
    Document,
    Membership,
    Role,
    User,
)
from webapp.models.assignment import OPEN_STATUSES, assignment_coexecutor
from webapp.services.errors import NotAllowed
from webapp.services.planner import unindexed, written
from webapp.services.route import is_current_approver, on_route
from webapp.services.workflows import is_editable, workflow_of
from webapp.workflow import Transition
from webapp.workflow.engine import PUBLISHED

DRAFTERS = (Role.secretary, Role.head, Role.admin)  #: draft documents, run their routes and acknowledgment lists
OVERSEERS = (Role.auditor, Role.admin)  #: read everything: every document, assignment, the dashboard and the audit
DRAFT_READERS = (Role.secretary, Role.head, Role.approver, Role.controller)  #: read drafts of bodies in their scope
CONTROLLERS = (Role.controller, Role.admin)  #: put assignments under control by hand
APPROVERS = (Role.approver, Role.head)  #: may be put on an approval route

OTHER_BODY = "Документ издаёт орган, в котором вы не состоите."


# --- scope ----------------------------------------------------------------------------------------------------------


#: The scope functions asked inside `recording_scopes`, with whose scope each was.
_ASKED: ContextVar[list[tuple[Callable[[User], Any], int]] | None] = ContextVar("policy_scopes_asked", default=None)


@contextmanager
def recording_scopes() -> Iterator[list[tuple[Callable[[User], Any], int]]]:
    """The scopes (scope_ids, member_body_ids) asked inside the block, as (function, user id): what a statement
    built there holds of the users' bodies, to be asked again before the statement is used again (menu)."""
    token = _ASKED.set([])
    try:
        yield _ASKED.get()
    finally:
        _ASKED.reset(token)


def _asked(function: Callable[[User], Any], user: User) -> None:
    if (asked := _ASKED.get()) is not None:
        asked.append((function, user.id))


def scope_ids(user: User) -> set[int] | None:
    """The bodies a user acts for (theirs and every body below); None: the whole organisation. In a statement, as
    scope_clause writes it."""
    _asked(scope_ids, user)
    if user.has_role(Role.admin):
        return None
    return set(user.reach_ids()) or None  # a user of no body acts for the whole organisation


def member_body_ids(user: User) -> set[int]:
    """The bodies whose assignments a user answers for: theirs and every body below (none for a user without)."""
    _asked(member_body_ids, user)
    return set(user.reach_ids())


def in_scope(user: User, body_id: int | None) -> bool:
    """Whether a user acts for a body; a document with no issuing body belongs to the organisation as a whole."""
    scope = scope_ids(user)
    return scope is None or (body_id is not None and body_id in scope)


def scope_clause(user: User, column, scope: set[int] | None):
    """A WHERE clause: `column` (a body's id) is of the bodies the user acts for, `scope` being scope_ids(user) —
    for a user whose reach is every body (User.reaches_every_body: a ministry's staff), a body at all: as values,
    every body's id was written into the statement (5,000 at a region's size; six times in a sorted register's:
    1.3 MB of SQL, 200-300 ms of PostgreSQL's planning and the driver's work at 1,000,000 assignments). A document
    of no issuing body stays the whole organisation's (in_scope), not hers."""
    if scope is None:
        return true()
    return column.is_not(None) if user.reaches_every_body() else column.in_(scope)


def among_bodies(column, body: Body):
    """A WHERE clause: `column` (a body's id) is the body's or one below it; when that is the whole directory
    (Body.covers_every_body: a region's ministry), a body at all (as scope_clause writes a top-body member's
    scope): 5,000 ids written into a statement took PostgreSQL more to plan and the driver more to send than the
    read itself (a search filtered by the ministry, 224 ms at 1,000,000 assignments)."""
    return column.is_not(None) if body.covers_every_body() else column.in_(body.subtree_ids())


def oversees(user: User) -> bool:
    return user.is_authenticated and user.has_role(*OVERSEERS)


# --- the rules ------------------------------------------------------------------------------------------------------

Check = Callable[[User, Any], str | None]  # the refusal, or None when allowed
RULES: dict[str, Check] = {}


def rule(name: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[name] = check
        return check

    return register


# --- deputies (замещение) -------------------------------------------------------------------------------------------

#: Rules a deputy never takes over: running the service, setting deputies, and what only the person herself can
#: do (confirming that she has read a document).
NOT_DELEGATED = frozenset({"administer", "manage_bodies", "manage_users", "manage_deputies", "acknowledge",
                           "read_job"})
_PRINCIPALS = "_principals"  # not a column: acting_for's answer, on the instance for its request


def acting_for(user: User) -> list[User]:
    """The user and every active colleague she stands in for today (by the service's clock): the people whose
    rights apply when she acts. Asked once per request and user."""
    if not user.is_authenticated:
        return []
    today = clock.today()
    cached = user.__dict__.get(_PRINCIPALS)
    if cached is None or cached[0] != today:
        principals = list(db.session.scalars(
            select(User).join(Deputy, Deputy.principal_id == User.id).where(
                *_standing_in(user.id, today), User.active.is_(True), User.id != user.id).order_by(User.full_name)))
        cached = user.__dict__[_PRINCIPALS] = (today, principals)
    return [user, *cached[1]]


def _standing_in(deputy_id, today) -> tuple:
    """The conditions of a deputy's appointments in force on `today` (deputy_id: a value or a column)."""
    return (Deputy.deputy_id == deputy_id, Deputy.ended_at.is_(None), Deputy.starts_on <= today,
            Deputy.ends_on >= today)


def stands_in_today(deputy_id_column):
    """Whether the user (a column of her id) stands in for anyone today: a column for her session's statement, which
    every page runs. Most users stand in for nobody, and `acting_for` then needs no statement of its own (a round
    trip on every page): note_stands_in."""
    return exists().where(*_standing_in(deputy_id_column, clock.today()))


def note_stands_in(user: User, stands_in: bool) -> None:
    """What her session's statement found (stands_in_today): standing in for nobody today, `acting_for` asks nothing
    this request."""
    if not stands_in:
        user.__dict__[_PRINCIPALS] = (clock.today(), [])


def forget_deputies(user: User) -> None:
    """A deputy was set or ended for this user: ask again."""
    user.__dict__.pop(_PRINCIPALS, None)


def first_allowed(user: User, check: Callable[[User], str | None]) -> tuple[str | None, User | None]:
    """(None, whose rights allow it) — the user's own first, then those of each colleague she stands in for —
    or (the user's own refusal, None). Every delegated check goes through here: the rules are never copied."""
    reason = check(user)
    if reason is None:
        return None, user
    for principal in acting_for(user)[1:]:
        if check(principal) is None:
            return None, principal
    return reason, None


def note_acting(user: User, whose: User | None) -> None:
    """The action about to be recorded is taken with `whose` rights: «user за whose» in the audit."""
    user.acting_as = whose if whose is not None and whose.id != user.id else None


def refusal(user: User, name: str, obj: Any = None) -> str | None:
    """Why the user may not do this (a sentence in Russian), or None when they may (on her own right or on the
    right of a colleague she stands in for)."""
    return _decision(user, name, obj)[0]


def _decision(user: User, name: str, obj: Any) -> tuple[str | None, User | None]:
    if not user.is_authenticated:
        return "Войдите в систему.", None
    check = RULES[name]
    if name in NOT_DELEGATED:
        reason = check(user, obj)
        return reason, (user if reason is None else None)
    return first_allowed(user, lambda who: check(who, obj))


def can(user: User, name: str, obj: Any = None) -> bool:
    return refusal(user, name, obj) is None


def ensure(user: User, name: str, obj: Any = None) -> None:
    """Raise NotAllowed with the rule's reason when the user may not do this; else note whose right it is."""
    reason, whose = _decision(user, name, obj)
    if reason is not None:
        raise NotAllowed(reason)
    note_acting(user, whose)


# Documents


def _acts_for(user: User, document: Document) -> bool:
    """The document's author, or a user whose scope holds its issuing body."""
    return document.author_id == user.id or in_scope(user, document.issuing_body_id)


@rule("create_document")
def _create_document(user: User, _obj=None) -> str | None:
    if not user.has_role(*DRAFTERS):
        return "Создавать проекты документов могут секретарь, руководитель и администратор."
    return None


@rule("read_document")
def _read_document(user: User, document: Document) -> str | None:
    if document.parent is not None:
        return _read_document(user, document.parent)  # an attachment is read with the document approving it
    if document.in_force or oversees(user) or document.author_id == user.id or on_route(user, document):
        return None
    if user.has_role(*DRAFT_READERS) and in_scope(user, document.issuing_body_id):
        return None
    return "Этот проект документа вам недоступен: он готовится в другом органе."


@rule("edit_document")
def _edit_document(user: User, document: Document) -> str | None:
    if document.parent_id is not None:
        return "Приложение редактируется вместе с документом, которым оно утверждается."
    if not is_editable(document):
        return "Редактировать можно только проект документа; действующий документ меняют изменяющим документом."
    if not user.has_role(*DRAFTERS):
        return "Редактировать проекты могут автор, секретарь, руководитель и администратор."
    return None if _acts_for(user, document) else OTHER_BODY


def fills_role(user: User, document: Document, role: str) -> bool:
    """A workflow role: a relation to the document, or a user role held for the document's issuing body."""
    if role == "author":
        return document.author_id is not None and document.author_id == user.id
    if role == "current_approver":
        return is_current_approver(user, document)
    return user.has_role(role) and in_scope(user, document.issuing_body_id)


def may_fire(user: User, document: Document, transition: Transition) -> str | None:
    """Who may fire a transition (its state and guards are the workflow's business)."""
    if not user.is_authenticated:
        return "Войдите в систему."
    if document.parent_id is not None:
        return "Приложение проходит маршрут вместе с документом, которым оно утверждается."
    if any(fills_role(user, document, role) for role in transition.roles):
        return None
    if any(user.has_role(role) for role in transition.roles):
        return OTHER_BODY
    if transition.roles == {"author"}:
        return "Это может только автор документа."
    return "У вас нет права на это действие с документом."


@rule("withdraw_draft")
def _withdraw_draft(user: User, document: Document) -> str | None:
    """The author takes back her own draft (it goes to the workflow's cancelled state, kept in the history)."""
    if document.parent_id is not None:
        return "Приложение отзывается вместе с документом, которым оно утверждается."
    if document.author_id is None or document.author_id != user.id:
        return "Отозвать проект может только его автор; отменить чужой проект может руководитель."
    if not is_editable(document):
        return "Отозвать можно только проект; документ на согласовании или подписании сначала возвращают на доработку."
    return None


@rule("edit_route")
def _edit_route(user: User, document: Document) -> str | None:
    """Pick approvers: before submitting, or add them while the route runs."""
    if not any("start_approval" in t.effects for t in workflow_of(document).transitions.values()):
        return "Этот вид документа не проходит согласование."
    if document.state in {s.name for s in workflow_of(document).states.values() if s.final}:
        return "Маршрут завершённого документа не меняется."
    if document.author_id == user.id or (user.has_role(*DRAFTERS) and in_scope(user, document.issuing_body_id)):
        return None
    return "Изменять лист согласования может автор, секретарь или руководитель органа, издающего документ."


def may_approve(user: User) -> bool:
    """Whether a user may be put on an approval route (the choice on the document page, and the service)."""
    return user.active and user.has_role(*APPROVERS)


@rule("decide_approval")
def _decide_approval(user: User, document: Document) -> str | None:
    return None if is_current_approver(user, document) else "Сейчас не ваша очередь согласовывать этот документ."


@rule("manage_acknowledgments")
def _manage_acknowledgments(user: User, document: Document) -> str | None:
    if not document.in_force:
        return "Список ознакомления ведут для действующего документа."
    if document.author_id == user.id or (user.has_role(*DRAFTERS) and in_scope(user, document.issuing_body_id)):
        return None
    return "Список ознакомления ведут автор, секретарь или руководитель органа, издавшего документ."


@rule("acknowledge")
def _acknowledge(user: User, document: Document) -> str | None:
    if any(a.user_id == user.id and a.acknowledged_at is None for a in document.acknowledgments):
        return None
    return "Вас нет в списке ознакомления или вы уже ознакомлены."


@rule("amend_document")
def _amend_document(user: User, document: Document) -> str | None:
    if not document.in_force or document.parent_id is not None:
        return "Изменяющий документ можно создать только к действующему документу."
    if not user.has_role(*DRAFTERS):
        return "Создавать проекты документов могут секретарь, руководитель и администратор."
    return None if _acts_for(user, document) else OTHER_BODY


@rule("add_assignment")
def _add_assignment(user: User, document: Document) -> str | None:
    if not user.has_role(*CONTROLLERS) or not document.in_force:
        return "Добавить поручение может контролёр к действующему документу."
    return None if in_scope(user, document.issuing_body_id) else OTHER_BODY


@rule("import_documents")
def _import_documents(user: User, _obj=None) -> str | None:
    if not user.has_role(*DRAFTERS):
        return "Загружать документы для переноса в систему могут секретарь, руководитель и администратор."
    return None


@rule("review_import")
def _review_import(user: User, item) -> str | None:
    """An uploaded file's extraction is its uploader's work until saved (an administrator may help)."""
    if item.user_id == user.id or user.has_role(Role.admin):
        return None
    return "Этот загруженный документ разбирает другой пользователь."


# Assignments


def is_responsible(user: User, assignment: Assignment) -> bool:
    """A member of one of its responsible bodies (or of a body above one). The rules ask it after their tests of
    the assignment's own fields: it reads every body below the user's (5,000 for a member of the top body)."""
    return user.is_authenticated and bool({b.id for b in assignment.bodies} & member_body_ids(user))


def is_controller(user: User, assignment: Assignment) -> bool:
    return user.is_authenticated and assignment.controller_id == user.id


@rule("read_assignment")
def _read_assignment(user: User, assignment: Assignment) -> str | None:
    if oversees(user) or is_controller(user, assignment) or is_responsible(user, assignment):
        return None
    return "Поручение видят члены ответственных органов, контролёр, аудиторы и администраторы."


SERIES_MESSAGE = "Периодическое поручение исполняется по срокам: возьмите в работу и отчитайтесь по нужному сроку."


def _not_series(assignment: Assignment) -> str | None:
    return SERIES_MESSAGE if assignment.is_series else None


@rule("take_assignment")
def _take_assignment(user: User, assignment: Assignment) -> str | None:
    if assignment.status != AssignmentStatus.new or not is_responsible(user, assignment):
        return "Взять в работу может член ответственного органа, пока поручение новое."
    return _not_series(assignment)


@rule("report_assignment")
def _report_assignment(user: User, assignment: Assignment) -> str | None:
    if assignment.status not in (AssignmentStatus.in_work, AssignmentStatus.returned) \
            or not is_responsible(user, assignment):
        return "Отчёт представляет член ответственного органа по поручению в работе."
    return _not_series(assignment)


@rule("review_report")
def _review_report(user: User, assignment: Assignment) -> str | None:
    """Accept or return a report: the controller."""
    if is_controller(user, assignment) and assignment.status == AssignmentStatus.reported:
        return None
    return "Принять или вернуть отчёт может контролёр поручения, когда отчёт представлен."


@rule("cancel_assignment")
def _cancel_assignment(user: User, assignment: Assignment) -> str | None:
    if (is_controller(user, assignment) or user.has_role(Role.admin)) and assignment.status in OPEN_STATUSES:
        return None
    return "Отменить открытое поручение может его контролёр или администратор."


def pending_change(assignment: Assignment):
    return next((c for c in assignment.deadline_changes if c.status == ChangeStatus.pending), None)


@rule("request_extension")
def _request_extension(user: User, assignment: Assignment) -> str | None:
    if (assignment.status in OPEN_STATUSES and assignment.status != AssignmentStatus.reported
            and assignment.deadline is not None and pending_change(assignment) is None
            and is_responsible(user, assignment)):
        return _not_series(assignment)
    return "Перенос срока просит член ответственного органа по открытому поручению со сроком, по одному запросу."


@rule("decide_extension")
def _decide_extension(user: User, assignment: Assignment) -> str | None:
    if is_controller(user, assignment) and pending_change(assignment) is not None:
        return None
    return "Решение о переносе срока принимает контролёр поручения."


# The organisation


@rule("oversee")
def _oversee(user: User, _obj=None) -> str | None:
    """The dashboard, its exports and every assignment of the organisation."""
    return None if oversees(user) else "Сводка по исполнению доступна аудиторам и администраторам."


@rule("read_audit")
def _read_audit(user: User, _obj=None) -> str | None:
    return None if oversees(user) else "Журнал аудита доступен аудиторам и администраторам."


@rule("administer")
def _administer(user: User, _obj=None) -> str | None:
    """Users, their sessions, templates: what changes every document or account of the organisation."""
    return None if user.has_role(Role.admin) else "Это может только администратор."


@rule("read_job")
def _read_job(user: User, job) -> str | None:
    """A job's progress and result (an export may hold what only its owner may read): its owner, an administrator."""
    if job.owner_id == user.id or user.has_role(Role.admin):
        return None
    return "Это задание запустил другой пользователь."


@rule("manage_bodies")
def _manage_bodies(user: User, _obj=None) -> str | None:
    """The directory of bodies: create, rename, move, merge, close, requisites."""
    return None if user.has_role(Role.admin) else "Справочник органов ведёт администратор."


@rule("manage_users")
def _manage_users(user: User, _obj=None) -> str | None:
    """Accounts: create, invite, roles, bodies, deactivate, reset a password, end sessions; the import of users
    and bodies."""
    return None if user.has_role(Role.admin) else "Учётные записи пользователей ведёт администратор."


@rule("manage_deputies")
def _manage_deputies(user: User, principal: User | None) -> str | None:
    """An administrator sets anyone's deputy; a user sets her own (for her leave)."""
    if user.has_role(Role.admin) or (principal is not None and principal.id == user.id):
        return None
    return "Назначить замещающего может администратор или сам замещаемый сотрудник."


@rule("body_calendar")
def _body_calendar(user: User, body: Body) -> str | None:
    if oversees(user) or body.id in member_body_ids(user):
        return None
    return "Календарь органа может получить только его член."


# --- the same rules as queries (lists) ------------------------------------------------------------------------------


def readable_documents(user: User):
    """A WHERE clause: the documents `read_document` lets the user read (attachments follow their document). A
    published document is everyone's: search relies on it, reading the published documents' entries untested
    (services/search._count_and_read)."""
    if oversees(user):
        return true()
    scope = scope_ids(user)
    route = exists().where(ApprovalStep.document_id == Document.id, ApprovalStep.user_id == user.id)
    conditions = [Document.state == PUBLISHED, Document.author_id == user.id, route]
    if user.has_role(*DRAFT_READERS):
        conditions.append(scope_clause(user, Document.issuing_body_id, scope))
    return or_(*conditions)


def visible_assignments(user: User):
    """A WHERE clause: the assignments `read_assignment` lets the user read."""
    branches = assignment_branches(user)
    return true() if branches is None else or_(*branches.values())


def responsible_branches(body_ids) -> dict:
    """WHERE clauses by name: the assignment's lead body («lead») or one of its co-executors («coexecutor») is among
    `body_ids` (values, or an expanding parameter); their OR is «one of its responsible bodies is among them»."""
    return {"lead": Assignment.lead_body_id.in_(body_ids), "coexecutor": Assignment.id.in_(_coexecuted_ids(body_ids))}


def readable_of_bodies(user: User, body_ids: set[int]):
    """A WHERE clause on the assignments some of `body_ids` lead or co-execute (the caller's own condition): those
    the user may read. Nothing to test when every one of those bodies is within her reach, as her own bodies'
    always are: the lead and co-executor ways of visible_assignments read all of them, and that OR (with a hashed
    subquery) made PostgreSQL read every assignment rather than probe a few by key (a department's calendar feed at
    1M: 232 ms of SQL for 57 rows, 10 ms without it); else visible_assignments (she left a body, it was moved)."""
    return true() if body_ids <= member_body_ids(user) else visible_assignments(user)


def bodies_assignments(body: Body, wanted=None):
    """A WHERE clause: the assignments the body or one below it leads or co-executes, of those `wanted` holds
    (whatever the reader may read: the caller's own condition). Their ids are read one way at a time, each through
    its own index (the co-executed by key), and united; when the body's subtree is the whole directory
    (Body.covers_every_body), a lead body or a co-executor at all, tested on each row (_every_body_branches)."""
    if body.covers_every_body():
        return _each_way(_every_body_responsible(), wanted, every=True)
    ids = sorted(body.subtree_ids())
    return _each_way({"lead": Assignment.lead_body_id.in_(ids), "coexecutor": coexecuted_by_key(ids)}, wanted)


def own_assignments(user: User, wanted=None):
    """A WHERE clause: the assignments her bodies (and those below them) lead or co-execute, or she controls —
    whatever else her roles let her read — of those `wanted` holds. Their ids are read one way at a time, each
    through its own index (the co-executed by key), and united: as one OR beside the open statuses SQLite read
    every open assignment of the organisation for a department's (`/assignments/bulk.xlsx` 420 ms of SQL at 1M).
    Whose reach is every body has nearly every row: tested on each (_every_body_branches)."""
    return _each_way(_ways(user, sorted(member_body_ids(user)), alone=True), wanted, every=user.reaches_every_body())


def _each_way(ways: dict, wanted=None, every: bool = False):
    """The assignments some of `ways` reads, of those `wanted` holds: each way's ids read through its own index and
    united; for every body's ways (`every`: nearly every row), their OR tested on each row."""
    wanted = true() if wanted is None else wanted
    if every:
        return and_(or_(*ways.values()), wanted)
    return Assignment.id.in_(union(*(select(Assignment.id).where(way, wanted) for way in ways.values())))


def _ways(user: User, body_ids: list[int], alone: bool = False) -> dict:
    """The ways she reads an assignment as WHERE clauses by name (_assignment_branches with her bodies, those below
    them and her id); `alone`: for reads of each on its own (the co-executor's by key: coexecuted_by_key). Whose
    reach is every body, _every_body_branches."""
    if body_ids and user.reaches_every_body():
        return _every_body_branches(user.id)
    ways = _assignment_branches(body_ids, user.id)
    if alone:
        ways["coexecutor"] = coexecuted_by_key(body_ids)
    return ways


def _every_body_branches(user_id: int) -> dict:
    """_assignment_branches for a user whose reach is every body (User.reaches_every_body): a lead body, or a
    co-executor, at all — not every body's id written into the statement, twice (at a region's 5,000 bodies a
    search took 1.3 s on PostgreSQL at 1,000,000 assignments, most of it planning the lists)."""
    return {**_every_body_responsible(), "control": Assignment.controller_id == user_id}


def _every_body_responsible() -> dict:
    """responsible_branches of the whole directory: a lead body, or a co-executor, at all."""
    coexecuted = select(assignment_coexecutor.c.assignment_id).where(
        assignment_coexecutor.c.assignment_id == Assignment.id).correlate(Assignment)
    # (the co-executor as a probe per row: a hashed IN would read every co-executed row first)
    return {"lead": Assignment.lead_body_id.is_not(None), "coexecutor": coexecuted.exists()}


#: _every_body_branches with the user's id as ASSIGNMENT_BRANCHES' parameter (a statement built once serves all)
EVERY_BODY_BRANCHES = _every_body_branches(bindparam("reach_user_id"))


def _coexecuted_ids(body_ids):
    """The ids of the assignments some of `body_ids` co-execute (a select)."""
    return select(assignment_coexecutor.c.assignment_id).where(assignment_coexecutor.c.body_id.in_(body_ids))


def _assignment_branches(body_ids, user_id) -> dict:
    """The ways a user reads an assignment, by name: lead body or co-executor among `body_ids` (her bodies and
    those below), `user_id` its controller. The values, or parameters to be given when the statement runs."""
    return {**responsible_branches(body_ids), "control": Assignment.controller_id == user_id}


#: _assignment_branches with the user's bodies and id as named parameters, the values of which assignment_reach
#: gives: a statement built of these once serves every user (SQLAlchemy builds, keys and compiles it once)
ASSIGNMENT_BRANCHES = _assignment_branches(bindparam("reach_body_ids", expanding=True), bindparam("reach_user_id"))


def coexecuted_by_key(body_ids):
    """responsible_branches' «coexecutor» for a read of that branch alone (not inside an OR): on PostgreSQL the
    co-executed ids are read first, as one array, and then each assignment by its key (`id = ANY(ARRAY(SELECT …))`):
    as `id IN (SELECT …)` the planner, expecting a department's 2,000 co-executed rows to be met soon, walked the
    deadline index of every assignment for them (0.6-1.4 s at 1M) or hashed them against every open one (150,000
    rows, 33 ms). Not inside an OR walked in an order: there the array is searched from its start for every row
    walked (a hashed IN is one probe). SQLite reads an IN's rows by key itself."""
    if db.engine.dialect.name != "postgresql":
        return Assignment.id.in_(_coexecuted_ids(body_ids))
    return Assignment.id == any_(func.array(_coexecuted_ids(body_ids).scalar_subquery()))


def coexecuted_apart():
    """ASSIGNMENT_BRANCHES' «coexecutor» read alone (coexecuted_by_key), with the same parameter."""
    return coexecuted_by_key(bindparam("reach_body_ids", expanding=True))


def reach_values(user: User) -> dict:
    """The values of ASSIGNMENT_BRANCHES' parameters for a user: her bodies (and those below them), her id."""
    return {"reach_body_ids": sorted(member_body_ids(user)), "reach_user_id": user.id}


def assignment_reach(user: User) -> tuple[tuple[str, ...], dict] | None:
    """Which of ASSIGNMENT_BRANCHES hold the assignments `read_assignment` lets the user read (a user of no body:
    those she controls) and the values of their parameters; None: every assignment."""
    if oversees(user):
        return None
    values = reach_values(user)
    return ("lead", "coexecutor", "control") if values["reach_body_ids"] else ("control",), values


def assignment_branches(user: User, alone: bool = False) -> dict | None:
    """visible_assignments as the WHERE clauses whose OR it is (assignment_reach's branches with the user's
    values), each of which an index can serve on its own; None: every assignment. `alone`: for reads of each
    branch on its own, not inside their OR (the co-executor's then by key: coexecuted_by_key)."""
    reach = assignment_reach(user)
    if reach is None:
        return None
    names, values = reach
    branches = _ways(user, values["reach_body_ids"], alone)
    return {name: branches[name] for name in names}


def visible_users(user: User):
    """A WHERE clause on users: whom a user may find by name (the pickers of filters and approval routes).
    Overseers, and drafters who put anyone of the organisation on a route, find everyone; the others the people
    of their scope (their bodies and the bodies below them) and themselves."""
    scope = None if oversees(user) or user.has_role(*DRAFTERS) else scope_ids(user)
    if scope is None:
        return true()
    members = select(Membership.user_id).where(scope_clause(user, Membership.body_id, scope))
    return or_(User.id == user.id, User.id.in_(members))


def visible_bodies(user: User):
    """A WHERE clause on bodies: the ones a user may find by name — the whole directory for overseers and users
    who act for the whole organisation, else the bodies of their scope."""
    scope = None if oversees(user) else scope_ids(user)
    return scope_clause(user, Body.id, scope)


def draft_bodies(user: User):
    """A WHERE clause on bodies: the ones a user may name in a draft or an assignment added by hand (responsible
    bodies, co-executors, an imported document's issuing body) — open bodies only; every one of the organisation
    for whoever drafts or controls (a protocol assigns work to any body), for the others those of visible_bodies."""
    whole = user.has_role(*DRAFTERS, *CONTROLLERS)
    return and_(Body.closed_at.is_(None), true() if whole else visible_bodies(user))


# --- the same rules as reads of ids (a user's own objects, a few thousand, read through their indexes) -------------


#: The documents not in force, written inline as ix_document_unpublished_state's predicate says it (SQLite matches a
#: partial index only so): a top-body member's drafts, «an issuing body at all», were read through the issuing
#: body's index, every document of the organisation (0.4 s at 1M on SQLite), where the few not in force are 4,000.
UNPUBLISHED = Document.state != written(PUBLISHED, Document.state.type)


def readable_unpublished_document_ids(user: User):
    """The ids of the documents `readable_documents` lets the user read that are not published (in force documents
    are everyone's), one indexed read per way: her own, on her route, and for draft readers those their scope
    issues. None: every one of them (an overseer, a draft reader of the whole organisation)."""
    if oversees(user):
        return None
    reads = [select(Document.id).where(Document.author_id == user.id, UNPUBLISHED),
             select(ApprovalStep.document_id).join(Document, Document.id == ApprovalStep.document_id)
             .where(ApprovalStep.user_id == user.id, UNPUBLISHED)]
    if user.has_role(*DRAFT_READERS):
        scope = scope_ids(user)
        if scope is None:
            return None
        scoped = scope_clause(user, Document.issuing_body_id, scope)
        if user.reaches_every_body():  # «an issuing body at all»: not through the issuing body's index
            scoped = and_(*unindexed(scoped))
        reads.append(select(Document.id).where(scoped, UNPUBLISHED))
    return union(*reads)
