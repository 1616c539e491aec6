"""«Мои задачи»: what waits for a user, in groups, each answered by one SQL query built on the policy's rules.

The groups: documents whose approval step is the user's turn; documents waiting for a transition the workflow marks
as a task (`task: sign`, `task: review`) that the user may fire; assignments the user's bodies are to execute;
reports and deadline-extension requests waiting for the user as controller; documents the user is to acknowledge.
Nothing is filtered in Python: each group is one query (rows and total together, via a window count), and the
menu's counter is one query of scalar subqueries, so the inbox stays fast with a million assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, partial

from sqlalchemy import Select, and_, exists, false, func, literal_column, not_, or_, select, true, union
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.elements import False_

from webapp.extensions import db
from webapp.models import (
    Acknowledgment,
    ApprovalMode,
    ApprovalStep,
    Assignment,
    AssignmentStatus,
    ChangeStatus,
    DeadlineChange,
    Document,
    Membership,
    User,
)
from webapp.models.assignment import assignment_coexecutor
from webapp.services.planner import unindexed, written
from webapp.services.policy import acting_for, readable_documents, scope_clause, scope_ids, visible_assignments
from webapp.services.workflows import registry
from webapp.workflow.engine import PUBLISHED

#: The groups in the order the page shows them: key, title.
GROUPS = (
    ("approve", "На согласование"),
    ("sign", "На подпись"),
    ("review", "На проверку председателю"),
    ("execute", "Поручения на исполнение"),
    ("reports", "Отчёты на проверку"),
    ("extensions", "Запросы на перенос срока"),
    ("acknowledge", "Ознакомиться"),
)
TO_EXECUTE = (AssignmentStatus.new, AssignmentStatus.in_work, AssignmentStatus.returned)
SHOWN = 20  # items listed per group; the counter says how many there are in all


@dataclass
class Group:
    key: str
    title: str
    total: int = 0
    items: list = field(default_factory=list)  # Documents, Assignments or DeadlineChanges (see `kind`)
    #: A deputy's inbox: item id -> the colleague it waits for, where it does not wait for the user herself.
    whose: dict[int, User] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return {"execute": "assignment", "reports": "assignment", "extensions": "extension"}.get(self.key, "document")


# --- the conditions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """What the workflows say about waiting, as SQL that is the same for every user: built once per registry (it
    was rebuilt on every page for the menu's counter, looping over every workflow's states and transitions)."""

    route_running: object  #: documents whose approval route is running: a round started, a state neither
    #: editable nor final
    tasks: dict[str, list[tuple[object, frozenset[str]]]]  #: task -> per transition: (documents in one of its
    #: sources, the roles that may fire it)


def _one_of(column, values):
    """`column IN (...)` of names the code or the workflows fix (states, statuses), written into the statement
    itself, as `Assignment.is_series` writes its kind: an expanding parameter (what `in_` of a list makes) is
    written into the statement's text anew on every execution (the counter's two dozen cost 2 ms a page), and
    PostgreSQL plans constants it can see from its statistics, also in the generic plan it keeps for a prepared
    statement (with a status as a parameter it planned the counter anew on every page)."""
    return column.in_([written(value, column.type) for value in values])


# the same for every user, built once
_PARALLEL = _one_of(Document.approval_mode, [ApprovalMode.parallel])
_TO_EXECUTE = and_(_one_of(Assignment.status, TO_EXECUTE), not_(Assignment.is_series))
_REPORTED = _one_of(Assignment.status, [AssignmentStatus.reported])
_PENDING = _one_of(DeadlineChange.status, [ChangeStatus.pending])
_PUBLISHED = _one_of(Document.state, [PUBLISHED])


def _unpublished(states):
    """`state <> 'published'` as ix_document_unpublished_state's predicate says it, where none of `states` is
    published: the few documents in those states are found through that index (SQLite matches a partial index
    only to a query that repeats its predicate)."""
    return true() if PUBLISHED in states else Document.state != written(PUBLISHED, Document.state.type)


_RULES: list[tuple[object, str, _Rules]] = []  # (the registry, the database's dialect, its rules): a registry is
# loaded once per app


def _rules() -> _Rules:
    current, dialect = registry(), db.engine.dialect.name
    for known, known_dialect, rules in _RULES:
        if known is current and known_dialect == dialect:
            return rules
    types = {name: [doc_type for doc_type, of in current.by_type.items() if of == name] for name in current.workflows}
    running = {w.name: [s.name for s in w.states.values() if not s.editable and not s.final]
               for w in current.workflows.values()}
    not_editable = [and_(_one_of(Document.doc_type, types[name]), _one_of(Document.state, states))
                    for name, states in running.items()]
    tasks: dict[str, list] = {}
    for workflow in current.workflows.values():
        for transition in workflow.transitions.values():
            if transition.task:
                # the document types unindexed: SQLite read every protocol through (doc_type, id) — migration
                # 0038, for the register's order — to count the few awaiting a signature (40-55 ms a page at 1M)
                tasks.setdefault(transition.task, []).append((
                    and_(_unpublished(transition.sources), *unindexed(_one_of(Document.doc_type, types[workflow.name])),
                         _one_of(Document.state, transition.sources)),
                    frozenset(transition.roles)))
    rules = _Rules(and_(Document.approval_round > literal_column("0"), _unpublished(sum(running.values(), [])),
                        or_(*not_editable) if not_editable else false()), tasks)
    _RULES[:] = [*_RULES[-3:], (current, dialect, rules)]  # a few apps at most (tests build one each)
    return rules


_EARLIER = aliased(ApprovalStep)
#: A step waits for its user: undecided, of the running round and, in a sequential route, no earlier step of the same
#: document's round undecided. The same for every user, built once (with a new alias per page it was a third of the
#: counter's Python).
_STEP_WAITS = and_(
    ApprovalStep.document_id == Document.id, ApprovalStep.decision.is_(None),
    ApprovalStep.round == Document.approval_round,
    or_(_PARALLEL, ~exists().where(
        _EARLIER.document_id == ApprovalStep.document_id, _EARLIER.round == ApprovalStep.round,
        _EARLIER.decision.is_(None), _EARLIER.position < ApprovalStep.position)))


def _my_turn(user: User):
    """The user's step of the running round waits for her (`_STEP_WAITS`), among the documents of her own undecided
    steps (an IN through ix_approval_step_user_id): with the EXISTS alone, SQLite probed the steps of every
    document not yet published (4,000 at 1M: 1.2 ms on every page)."""
    own = select(ApprovalStep.document_id).where(ApprovalStep.user_id == user.id, ApprovalStep.decision.is_(None))
    return and_(_rules().route_running, Document.id.in_(own),
                exists().where(ApprovalStep.user_id == user.id, _STEP_WAITS))


def _fills(user: User, role: str, scope):
    """The SQL twin of policy.fills_role for the roles a task transition names (the route's turn is `approve`);
    `scope` is a callable giving scope_ids(user), asked only when a role needs it."""
    if role == "author":
        return Document.author_id == user.id
    if role == "current_approver" or not user.has_role(role):
        return false()
    return scope_clause(user, Document.issuing_body_id, scope())


def _waiting_for(user: User, task: str, scope):
    """Documents in a state from which a transition marked `task` leads, that the user may fire: only the
    transitions one of whose roles she fills (an arm «AND 0 = 1» was still read by SQLite, through its own index)."""
    conditions = []
    for in_state, roles in _rules().tasks.get(task, ()):
        fills = [condition for condition in (_fills(user, role, scope) for role in roles)
                 if not isinstance(condition, False_)]
        if fills:
            conditions.append(and_(in_state, or_(*fills)))
    return or_(*conditions) if conditions else false()


def _to_execute(user: User):
    """Open assignments of the bodies the user belongs to, lead or co-executor, a periodic series left out (its
    dated occurrences are what is executed). Only their own bodies: the policy lets a member of a higher body act
    on its sub-bodies' assignments too (they are on «Поручения»), but they wait for the sub-bodies' own members;
    counting them would put the whole organisation in the inbox of everyone at the top (and cost a scan of every
    assignment). A union whose halves each carry the whole condition, so each reads its own index for just the
    open assignments (the lead half: body + status + deadline): with the status tested outside it, PostgreSQL
    joined every open assignment of the organisation to the body's ids."""
    return Assignment.id.in_(union(*_executing(user)))


def _executing(user: User) -> list[Select]:
    """The two halves of `_to_execute`'s union: the ids of the open assignments her bodies lead, and of those they
    co-execute."""
    ids = select(Membership.body_id).where(Membership.user_id == user.id).scalar_subquery()  # user.bodies, in SQL
    return [select(Assignment.id).where(Assignment.lead_body_id.in_(ids), _TO_EXECUTE),
            select(assignment_coexecutor.c.assignment_id)
            .join(Assignment, Assignment.id == assignment_coexecutor.c.assignment_id)
            .where(assignment_coexecutor.c.body_id.in_(ids), _TO_EXECUTE)]


def _conditions(user: User) -> dict[str, object]:
    """What makes an item wait for this one user, per group (each group's statement selects its ENTITY). The
    user's readable documents and scope are worked out once for all the groups."""
    readable = readable_documents(user)
    scope = cache(partial(scope_ids, user))  # asked only if a task's role needs it, then once

    def document(condition):
        return and_(Document.parent_id.is_(None), readable, condition)

    return {
        "approve": document(_my_turn(user)),
        "sign": document(_waiting_for(user, "sign", scope)),
        "review": document(_waiting_for(user, "review", scope)),
        "execute": _to_execute(user),
        "reports": and_(Assignment.controller_id == user.id, _REPORTED),
        # the few pending requests first (SQLite read each of a controller's 2,500 assignments at 1M: 4 ms a page)
        "extensions": and_(_PENDING, *unindexed(Assignment.controller_id == user.id, visible_assignments(user))),
        # the user's own acknowledgments first (an IN, not a correlated EXISTS: SQLite tested every document)
        "acknowledge": document(and_(_PUBLISHED, Document.id.in_(select(Acknowledgment.document_id).where(
            Acknowledgment.user_id == user.id, Acknowledgment.acknowledged_at.is_(None))))),
    }


ENTITY = {"approve": Document, "sign": Document, "review": Document, "execute": Assignment, "reports": Assignment,
          "extensions": DeadlineChange, "acknowledge": Document}
PERSONAL = {"acknowledge"}  #: groups a deputy does not take over: reading a document is the person's own


def _select(key: str, columns=None) -> Select:
    entity = ENTITY[key]
    query = select(*(columns or [entity])).select_from(entity)
    if entity is DeadlineChange:
        query = query.join(Assignment, DeadlineChange.assignment_id == Assignment.id)
    return query


def _waiting(user: User) -> dict[str, object]:
    """Per group, what makes an item wait for the user. A deputy's groups hold her own items and those of every
    colleague she stands in for today (policy.acting_for): the conditions joined by OR."""
    conditions = [_conditions(person) for person in acting_for(user)]
    return {key: conditions[0][key] if key in PERSONAL or len(conditions) == 1 else or_(*(c[key] for c in conditions))
            for key in ENTITY}


def _queries(user: User) -> dict[str, Select]:
    """One statement per group, unordered."""
    return {key: _select(key).where(condition) for key, condition in _waiting(user).items()}


def _whose(user: User, key: str, ids: list[int]) -> dict[int, User]:
    """Of the items shown to a deputy, those that wait for a colleague she stands in for and not for herself."""
    people = acting_for(user)
    if len(people) == 1 or key in PERSONAL or not ids:
        return {}
    id_column = ENTITY[key].id
    found: dict[int, User] = {}
    for person in people[1:]:
        condition = _conditions(person)[key]
        for item_id in db.session.scalars(_select(key, [id_column]).where(id_column.in_(ids), condition)):
            found.setdefault(item_id, person)
    own = set(db.session.scalars(_select(key, [id_column]).where(id_column.in_(ids), _conditions(user)[key])))
    return {item_id: person for item_id, person in found.items() if item_id not in own}


ORDER = {
    "approve": (Document.updated_at.desc(), Document.id.desc()),
    "sign": (Document.updated_at.desc(), Document.id.desc()),
    "review": (Document.updated_at.desc(), Document.id.desc()),
    "execute": (Assignment.deadline.asc().nulls_last(), Assignment.id),
    "reports": (Assignment.deadline.asc().nulls_last(), Assignment.id),
    "extensions": (DeadlineChange.requested_at, DeadlineChange.id),
    "acknowledge": (Document.reg_date.desc().nulls_last(), Document.id.desc()),
}


# --- the answers ------------------------------------------------------------------------------------------------


def inbox(user: User, shown: int = SHOWN, counted: dict[str, int] | None = None) -> list[Group]:
    """Every group with its total and its first `shown` items (one query each). With `counted` (each group's count,
    as the menu's statement asks them: `counts`), a group counted empty is not asked: most users wait on one or two
    of the seven groups, and each query is a round trip and a plan."""
    groups = []
    queries = _queries(user)
    for key, title in GROUPS:
        if counted is not None and not counted[key]:
            groups.append(Group(key, title))
            continue
        entity = ENTITY[key]
        rows = db.session.execute(_first(queries[key], entity, ORDER[key], shown)).all()
        items = [row[0] for row in rows]
        groups.append(Group(key, title, rows[0].total if rows else 0, items,
                            _whose(user, key, [item.id for item in items])))
    return groups


def _first(query: Select, entity, order: tuple, shown: int) -> Select:
    """The first `shown` items of a group in its order, with what the page shows of them and the group's total.
    The ids and the total are taken first (a subquery of keys only) and only those rows are joined to their
    documents, points and bodies: joined before the LIMIT, every waiting item of a busy body was (558 open
    assignments of a school: 28 ms of 28)."""
    first = (query.with_only_columns(entity.id, func.count().over().label("total"))
             .order_by(*order).limit(shown).subquery())
    return (select(entity, first.c.total).join(first, entity.id == first.c.id).order_by(*order)
            .options(*_loads(entity)))


def _loads(entity) -> list:
    """What the page shows of each item, joined into the group's one query."""
    if entity is Assignment:
        return [joinedload(Assignment.document), joinedload(Assignment.lead_body), joinedload(Assignment.point)]
    if entity is DeadlineChange:
        return [joinedload(DeadlineChange.assignment).joinedload(Assignment.document)]
    return []


def counts(user: User) -> list:
    """A count per group of what waits for the user, as scalar subqueries (the menu's counter is their sum), each
    over its entity's rows alone (not a subquery of every column, which made the statement four times as long to
    build, key and plan)."""
    return [_executing_count(user) if key == "execute" else
            _select(key, [func.count()]).where(condition).scalar_subquery()
            for key, condition in _waiting(user).items()]


def _executing_count(user: User):
    """«Исполнить»'s count: the rows of the union of each person's halves (`_executing`; a deputy's with her
    principals'), counted as they are — not each looked up again by its id, as the group's condition (`id IN
    (the union)`) would read them (the school's executor at 1M, 553 open assignments on every page: 1.7 -> 0.5 ms
    on PostgreSQL, 1.4 -> 0.7 ms on SQLite)."""
    halves = [half for person in acting_for(user) for half in _executing(person)]
    return select(func.count()).select_from(union(*halves).subquery()).scalar_subquery()


def total(user: User) -> int:
    """How many things wait for the user in all, in one statement (the menu asks it with its other figures:
    services/menu.py)."""
    return sum(db.session.execute(select(*counts(user))).one())
