"""Assignment control: who may see and act, the lifecycle verbs, extensions, and overdue (derived, never stored)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    and_,
    bindparam,
    case,
    false,
    func,
    null,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import aliased, joinedload, selectinload

from webapp import clock
from webapp.extensions import db
from webapp.models import (
    Assignment,
    AssignmentStatus,
    Body,
    ChangeStatus,
    DeadlineChange,
    DeadlineKind,
    Document,
    Point,
    Report,
    ReportDecision,
    ReportFile,
    User,
)
from webapp.models.assignment import OPEN_STATUSES, assignment_coexecutor
from webapp.services import notifications, occurrences, paging
from webapp.services.audit import record_event
from webapp.services.bodies import check_assignable
from webapp.services.documents import in_register_date_order
from webapp.services.errors import Conflict, Invalid
from webapp.services.files import check_uploads, store_bytes
from webapp.services.planner import unindexed, unordered, written
from webapp.services.policy import (
    ASSIGNMENT_BRANCHES,
    EVERY_BODY_BRANCHES,
    SERIES_MESSAGE,
    assignment_reach,
    coexecuted_apart,
    ensure,
    pending_change,
    reach_values,
    responsible_branches,
    visible_assignments,
)
from webapp.services.users import find_named_user

DATED_KINDS = (DeadlineKind.by, DeadlineKind.period)  # a start date («с 1 сентября») or a duty is never overdue


def _readable(user: User):
    """Assignments the user may read (policy.read_assignment as a query), in force, joined to their documents."""
    return (select(Assignment).join(Document)
            .where(Assignment.status != AssignmentStatus.draft, visible_assignments(user)))


def visible_query(user: User):
    """Assignments the user may read, in force, with what the API's lists show."""
    return _readable(user).options(selectinload(Assignment.point), selectinload(Assignment.lead_body),
                                   selectinload(Assignment.coexecutors), selectinload(Assignment.controller),
                                   selectinload(Assignment.document))


@dataclass(slots=True)
class ListedDocument:
    """A row's document as «Поручения» prints it: the model's own label from plain values."""

    id: int
    doc_type: str
    number: str | None
    reg_date: date | None
    event_date: date | None
    type_title = Document.type_title
    doc_date = Document.doc_date
    label = Document.label


@dataclass(slots=True)
class ListedBody:
    name: str
    short_name: str | None
    display_name = vars(Body)["display_name"]  # the hybrid itself (Body.display_name is its SQL)


@dataclass(slots=True)
class ListedAssignment:
    """One row of «Поручения» in plain values, under the model's names (what the page, is_overdue and the cursor
    read). As models with their documents, points and bodies a page of 50 was about 140 objects with their ORM
    state, each unloaded column of a partly loaded one given a loader of its own (1,600 a page): 6.5 ms of CPU
    of a school's page at 1M, against about 1.5 ms for these."""

    id: int
    document_id: int
    action: str
    deadline: date | None
    start_date: date | None
    deadline_text: str | None
    deadline_kind: str
    status: str
    point_number: str | None
    document: ListedDocument
    lead_body: ListedBody | None
    coexecutors: list[ListedBody] = field(default_factory=list)
    status_title = Assignment.status_title
    kind_title = Assignment.kind_title


_POINT, _LEAD = aliased(Point), aliased(Body)  # aliased: the «body» order's subquery names Body itself
#: What «Поручения» prints of each row and no more, in the page's own statement (its document, point and lead body
#: joined), read as plain values (_listed)
_LISTED_COLUMNS = (Assignment.id, Assignment.document_id, Assignment.action, Assignment.deadline,
                   Assignment.start_date, Assignment.deadline_text, Assignment.deadline_kind, Assignment.status,
                   _POINT.number, Document.doc_type, Document.number, Document.reg_date, Document.event_date,
                   _LEAD.name, _LEAD.short_name)
#: The co-executors of a page's rows, in one statement (the relationship's own order: none)
_COEXECUTORS = (select(assignment_coexecutor.c.assignment_id, Body.name, Body.short_name)
                .join(Body, Body.id == assignment_coexecutor.c.body_id)
                .where(assignment_coexecutor.c.assignment_id.in_(bindparam("ids", expanding=True))))


def _listed(rows) -> list[ListedAssignment]:
    """The page's rows (_LISTED_COLUMNS and the sort key) as ListedAssignment, with their co-executors."""
    listed = [ListedAssignment(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                               ListedDocument(row[1], row[9], row[10], row[11], row[12]),
                               None if row[13] is None else ListedBody(row[13], row[14])) for row in rows]
    if listed:
        by_id = {row.id: row for row in listed}
        for assignment_id, name, short_name in db.session.execute(_COEXECUTORS, {"ids": list(by_id)}):
            by_id[assignment_id].coexecutors.append(ListedBody(name, short_name))
    return listed


PAGE_SIZES = paging.PAGE_SIZES
OPEN = "open"  #: the list's status filter for every open status (new, in work, reported, returned): its default
ALL = "all"  #: the list's status filter for every status
SORTS = {"deadline": "по сроку", "newest": "сначала новые"}  #: the named orders of the «Порядок» choice
COLUMN_SORTS = {  #: the list's columns a reader sorts by (clicking the header), each in its natural direction
    "deadline": paging.Sort(Assignment.deadline, "date"),
    "status": paging.Sort(case({status.value: i for i, status in enumerate(AssignmentStatus)},
                               value=Assignment.status, else_=len(AssignmentStatus)), "int"),
    "body": paging.Sort(select(Body.sort_key).where(Body.id == Assignment.lead_body_id).scalar_subquery(), "str"),
    "date": paging.Sort(func.coalesce(Document.reg_date, Document.event_date), "date"),
    "newest": paging.Sort(Assignment.id, "int", descending=True),
}
ListPage = paging.Page
#: «date» (COLUMN_SORTS) as the parts of a user's page read it: each of her rows' own copy of its document's date
#: (migration 0044). Joined, PostgreSQL walked every document of the organisation in date order to find a school's
#: few rows (its 22 open ones: 0.5-0.9 s at 1M); her rows are read through her branches' indexes and sorted, and
#: the date on the row spares a look-up of the document per row (a department's 8,417 done rows: 28 of 48 ms).
#: No index has it: each branch's rows are read through the branch's own index and sorted by it as one part
#: (planner.unordered) — as a column, paging read the dated and the undated rows of each branch apart (each branch
#: twice), and SQLite walked the (status, id) index for the undated ones of a controller's «Исполнено» (830,000
#: rows at 1M, 1 s).
_DATE_ON_ROW = paging.Sort(Assignment.doc_sort_date, "date")


def status_filter(asked: str | None, default: str = OPEN) -> str:
    """The list's status filter as asked (None: not asked, the `default`): OPEN, one status, or "" for every status
    — ALL, an empty choice (links made before «Открытые» became the default) and an unknown value alike."""
    asked = default if asked is None else asked
    return asked if asked == OPEN or asked in AssignmentStatus.__members__ else ""


def list_page(user: User, *, status: str | None = None, scope: str | None = None, overdue_on: date | None = None,
              sort: str = "deadline", after: str | None = None, size: int = 50, within=None) -> ListPage:
    """One page of the assignment list, every filter in SQL: status, the user's own («mine»: their bodies as lead
    or co-executor; «control»: theirs to check), only overdue on a day, only the rows a condition holds (`within`:
    a dashboard figure's, `dashboard.Snapshot.holds`)."""
    statement, values = list_statement(user, status=status, scope=scope, overdue_on=overdue_on, sort=sort,
                                       after=after, size=size, within=within)
    return paging.page_of(statement, size, values, _listed)


def list_statement(user: User, *, status: str | None = None, scope: str | None = None,
                   overdue_on: date | None = None, sort: str = "deadline", after: str | None = None, size: int = 50,
                   within=None):
    """list_page's statement and the values of its parameters. The statement is the same for every user and page
    of a kind (which of policy.ASSIGNMENT_BRANCHES she reads through, the filters asked, the order, what the cursor
    holds, the page size), her bodies, her id, the cursor and the day given as parameters, so it is built once per
    process (_prepared_list): building the 13 subqueries below, and SQLAlchemy's cache key of them, cost about 5 ms
    of CPU on every page. A dashboard figure's rows (`within`) are a condition of their own: built each time."""
    reach = assignment_reach(user)
    scope = scope if scope in ("mine", "control") else None
    every = _every_body_ways(user, reach, scope)
    if every is not None:  # read as every assignment is, less those of no body she may not read (_every_body_ways)
        reach, scope, names, values = None, None, None, {"reach_user_id": user.id} if "control" in every else {}
    else:
        names, values = reach if reach is not None else (None, reach_values(user) if scope else {})
    sort, order = paging.choose(COLUMN_SORTS, sort, "deadline")
    cursor, after_values = paging.cursor_of(after, order)
    values = {**values, **after_values}
    if overdue_on is not None:
        values["overdue_on"] = overdue_on
    shape = (names, scope, status_filter(status, ALL) or None,
             overdue_on is not None, sort, cursor, paging.page_size(size),
             _bodies_walk(len(values.get("reach_body_ids", ()))),
             _status_from(after_values) if sort.removeprefix("-") == "status" and reach is None else None, every)
    if within is not None:
        return _list_statement(*shape, within=within), values
    return _prepared_list(*shape), values


@functools.lru_cache(maxsize=64)
def _prepared_list(*shape):
    """A kind of page's statement, kept: about 2,500 objects each (the garbage collector's full passes walk them),
    so the kinds in use (the first page and the next of the common filters) are kept and the rare ones rebuilt."""
    return _list_statement(*shape)


def _every_body_ways(user: User, reach, scope: str | None) -> tuple[str, ...] | None:
    """For a user whose reach is every body (User.reaches_every_body: a ministry's staff), which of
    EVERY_BODY_BRANCHES hold the rows she asks for: her own («mine»: a lead body or a co-executor at all), or all she
    may read (and those she controls); None: another user, or a page that names no body (an overseer's every
    assignment, «На моём контроле»). Her bodies are every body: as ASSIGNMENT_BRANCHES' values, 5,000 ids written
    into the statement twice, which made PostgreSQL's planning and the driver's work most of a page (the list
    100-530 ms at 1,000,000 assignments); read as every assignment is, her rows are nearly all of them."""
    if scope == "control" or (reach is None and scope is None) or not user.reaches_every_body():
        return None
    return ("lead", "coexecutor") if scope == "mine" or reach is None else reach[0]


def _list_statement(names: tuple[str, ...] | None, scope: str | None, status: str | None, overdue: bool, sort: str,
                    cursor: str | None, size: int, several_bodies: str | None, status_from: int | None = None,
                    every: tuple[str, ...] | None = None, within=None):
    """list_statement's statement for a kind of user and page.

    Whose rows a user sees is an OR (lead body, co-executor, controller; «mine» the first two) that no index serves
    in the page's order: PostgreSQL walks the deadline index and drops the other bodies' rows, few for a department
    (its bodies' rows are dense) but 9,400 for a school's first page at 1M. In deadline order (the default, either
    way) for a user of one body (a school) or none (a controller), and for «На моём контроле», the page's rows are
    found one branch at a time — the lead body's and the controller's one status at a time, each a range of the
    body + status + deadline or controller + status + deadline index; the co-executor's at once (no index orders
    them: their few rows are read and sorted once, not once per status) — and merged (paging.prepared_keyset).
    The branches read assignments alone (every assignment has its document: joining it changes no row). Other
    orders have no such index: a branch with few rows would walk the order's own index to its end (an empty status
    read every id backwards for «сначала новые»). In deadline order a user of several bodies (a department) has,
    on PostgreSQL, each of her bodies' rows read apart, one status at a time, by LATERAL (_each_body: up to
    EACH_BODY_AT_MOST bodies; walked by the OR, a department's later pages read every row before the cursor,
    380-540 ms at 1M). So in other orders, and for a user of several bodies otherwise, the page's ids and sort
    keys are found first by one OR of the branches — the lead body's and the controller's each carrying the
    statuses asked, which SQLite, planning each arm of an OR alone, needs to read their indexes — and only those
    rows are joined to their documents, points and bodies; «сначала новые» of one body reads each branch apart
    instead, its rows sorted (the OR walked the primary key backwards for a school's few rows), and so are a
    department's open rows on SQLite (planner.unordered). By the document's date each branch is read apart, each
    row's date its own copy (_DATE_ON_ROW): no branch can walk an index of it; every assignment (an
    overseer's) is read walking the documents in date order (_by_document_date).

    By the lead body or by status (GROUPED_SORTS) the order is one of groups — a body's rows, a status's rows — each
    in id order, and the groups in an order known before any assignment is read (the bodies' names, the statuses'
    ranks): so the rows are read group after group in the page's order, each group's rows by id from an index,
    until the page has its rows (_by_body, _by_status), instead of sorting every row the user may read (at 1M the
    auditor's page sorted 980,000 rows: 1-4.5 s). A user who does not oversee everything has each of her branches
    read so (the lead body's; the co-executor's and the controller's rows, which no body's walk finds, are read and
    sorted once)."""
    conditions = [Assignment.status != AssignmentStatus.draft]
    statuses = [s for s in AssignmentStatus if s != AssignmentStatus.draft]
    if within is not None:
        conditions.append(within)
    if every is not None:  # tested on the rows read (no index of it to SQLite: nearly every row holds it)
        conditions += unindexed(or_(*(EVERY_BODY_BRANCHES[name] for name in every)))
    late = None  # only overdue: the day's bound
    narrowed = []  # «Открытые»: a page read one status at a time (below) needs no IN of them, which SQLite's planner
    if status == OPEN:  # took for the page's index and sorted every open row (0.8 s for the auditor at 1M)
        narrowed.append(Assignment.status.in_(OPEN_STATUSES))
        statuses = [s for s in statuses if s in OPEN_STATUSES]
    elif status is not None:
        conditions.append(Assignment.status == status)
        statuses = [s for s in statuses if s == status]
    if overdue:
        if status != OPEN:
            narrowed.append(Assignment.status.in_(OPEN_STATUSES))
        late = Assignment.deadline < bindparam("overdue_on", type_=Assignment.deadline.type)
        conditions += [late, Assignment.deadline_kind.in_(DATED_KINDS)]
        statuses = [s for s in statuses if s in OPEN_STATUSES]
    query = (select(*_LISTED_COLUMNS).select_from(Assignment).join(Document)
             .outerjoin(_POINT, _POINT.id == Assignment.point_id).outerjoin(_LEAD, _LEAD.id == Assignment.lead_body_id)
             .where(*conditions, *unindexed(*narrowed)))  # SQLite: never the index of the page's rows
    order = paging.choose(COLUMN_SORTS, sort, "deadline")[1]
    prepared = functools.partial(paging.prepared_keyset, sort=order, id_column=Assignment.id, cursor=cursor,
                                 size=size)
    grouped = sort.removeprefix("-") in GROUPED_SORTS and within is None
    if names is None and scope is None:
        if grouped:
            return prepared(query, parts=functools.partial(_grouped, sort, [*conditions, *narrowed], {"all": true()},
                                                           statuses, status_from, size))
        if narrowed and order.key is Assignment.deadline:  # each open status a range of its index, merged
            return prepared(query, branches=[_status_is(s) for s in statuses],
                            rows=select(Assignment).where(*conditions))
        if order.key is Assignment.deadline and cursor != "null" and (cursor or order.descending):
            # after a dated row a range of the deadline's index, newest first the index backwards (_ranged_firsts)
            return prepared(query, branches=[true()], rows=select(Assignment).where(*conditions))
        if sort.removeprefix("-") == "date":
            return prepared(query, parts=functools.partial(_by_document_date, [*conditions, *narrowed], order, size))
        return prepared(query)
    branches = {name: ASSIGNMENT_BRANCHES[name] for name in names or ASSIGNMENT_BRANCHES}
    if scope is not None:  # her own: ways she reads an assignment, so no test of what she may read besides them (as
        # one more OR of her ways on the page's rows PostgreSQL read every open row of the organisation: 200-370 ms)
        wanted = ("lead", "coexecutor") if scope == "mine" else ("control",)
        branches = {name: branch for name, branch in branches.items() if name in wanted}
    ored = branches  # the branches inside one OR; read each alone, the co-executor's as coexecuted_apart reads it
    branches = {name: coexecuted_apart() if name == "coexecutor" else branch for name, branch in ored.items()}
    if grouped:
        return prepared(query, parts=functools.partial(_grouped, sort, [*conditions, *narrowed], branches, statuses,
                                                       status_from, size))
    if order.key is Assignment.deadline and scope != "control" and several_bodies == EACH_BODY:
        return prepared(query, parts=functools.partial(_each_body, conditions, narrowed, branches, statuses, order,
                                                       size))
    if order.key is not Assignment.deadline or (scope != "control" and several_bodies):
        # the statuses asked inside the lead body's and the controller's arms too: SQLite plans each arm of an OR
        # on its own, and read every row of a department's 51 bodies (its body + status + deadline index unused)
        asked = [Assignment.status.in_(OPEN_STATUSES)] if status == OPEN or overdue \
            else [Assignment.status == status] if status is not None else []
        def armed(ways: dict) -> list:
            return [branch if name == "coexecutor" else and_(branch, *asked) for name, branch in ways.items()]
        arms, ored_arms = armed(branches), armed(ored)  # each read alone / inside one OR
        if not arms:
            return prepared(query.where(false()))
        # the page's ids and sort keys first, of the assignments alone, and only those rows joined to their
        # documents, points and bodies: joined before the sort, each of a department's 10,000 rows was (SQLite:
        # «Все статусы» 208 -> 64 ms at 1M on a loaded machine)
        # only overdue in deadline order, the day's bound too is no index's to SQLite: beside the cursor's it made
        # (status, deadline) look the cheaper range, and a department's later page newest first read every
        # overdue row of the organisation before the cursor (215-420 ms at 1M; 9-13 ms by her bodies' index)
        apart = [late] if overdue and order.key is Assignment.deadline else []
        rows = select(Assignment).where(*(c for c in conditions if c is not late or not apart),
                                        *unindexed(*narrowed, *apart))
        if sort.removeprefix("-") == "date":  # each branch apart, each row sorted by its copy of the document's date
            return prepared(query, branches=arms, rows=rows,
                            rows_sort=unordered(_DATE_ON_ROW.reversed() if order.descending else _DATE_ON_ROW))
        if order.key is Assignment.id and not several_bodies:
            # «сначала новые» of one body: each way she reads them apart, through its own index, and sorted. As
            # one OR PostgreSQL walked the primary key backwards for the few open rows of a school: at 1M 999,978
            # rows dropped for 22 (250-280 ms); and so each way did for the done ones of a school (55-60 ms;
            # SQLite 58-87) — by an id the key cannot give, her rows are read and sorted (about 20 ms less)
            return prepared(query, branches=arms, rows=rows, rows_sort=unordered(order))
        if order.key is Assignment.id and narrowed and db.engine.dialect.name == "sqlite":
            # SQLite, a department's open rows newest first after a cursor: the primary key from the cursor
            # dropped the other bodies' rows to the end (170-180 ms at 1M); her open rows sorted, 6 ms. (Her
            # closed rows, many more, are found soon by the walk; PostgreSQL walks well either way.)
            return prepared(query, branches=[or_(*ored_arms)], rows=rows, rows_sort=unordered(order))
        # (SQLite, given a range of the deadline beside the OR, reads the deadline's index from it for every body
        # of the organisation: a department's second page 9 -> 388 ms at 1M; so not read in ranges there)
        return prepared(query, branches=[or_(*ored_arms)], rows=rows, ranged=db.engine.dialect.name != "sqlite")
    split = [and_(branch, _status_is(s)) for name, branch in branches.items() if name != "coexecutor"
             for s in statuses]
    if "coexecutor" in branches and statuses:  # her few co-executed rows, sparse in the order: read and sorted
        split.append(paging.Sorted(and_(branches["coexecutor"], *narrowed), unordered(order)))
    # the page's conditions no index's to SQLite: each branch but the co-executor's carries its status indexed,
    # and the co-executor's rows are found from her body's (a school's done ones after a cursor read every done
    # row of the organisation after it through (status, deadline): 50-54 -> 6-7 ms at 1M)
    return prepared(query, branches=split, rows=select(Assignment).where(*unindexed(*conditions)))


def _by_document_date(conditions: list, order: paging.Sort, size: int, position: tuple | None) -> list:
    """The parts of a page of every assignment by its document's date (documents.in_register_date_order): the
    documents walked in date order through the register's index, either way, each one's assignments by its key,
    then the assignments of undated documents. As one order «ASC NULLS LAST» is no index's: PostgreSQL sorted
    every document (oldest first 50-60 ms at 1M); and SQLite, the status asked an index to it, read and sorted
    every assignment of it (830,000 «Исполнено»: 0.56-1.9 s). The assignments' conditions are no index's to
    SQLite: the documents' walk finds the page's rows."""
    rows = select(Assignment).join(Document, Document.id == Assignment.document_id).where(*unindexed(*conditions))
    return in_register_date_order(rows, Assignment.id, order.descending, position, size)


#: list_statement's ways to read the rows of a user of several bodies in deadline order: each body's rows apart
#: (EACH_BODY, PostgreSQL, at most EACH_BODY_AT_MOST bodies) or all of them by one OR of the branches (OR_WALK)
EACH_BODY, OR_WALK = "each", "or"
#: Above this many bodies the OR's walk of the deadline index meets the user's rows often enough to be the cheaper
#: way (at 1M a department of 51 bodies: 5-6 ms each body apart against 15 ms walked; 200 probes of 25 µs each)
EACH_BODY_AT_MOST = 64


def _bodies_walk(bodies: int) -> str | None:
    """How list_statement reads the rows of a user of `bodies` bodies (None: one body, or none)."""
    if bodies <= 1:
        return None
    return EACH_BODY if bodies <= EACH_BODY_AT_MOST and db.engine.dialect.name == "postgresql" else OR_WALK


def _each_body(conditions: list, narrowed: list, branches: dict, statuses: list, order: paging.Sort, size: int,
               position: tuple | None) -> list:
    """The parts of a deadline-ordered page of a user of several bodies on PostgreSQL (paging.merged puts them
    together): for each status, each of her bodies' first rows after the cursor, a range of the body + status +
    deadline index read for every body by LATERAL; the controller's rows one status at a time; the co-executor's at
    once. One OR of the branches made PostgreSQL walk the deadline index for every body of the organisation and drop
    the others' rows: 38,283 rows for a department's first page of 51 at 1M (15 ms)."""
    rows = select(Assignment).where(*conditions)
    parts = []
    for name, branch in branches.items():
        if name == "lead":
            reach = select(Body.id).where(Body.id.in_(bindparam("reach_body_ids", expanding=True))).subquery("reach")
            for status in statuses:
                firsts = paging.first_rows(rows.where(Assignment.lead_body_id == reach.c.id, _status_is(status)),
                                           order, Assignment.id, position, size).lateral(f"lead_{status.value}")
                parts.append(select(firsts.c.id, firsts.c.key).select_from(reach).join(firsts, true()))
        elif name == "control":
            parts += [paging.first_rows(rows.where(branch, _status_is(status)), order, Assignment.id, position, size)
                      for status in statuses]
        elif name == "coexecutor" and statuses:  # their few rows by key (coexecuted_apart), sorted once
            parts.append(paging.first_rows(rows.where(branch, *narrowed), unordered(order), Assignment.id, position,
                                           size))
    return parts


#: The orders by a group of rows (GROUPED_SORTS[name]: the lead body's, the status's), read group after group
GROUPED_SORTS = ("body", "status")
#: A status's place in the «status» order (COLUMN_SORTS' CASE), by status
_STATUS_RANKS = {status: rank for rank, status in enumerate(AssignmentStatus)}


def _status_from(after_values: dict) -> int | None:
    """The rank of the status the page's cursor stopped at (None: the first page), kept within -1..len + 1: the
    statement leaves out the statuses before it, so its kind of page has one statement per rank (a made-up rank
    finds what the CASE's finds: every status, or none)."""
    rank = after_values.get(paging.AFTER_KEY)
    return None if rank is None else max(-1, min(rank, len(AssignmentStatus) + 1))


def _grouped(sort: str, conditions: list, branches: dict, statuses: list, status_from: int | None, size: int,
             position: tuple | None) -> list:
    """The parts of a page by the lead body or by status (paging.merged puts them together). Every assignment
    (`branches` {"all": true()}, an overseer's) is read group after group; of a user's own branches (the ways she
    reads an assignment) her bodies' are walked in name order by the lead body, and otherwise each branch's rows
    are read through its own index and sorted (a department's 10,000 at most, a controller's 2,500 at 1M)."""
    order = paging.choose(COLUMN_SORTS, sort, "deadline")[1]
    by_body = sort.removeprefix("-") == "body"
    parts = []
    for name, branch in branches.items():
        if name == "all":
            parts += _by_body(conditions, None, order.descending, position, size) if by_body \
                else _by_status(conditions, order.descending, statuses, status_from, position, size)
        elif name == "lead" and by_body:
            parts += _by_body(conditions, Body.id.in_(bindparam("reach_body_ids", expanding=True)),
                              order.descending, position, size)
        else:
            parts.append(paging.first_rows(select(Assignment).where(*unindexed(and_(*conditions)), branch), order,
                                           Assignment.id, position, size))
    return parts


def _by_body(where: list, bodies, descending: bool, position: tuple | None, size: int) -> list:
    """The first size + 1 rows after `position` of those `where` selects (of `bodies`, a WHERE clause on Body, or
    of all), by the lead body's name and then id (parts of the «body» order, as (id, key)): the bodies walked in
    name order through their unique name's index, each body's rows read by id through the lead body's index
    (SQLite's holds them in rowid order, so no sort; PostgreSQL sorts one body's rows at a time, Incremental Sort)
    until there are enough; then, NULLs last, the rows without a lead body (when `bodies` is None) by id."""
    limit = paging.page_size(size) + 1
    identity = Assignment.id.desc() if descending else Assignment.id.asc()
    parts = []
    if position is None or position[0] is not None:
        # SQLite took the index of a status asked (or of a body) and sorted all of its rows (180 ms for «Новое»
        # at 1M, against 2 ms walking): the assignments' conditions and the bodies' as terms it takes no index of,
        # so the walk is its only plan, and the bodies are chosen before their rows are read
        terms = unindexed(and_(*where)) if bodies is None else unindexed(and_(*where), bodies)
        key = Body.sort_key  # the name, numbers by value (the directory's order; ix_body_sort_key)
        named = (select(Assignment.id.label("id"), key.label("key"))
                 .join_from(Assignment, Body, Body.id == Assignment.lead_body_id).where(*terms))
        if position is not None:
            name, after = position
            named = named.where(key <= name, or_(key < name, Assignment.id < after)) if descending \
                else named.where(key >= name, or_(key > name, Assignment.id > after))
        parts.append(named.order_by(key.desc() if descending else key.asc(), identity).limit(limit))
    if bodies is None:
        rows = (select(Assignment.id.label("id"), null().label("key"))
                .where(*where, Assignment.lead_body_id.is_(None)))
        if position is not None and position[0] is None:
            rows = rows.where(Assignment.id < position[1] if descending else Assignment.id > position[1])
        parts.append(rows.order_by(identity).limit(limit))
    return parts


def _by_status(where: list, descending: bool, statuses: list, status_from: int | None, position: tuple | None,
               size: int) -> list:
    """The first size + 1 rows after `position` of those `where` selects (of every assignment), by status rank and
    then id (parts of the «status» order, as (id, key)): each status's rows by id, a range of ix_assignment_status_id
    (migration 0038), the statuses before the cursor's (`status_from`) left out (paging.ranked)."""
    return paging.ranked([(_STATUS_RANKS[status], status) for status in statuses],
                         lambda status: select(Assignment.id).where(*where, _status_is(status)), Assignment.id,
                         descending=descending, from_rank=status_from, position=position, size=size)


def _status_is(status: AssignmentStatus):
    """`status = 'new'` with the name written into the statement (a code's constant, not a user's value): with a
    parameter PostgreSQL's generic plan knows no status, and the statement would carry one more parameter each."""
    return Assignment.status == written(status, Assignment.status.type)


def default_controller(document: Document) -> User | None:
    """Who controls a document's assignments: the person its control clause names («Контроль ... возложить на
    ... Суртаеву А.М.»), else its first signatory with an account (linked, or found by name)."""
    named = find_named_user(document.controller_text)
    if named is not None:
        return named
    for signatory in document.signatories:
        user = signatory.user or find_named_user(signatory.name)
        if user is not None:
            return user
    return None


# --- lifecycle ----------------------------------------------------------------------------------


def _change(user: User, assignment: Assignment, action: str, status: str, comment: str | None = None,
            **after) -> None:
    before = {"status": assignment.status, "deadline": assignment.deadline}
    assignment.status = status
    db.session.flush()
    record_event(user, f"assignment.{action}", assignment, document=assignment.document, before=before,
                 after={"status": status, "deadline": assignment.deadline, **after}, comment=comment)
    if action in TOLD:
        notifications.about_assignment(user, assignment, action, comment)


TOLD = {"report", "accept", "return", "cancel"}  #: the verbs someone else is told of (taking into work is not)


def _not_series(assignment: Assignment) -> None:
    """Acting on the series itself is a mistake of the form, not a lack of rights: said as such (400)."""
    if assignment.is_series:
        raise Invalid(SERIES_MESSAGE)


def take_into_work(user: User, assignment: Assignment) -> None:
    _not_series(assignment)
    ensure(user, "take_assignment", assignment)
    _change(user, assignment, "take", AssignmentStatus.in_work)


def submit_report(user: User, assignment: Assignment, text: str, files: list[tuple[str, bytes, str]] = ()) -> Report:
    """A report with its files; the assignment waits for the controller."""
    _not_series(assignment)
    ensure(user, "report_assignment", assignment)
    text = (text or "").strip()
    if not text:
        raise Invalid("Напишите, что сделано.")
    # Every file checked by its content before any is stored; the client's content type is not trusted.
    checked = check_uploads([(name, data) for name, data, _client_type in files])
    stored = [(name, store_bytes(data, name, content_type)) for name, data, content_type in checked]
    report = Report(assignment=assignment, author_id=user.id, text=text)
    db.session.add(report)
    for name, row in stored:
        report.files.append(ReportFile(file_id=row.id, filename=name[:255]))
    _change(user, assignment, "report", AssignmentStatus.reported, after_report=report.text[:200])
    return report


def _last_report(assignment: Assignment) -> Report:
    return assignment.reports[-1]


def accept(user: User, assignment: Assignment, comment: str | None = None, on: date | None = None) -> None:
    """The controller accepts: done, on the date of acceptance (late when after the deadline)."""
    ensure(user, "review_report", assignment)
    report = _last_report(assignment)
    report.decision, report.decided_by_id, report.decided_at = ReportDecision.accepted, user.id, clock.now()
    report.decision_comment = (comment or "").strip() or None
    assignment.completed_on = on or clock.today()
    _change(user, assignment, "accept", AssignmentStatus.done, comment=report.decision_comment,
            completed_on=assignment.completed_on)
    occurrences.close_if_complete(assignment.series)


def return_report(user: User, assignment: Assignment, comment: str) -> None:
    ensure(user, "review_report", assignment)
    comment = (comment or "").strip()
    if not comment:
        raise Invalid("Напишите, что нужно доработать.")
    report = _last_report(assignment)
    report.decision, report.decided_by_id, report.decided_at = ReportDecision.returned, user.id, clock.now()
    report.decision_comment = comment
    _change(user, assignment, "return", AssignmentStatus.returned, comment=comment)


def cancel(user: User, assignment: Assignment, reason: str) -> None:
    ensure(user, "cancel_assignment", assignment)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Укажите причину снятия с контроля.")
    assignment.cancel_reason = reason
    cancelled = occurrences.cancel_open(assignment, reason) if assignment.is_series else 0
    _change(user, assignment, "cancel", AssignmentStatus.cancelled, comment=reason,
            **({"occurrences_cancelled": cancelled} if cancelled else {}))


def request_extension(user: User, assignment: Assignment, new_date: date | None, reason: str) -> DeadlineChange:
    _not_series(assignment)
    ensure(user, "request_extension", assignment)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Укажите причину переноса срока.")
    if new_date is not None and new_date <= assignment.deadline:
        raise Invalid("Новый срок должен быть позже текущего.")
    change = DeadlineChange(assignment=assignment, requested_by_id=user.id, reason=reason, requested_date=new_date,
                            old_date=assignment.deadline)
    db.session.add(change)
    db.session.flush()
    record_event(user, "assignment.extension_request", assignment, document=assignment.document,
                 after={"requested_date": new_date}, comment=reason)
    notifications.about_assignment(user, assignment, "extension_request", reason)
    return change


def decide_extension(user: User, assignment: Assignment, approve: bool, new_date: date | None,
                     comment: str | None = None) -> DeadlineChange:
    """Approve with a new date (the old one stays in the history), or reject."""
    ensure(user, "decide_extension", assignment)
    change = pending_change(assignment)
    if change is None:
        raise Conflict("Запрос на перенос срока уже рассмотрен.")
    comment = (comment or "").strip() or None
    if approve:
        new_date = new_date or change.requested_date
        if new_date is None or new_date <= change.old_date:
            raise Invalid("Укажите новый срок позже текущего.")
        change.status, change.new_date = ChangeStatus.approved, new_date
        before = assignment.deadline
        assignment.deadline = new_date
        if assignment.original_deadline is None:
            assignment.original_deadline = before
    else:
        if not comment:
            raise Invalid("Укажите, почему в переносе отказано.")
        change.status = ChangeStatus.rejected
    change.decided_by_id, change.decided_at, change.decision_comment = user.id, clock.now(), comment
    db.session.flush()
    record_event(user, "assignment.extension_" + ("approved" if approve else "rejected"), assignment,
                 document=assignment.document, before={"deadline": change.old_date},
                 after={"deadline": assignment.deadline}, comment=comment)
    notifications.about_assignment(user, assignment, "extension_" + ("approved" if approve else "rejected"), comment)
    return change


# --- overdue ------------------------------------------------------------------------------------


def is_overdue(assignment: Assignment, as_of: date) -> bool:
    """The deadline day has ended (as_of is a later day) and the assignment is still open."""
    return (assignment.status in OPEN_STATUSES and assignment.deadline is not None
            and assignment.deadline_kind in DATED_KINDS and as_of > assignment.deadline)


def days_overdue(assignment: Assignment, as_of: date) -> int:
    return (as_of - assignment.deadline).days if is_overdue(assignment, as_of) else 0


@dataclass
class OverdueRow:
    assignment: Assignment
    days: int

    def as_dict(self) -> dict:
        a, doc = self.assignment, self.assignment.document
        doc_date = doc.doc_date
        controller = a.controller.full_name if a.controller else (a.controller_text or "")
        return {
            "assignment_id": a.id, "document_id": doc.id,
            "document_title": doc.title, "document_number": doc.number or "",
            "document_date": doc_date.isoformat() if doc_date else "",
            "document_type": doc.doc_type, "point": a.point_number or "", "action": a.action,
            "responsible": "; ".join(b.name for b in a.bodies), "controller": controller,
            "deadline": a.deadline.isoformat() if a.deadline else "",
            "original_deadline": (a.original_deadline or a.deadline).isoformat() if a.deadline else "",
            "deadline_text": a.deadline_text or "",
            "days_overdue": self.days, "status": a.status,
        }


def open_dated_query():
    """Open assignments with a deadline that can pass (the ones overdue lists and reminders look at)."""
    return (select(Assignment).join(Document)
            .where(Assignment.status.in_(OPEN_STATUSES), Assignment.deadline.is_not(None),
                   Assignment.deadline_kind.in_(DATED_KINDS))
            .options(selectinload(Assignment.point), selectinload(Assignment.lead_body),
                     selectinload(Assignment.coexecutors), selectinload(Assignment.controller)))


def in_bodies(ids: Iterable[int]):
    """A WHERE clause: one of the assignment's responsible bodies (lead or co-executor) is among `ids`."""
    return or_(*responsible_branches(list(ids)).values())


#: Most overdue first (the earliest deadline), then by document and assignment: the order of the overdue summary.
OVERDUE_ORDER = (Assignment.deadline, Assignment.document_id, Assignment.id)


def overdue_query(as_of: date, body: Body | None = None, user: User | None = None):
    """Open assignments whose deadline passed before `as_of` — of `body` and the bodies below it, those `user` may
    read (the same clause as «Поручения») — every filter in SQL, unordered."""
    query = open_dated_query().where(Assignment.deadline < as_of).options(selectinload(Assignment.document))
    if body is not None:
        query = query.where(in_bodies(body.subtree_ids()))
    if user is not None:
        query = query.where(visible_assignments(user))
    return query


def overdue_page(as_of: date, body: Body | None, user: User, after: tuple[date, int, int] | None,
                 size: int) -> tuple[list[OverdueRow], tuple[date, int, int] | None]:
    """One page of the overdue summary the user may read, in its order, after the (deadline, document id,
    assignment id) of the previous page's last row; the rows and the next page's cursor (None on the last page)."""
    query = overdue_query(as_of, body, user)
    if after is not None:
        query = query.where(tuple_(*OVERDUE_ORDER) > tuple_(*after))
    rows = list(db.session.scalars(query.order_by(*OVERDUE_ORDER).limit(size + 1)))
    last = rows[size - 1] if len(rows) > size else None
    return ([OverdueRow(a, days_overdue(a, as_of)) for a in rows[:size]],
            (last.deadline, last.document_id, last.id) if last else None)


def rollup(assignment: Assignment) -> tuple[int, int]:
    """Progress of the assignments of a point's sub-points (1.2 rolls up 1.2.1, 1.2.2 ...): (done, counted).

    Cancelled ones do not count; (0, 0) when the point has no sub-point assignments. One statement whatever the
    depth of the point's tree (its sub-points were loaded level by level, one statement per point)."""
    if assignment.point_id is None:
        return 0, 0
    done, counted = db.session.execute(rollup_query(assignment.point_id)).one()
    return done, counted


def rollup_query(point_id: int):
    """(done, counted) of the assignments of the points below a point, at any depth: the points through their
    parent's index, level by level in one recursive statement, their assignments through theirs."""
    below = select(Point.id).where(Point.parent_id == point_id).cte("below", recursive=True)
    below = below.union_all(select(Point.id).where(Point.parent_id == below.c.id))
    # A periodic sub-point counts once, as its series, not once per due date. «+ 0»: SQLite, without statistics,
    # took ix_assignment_series_id for «IS NULL» (nearly every assignment of the region) over the points' own.
    return (select(func.count().filter(Assignment.status == AssignmentStatus.done), func.count())
            .where(Assignment.point_id.in_(select(below.c.id)), (Assignment.series_id + 0).is_(None),
                   Assignment.status != AssignmentStatus.cancelled))


#: What an assignment's page shows of it: its document, point, lead body and controller in the assignment's own
#: statement, its co-executors, deadline changes (the policy's pending request, «срок переносился»), reports with
#: their authors and the reports' files in one statement each, instead of one lazy load each as the page reaches them
PAGE_LOADS = (joinedload(Assignment.document), joinedload(Assignment.point), joinedload(Assignment.lead_body),
              joinedload(Assignment.controller), selectinload(Assignment.coexecutors),
              selectinload(Assignment.deadline_changes),
              selectinload(Assignment.reports).options(joinedload(Report.author), selectinload(Report.files)))


def add_assignment(user: User, document: Document, action: str, lead_body: Body | None,
                   coexecutors: list[Body], deadline_text: str | None) -> Assignment:
    """An assignment not projected from a point (a resolution on the margin, an oral instruction recorded)."""
    from webapp.ru.dates import DateError
    from webapp.ru.deadlines import parse_deadline

    ensure(user, "add_assignment", document)
    action = (action or "").strip()
    if not action:
        raise Invalid("Напишите текст поручения.")
    if lead_body is None:
        raise Invalid("Выберите ответственный орган.")
    check_assignable(user, {lead_body.id, *(b.id for b in coexecutors)})
    deadline = None
    if deadline_text and deadline_text.strip():
        try:
            deadline = parse_deadline(deadline_text.strip(), document.doc_date or clock.today())
        except DateError as exc:
            raise Invalid(str(exc)) from exc
    assignment = Assignment(
        document=document, lead_body=lead_body, coexecutors=[b for b in coexecutors if b.id != lead_body.id],
        controller_id=user.id, action=action, status=AssignmentStatus.new,
        deadline=deadline.due if deadline else None, original_deadline=deadline.due if deadline else None,
        start_date=deadline.start if deadline else None, deadline_text=(deadline_text or "").strip() or None,
        deadline_kind=deadline.kind if deadline else DeadlineKind.none)
    db.session.add(assignment)
    db.session.flush()
    record_event(user, "assignment.add", assignment, document=document,
                 after={"action": action[:200], "deadline": assignment.deadline, "body": lead_body.name})
    notifications.about_assignment(user, assignment, "add")
    occurrences.start(assignment, clock.today())
    return assignment
