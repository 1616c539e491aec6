"""Drafting documents: saving a draft's structured content, projecting its directives into assignments, amending."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import selectinload

from webapp import clock
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    Assignment,
    AssignmentStatus,
    Body,
    DeadlineKind,
    Document,
    DocumentType,
    Participant,
    Point,
    PointKind,
    PointResponsible,
    Signatory,
    User,
)
from webapp.models.assignment import assignment_coexecutor
from webapp.models.document import TYPE_TITLES, addressee_line, point_label
from webapp.ru.dates import DateError
from webapp.ru.deadlines import Deadline, is_ongoing_verb, parse_deadline
from webapp.services import notifications, paging, versions
from webapp.services.audit import record_event
from webapp.services.bodies import check_assignable
from webapp.services.errors import Conflict, Invalid
from webapp.services.planner import written
from webapp.services.policy import ensure
from webapp.services.transactions import write_apart

# --- draft content --------------------------------------------------------------------------------


@dataclass
class PointData:
    text: str
    number: str | None = None
    agenda_index: int | None = None  # 0-based index into DraftData.agenda, None: document level
    responsible_ids: list[int] = field(default_factory=list)
    deadline_text: str | None = None  # as typed; read against the document's date when saved


@dataclass
class AgendaData:
    title: str
    speakers: str | None = None
    heard: list[str] = field(default_factory=list)
    discussion: list[dict[str, str]] = field(default_factory=list)  # «ВЫСТУПИЛИ»: {"speaker", "text"}


@dataclass
class DraftData:
    doc_type: str
    title: str
    event_date: date | None = None
    place: str | None = None
    heading: str | None = None
    preamble: list[str] = field(default_factory=list)
    decision_heading: str | None = None
    chair: str | None = None
    secretary: str | None = None
    attendees: list[tuple[str, str | None]] = field(default_factory=list)  # (name, job title)
    agenda: list[AgendaData] = field(default_factory=list)
    points: list[PointData] = field(default_factory=list)
    controller_text: str | None = None
    signatories: list[tuple[str, str]] = field(default_factory=list)  # (job title, name)


def _check(user: User, data: DraftData, archive: bool = False) -> None:
    if data.doc_type not in DocumentType.__members__:
        raise Invalid("Неизвестный вид документа.")
    limit = int(current_app.config["MAX_POINTS"])
    if len(data.points) > limit:
        raise Invalid(f"В документе не может быть больше {limit} пунктов (сейчас {len(data.points)}). "
                      "Вынесите часть в приложение.")
    if not data.title.strip():
        raise Invalid("Укажите заголовок документа.")
    for point in data.points:
        if point.agenda_index is not None and not 0 <= point.agenda_index < len(data.agenda):
            raise Invalid(f"Пункт «{point.number or point.text[:30]}» ссылается на несуществующий вопрос повестки.")
    check_assignable(user, {body_id for p in data.points for body_id in p.responsible_ids}, closed_ok=archive)


def _clear_content(document: Document) -> None:
    """Drop a draft's old content in a few statements: the database cascades to responsibles, sub-points and
    co-executors (row by row through the ORM, a draft of 1,000 points took seconds to save)."""
    if document.id is None:
        return
    point_ids = set(db.session.scalars(select(Point.id).where(Point.document_id == document.id)))
    for model in (Assignment, Point, AgendaItem, Participant, Signatory):
        db.session.execute(delete(model).where(model.document_id == document.id),
                           execution_options={"synchronize_session": False})
    # The deleted rows' objects leave the session: a new row may take a deleted one's id.
    for obj in list(db.session.identity_map.values()):
        stale = (isinstance(obj, Assignment | Point | AgendaItem | Participant | Signatory)
                 and obj.document_id == document.id) \
            or (isinstance(obj, PointResponsible) and obj.point_id in point_ids)
        if stale and obj in db.session:  # expunging a point expunges its responsibles with it
            db.session.expunge(obj)
    db.session.expire(document, ["points", "agenda_items", "participants", "signatories"])


def _fill(document: Document, data: DraftData) -> None:
    document.doc_type = data.doc_type
    document.title = data.title.strip()
    document.heading = data.heading or TYPE_TITLES[DocumentType(data.doc_type)].upper()
    document.event_date = data.event_date
    document.place = data.place
    document.preamble = data.preamble
    document.decision_heading = data.decision_heading
    document.controller_text = data.controller_text
    _clear_content(document)

    db.session.flush()  # the document's row: a new draft's id, which the content refers to

    # The content goes in with Core statements, one per table whatever its rows (as ORM objects, SQLite inserted
    # them one statement a row: it has no way to batch an INSERT whose generated ids must come back in order).
    people = [("chair", data.chair, None)] if data.chair else []
    people += [("secretary", data.secretary, None)] if data.secretary else []
    people += [("attendee", name, job) for name, job in data.attendees]
    _insert(Participant, [{"document_id": document.id, "position": i, "role": role, "name": name, "job_title": job}
                          for i, (role, name, job) in enumerate(people)])
    _insert(Signatory, [{"document_id": document.id, "position": i, "job_title": job, "name": name}
                        for i, (job, name) in enumerate(data.signatories)])
    # the agenda items' ids, which points refer to: each row comes back with its position (unique in a document)
    agenda = AgendaItem.__table__
    item_ids = dict(db.session.execute(
        insert(agenda).returning(agenda.c.position, agenda.c.id),
        [{"document_id": document.id, "position": i, "number": str(i + 1), "title": a.title, "speakers": a.speakers,
          "heard": a.heard, "discussion": [dict(d) for d in a.discussion], "decided_label": "РЕШИЛИ:"}
         for i, a in enumerate(data.agenda)]).all()) if data.agenda else {}

    # The tree follows the numbering: 1.2.1 goes under the nearest earlier 1.2 of the same agenda item.
    latest: dict[tuple[int | None, str], int] = {}  # (agenda item, number) -> row index
    positions: dict[tuple[int | None, int | None], int] = {}
    rows: list[dict] = []
    reference = data.event_date or clock.today()  # «до 1 сентября» is the next 1 September after the document
    ids = _new_ids(Point, len(data.points))  # known before the insert: a child's row names its parent's id
    for p in data.points:
        deadline = read_deadline(p.deadline_text, reference)
        parent = latest.get((p.agenda_index, p.number.rsplit(".", 1)[0])) if p.number and "." in p.number else None
        scope = (p.agenda_index, parent)
        positions[scope] = positions.get(scope, -1) + 1
        if p.number:
            latest[(p.agenda_index, p.number)] = len(rows)
        rows.append({
            "id": ids[len(rows)], "parent_id": ids[parent] if parent is not None else None,
            "document_id": document.id, "agenda_item_id": item_ids.get(p.agenda_index), "stage_id": None,
            "position": positions[scope], "kind": PointKind.point, "number": p.number or None, "marker": None,
            "text": p.text, "is_assignment": bool(p.responsible_ids),
            "action": p.text if p.responsible_ids else None,
            "deadline_text": p.deadline_text.strip() if deadline else None,
            "deadline": deadline.due if deadline else None, "start_date": deadline.start if deadline else None,
            "deadline_kind": deadline.kind if deadline else _undated_kind(p),
        })
    _insert(Point, rows)  # a parent's row comes before its children's (the numbering reads earlier rows only)
    _insert(PointResponsible, [{"point_id": point_id, "body_id": body_id, "position": i}
                               for point_id, p in zip(ids, data.points, strict=True)
                               for i, body_id in enumerate(p.responsible_ids)])
    db.session.expire(document, ["points", "agenda_items", "participants", "signatories"])


def _insert(model, rows: list[dict]) -> None:
    """Rows into a model's table in one statement (an executemany), nothing when there are none. Into the table,
    not the ORM's bulk insert: that leaves a row's NULLs out and so splits the rows into a statement per pattern."""
    if rows:
        db.session.execute(insert(getattr(model, "__table__", model)), rows)


def _new_ids(model, count: int) -> list[int]:
    """`count` primary keys for new rows of a model's table, ascending, taken before the rows are inserted so a
    tree goes in with one statement. PostgreSQL draws them from the table's sequence (other transactions draw
    others). SQLite has no sequence: the ids after the table's largest, which stay this transaction's own since
    it already holds SQLite's single writer lock (a request that writes begins IMMEDIATE, and a draft's save has
    written its document's row before); SQLite itself gives a new row the largest id plus one."""
    if not count:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        return sorted(db.session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count))))
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def read_deadline(text: str | None, reference: date) -> Deadline | None:
    """A point's typed deadline read against the document's date; None when nothing was typed."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        deadline = parse_deadline(text, reference)
    except DateError as exc:
        raise Invalid(str(exc)) from exc
    if deadline.kind == DeadlineKind.none:
        raise Invalid(f"Не удалось распознать срок «{text}». Пример: «в срок до 1 февраля 2022 года», "
                      "«до 01.02.2022», «ежеквартально».")
    return deadline


def _undated_kind(point: PointData) -> str | None:
    """A directive without a date is a standing duty when its verb is imperfective («обеспечивать»)."""
    if not point.responsible_ids:
        return None
    return DeadlineKind.ongoing if is_ongoing_verb(point.text) else DeadlineKind.none


def create_draft(user: User, data: DraftData, archive: bool = False) -> Document:
    """A new draft, issued by the author's body (the first one, when they belong to several). `archive`: one the
    import puts in force at once with its own number and date, whose points may name bodies closed since."""
    ensure(user, "create_document")
    _check(user, data, archive)
    document = Document(doc_type=data.doc_type, title=data.title, state="draft", author=user, draft_mark=True,
                        issuing_body=user.bodies[0] if user.bodies else None)
    db.session.add(document)
    with versions.drafting():  # a draft's content: no figure of the overview counts it
        _fill(document, data)
        db.session.flush()
        sync_draft_assignments(document)
    record_event(user, "document.create", document, after=content_snapshot(document))
    return document


def content_snapshot(document: Document) -> dict:
    """What an edit can change, small enough to keep in every audit event."""
    return {
        "doc_type": document.doc_type, "title": document.title, "place": document.place,
        "event_date": document.event_date, "preamble": document.preamble,
        "agenda": [item.title for item in document.agenda_items],
        "points": [[p.number, p.text, p.deadline_text] for p in _reading_order(
            document, _point_rows(document, Point.number, Point.text, Point.deadline_text))],
        "controller": document.controller_text,
    }


def update_draft(user: User, document: Document, data: DraftData, expected_version: int) -> Document:
    ensure(user, "edit_document", document)
    if document.version != expected_version:
        raise Conflict("Документ изменён другим пользователем, пока вы его редактировали. "
                       "Откройте его заново и повторите правку.")
    _check(user, data)
    before = content_snapshot(document)
    with versions.drafting():  # a draft's content: no figure of the overview counts it
        _fill(document, data)
        document.updated_at = clock.now()  # an UPDATE of the row, so the version counter moves too
        db.session.flush()
        sync_draft_assignments(document)
    record_event(user, "document.update", document, before=before, after=content_snapshot(document))
    return document


def _drop_assignments(document: Document) -> None:
    if document.id is None:
        return
    db.session.execute(delete(Assignment).where(Assignment.document_id == document.id),
                       execution_options={"synchronize_session": False})
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Assignment) and obj.document_id == document.id and obj in db.session:
            db.session.expunge(obj)


def sync_draft_assignments(document: Document, status: AssignmentStatus = AssignmentStatus.draft) -> None:
    """Project a document's directive points into assignments (drafts until the document is in force)."""
    _drop_assignments(document)
    points = [p for p in _reading_order(document, _point_rows(
        document, Point.is_assignment, Point.action, Point.text, Point.deadline, Point.start_date,
        Point.deadline_text, Point.deadline_kind)) if p.is_assignment]
    if not points:
        return
    bodies: dict[int, list[int]] = defaultdict(list)
    for point_id, body_id in db.session.execute(
            select(PointResponsible.point_id, PointResponsible.body_id)
            .where(PointResponsible.point_id.in_([p.id for p in points]))
            .order_by(PointResponsible.point_id, PointResponsible.position)):
        bodies[point_id].append(body_id)
    rows = [{
        "document_id": document.id, "point_id": point.id, "lead_body_id": (bodies[point.id] or [None])[0],
        "controller_id": None, "controller_text": document.controller_text, "action": point.action or point.text,
        "deadline": point.deadline, "original_deadline": point.deadline, "start_date": point.start_date,
        "deadline_text": point.deadline_text, "deadline_kind": point.deadline_kind or DeadlineKind.none,
        "status": status,
    } for point in points]
    # Each row comes back with its point (one assignment a point), in whatever order: asking for the parameters'
    # order makes SQLite insert row by row.
    table = Assignment.__table__
    ids = dict(db.session.execute(insert(table).returning(table.c.point_id, table.c.id), rows).all())
    _insert(assignment_coexecutor, [{"assignment_id": ids[point.id], "body_id": body_id}
                                    for point in points for body_id in bodies[point.id][1:]])


def _point_rows(document: Document, *columns):
    """The document's points as plain rows (id, the tree's keys and the columns asked for), in stored order."""
    return db.session.execute(
        select(Point.id, Point.parent_id, Point.agenda_item_id, Point.stage_id, *columns)
        .where(Point.document_id == document.id).order_by(Point.position, Point.id)).all()


def _reading_order(document: Document, points: list) -> list:
    """Points (objects or rows) in reading order: document body, then agenda items, then stages, each as a tree."""
    children: dict[int | None, list] = defaultdict(list)
    for point in points:
        children[point.parent_id].append(point)

    def walk(nodes: list):
        for node in nodes:
            yield node
            yield from walk(children[node.id])

    top = children[None]
    ordered = list(walk([p for p in top if p.agenda_item_id is None and p.stage_id is None]))
    for item in document.agenda_items:
        ordered += walk([p for p in top if p.agenda_item_id == item.id])
    for stage in document.stages:
        ordered += walk([p for p in top if p.stage_id == stage.id])
    return ordered


def points_in_order(document: Document) -> list[Point]:
    """The document's points in reading order, in one query (walking the children relationship point by point
    took a query per point)."""
    points = db.session.scalars(select(Point).where(Point.document_id == document.id)
                                .order_by(Point.position, Point.id)
                                .options(selectinload(Point.responsibles))).all()
    return _reading_order(document, points)


@dataclass(slots=True)
class PaperPoint:
    """A point as a document's page prints it, in plain values. Built as models, a 300-point protocol's points,
    their addressee rows and bodies were about 8,000 objects a request (with their ORM state): a third of the page's
    time, and the garbage collector's full passes they brought on (every seventh request, 120-180 ms on the loaded
    bench machine) made its p95."""

    id: int
    kind: str
    label: str
    text: str
    is_assignment: bool
    deadline: date | None
    start_date: date | None
    addressees: str
    children: list[PaperPoint] = field(default_factory=list)


@dataclass(slots=True)
class PaperTree:
    """One document's points as its page lays them out: the document-level tree, each agenda item's and each
    stage's top points (by their ids), each with its sub-points."""

    body: list[PaperPoint] = field(default_factory=list)
    items: dict[int, list[PaperPoint]] = field(default_factory=dict)
    stages: dict[int, list[PaperPoint]] = field(default_factory=dict)


def paper_trees(document: Document) -> dict[int, PaperTree]:
    """The point trees of a document and of its attachments (each printed after it), by document id, in one query
    whatever their number of points: the points' columns the page prints, each joined to its addressees' names (a
    point addressed to three bodies is three rows, in the addressees' order). Siblings in the relationships' order
    (by position; ties, which a database may return in any order, by id). The 300-point protocol's trees took 5 ms
    of CPU in two queries with each row's columns read by name, 3 ms so."""
    ids, pending = [], [document]
    while pending:  # an attachment may have attachments of its own: the page prints them all
        current = pending.pop(0)
        ids.append(current.id)
        pending.extend(current.attachments)
    trees = {document_id: PaperTree() for document_id in ids}
    built: dict[int, PaperPoint] = {}
    names: dict[int, list[str]] = {}
    places = []  # (point, its document, parent, agenda item, stage) in stored order
    for (point_id, document_id, parent_id, item_id, stage_id, kind, number, marker, text, is_assignment, deadline,
         start_date, name) in db.session.execute(
            select(Point.id, Point.document_id, Point.parent_id, Point.agenda_item_id, Point.stage_id, Point.kind,
                   Point.number, Point.marker, Point.text, Point.is_assignment, Point.deadline, Point.start_date,
                   Body.display_name)
            .outerjoin(PointResponsible, PointResponsible.point_id == Point.id)
            .outerjoin(Body, Body.id == PointResponsible.body_id)
            .where(Point.document_id.in_(ids))
            .order_by(Point.position, Point.id, PointResponsible.position, PointResponsible.id)):
        if point_id in built:  # the same point again: its next addressee
            names[point_id].append(name)
            continue
        point = built[point_id] = PaperPoint(point_id, kind, point_label(number, marker), text, is_assignment,
                                             deadline, start_date, "")
        if name is not None:
            names[point_id] = [name]
        places.append((point, document_id, parent_id, item_id, stage_id))
    for point_id, of_point in names.items():
        built[point_id].addressees = addressee_line(of_point)
    for point, document_id, parent_id, item_id, stage_id in places:  # a sub-point may come before its parent
        if parent_id is not None:
            built[parent_id].children.append(point)
            continue
        tree = trees[document_id]
        if item_id is not None:
            tree.items.setdefault(item_id, []).append(point)
        if stage_id is not None:
            tree.stages.setdefault(stage_id, []).append(point)
        if item_id is None and stage_id is None:
            tree.body.append(point)
    return trees


def create_amendment(user: User, document: Document) -> Document:
    """Published content never changes; a change is a new draft of the same type that links to it."""
    ensure(user, "amend_document", document)
    when = f" от {document.reg_date.strftime('%d.%m.%Y')}" if document.reg_date else ""
    number = f" № {document.number}" if document.number else ""
    title = f"О внесении изменений в {document.type_title.lower()}{when}{number} «{document.title}»"
    amendment = Document(doc_type=document.doc_type, title=title, state="draft", author=user, draft_mark=True,
                         heading=document.heading, letterhead=list(document.letterhead or []),
                         issuing_body_id=document.issuing_body_id, amends_id=document.id)
    db.session.add(amendment)
    db.session.flush()
    record_event(user, "document.amend", amendment, after={"amends": document.id, "title": title})
    return amendment


def mark_notifications_read(user: User, document: Document) -> int:
    """The user has opened the document: their notifications about it (and its attachments) are read, committed
    (a page that only reads writes nothing when there are none). The number marked."""
    if not user.is_authenticated:
        return 0
    ids = [document.id] + [a.id for a in document.attachments]
    if not notifications.has_unread(user, document_ids=ids):
        return 0
    return write_apart(lambda: notifications.mark_read(user, document_ids=ids)) or 0


# --- the register -------------------------------------------------------------------------------------------------

REGISTER_SIZES = paging.PAGE_SIZES
REGISTER_SORTS = {  #: the register's columns a reader sorts by (clicking the header), each in its natural direction
    "date": paging.Sort(func.coalesce(Document.reg_date, Document.event_date), "date"),
    "number": paging.Sort(Document.number, "str"),
    "type": paging.Sort(case({kind.value: i for i, kind in enumerate(DocumentType)}, value=Document.doc_type,
                             else_=len(DocumentType)), "int"),
    "state": paging.Sort(Document.state, "str"),
}
REGISTER_DEFAULT_SORT = "-date"  #: newest first
RegisterPage = paging.Page


def register_page(user: User, *, doc_type: str | None = None, state: str | None = None, after: str | None = None,
                  size: int = 50, sort: str | None = None) -> RegisterPage:
    """One page of the register in keyset pages (page 500 costs what page 1 does, and a page stays put when
    documents are added), sorted by date (newest first unless asked), number, type or state; documents without the
    sort's value (a draft has no number) come last. Attachments (an order's Положение) are listed when their type is
    asked for."""
    from webapp.services.policy import readable_documents

    query = select(Document).where(readable_documents(user))
    if doc_type in DocumentType.__members__:
        query = query.where(Document.doc_type == doc_type)
    else:
        query = query.where(Document.parent_id.is_(None))
    if state:
        query = query.where(Document.state == state)
    name, order = paging.choose(REGISTER_SORTS, sort, REGISTER_DEFAULT_SORT)
    message = "Неверная ссылка на страницу реестра: откройте реестр заново."
    # (newest first, the first page is the date index's own order: read as one, it is a little quicker)
    if name.removeprefix("-") in _REGISTER_PARTS and (name != REGISTER_DEFAULT_SORT or after):
        cursor, values = paging.cursor_of(after, order, message)
        position = None if cursor is None else (values.get(paging.AFTER_KEY), values[paging.AFTER_ID])
        parts = _REGISTER_PARTS[name.removeprefix("-")](query, order.descending, cursor, position, size)
        query = paging.merged(query, parts, order, Document.id, size)
    return paging.keyset(query, order, Document.id, after=after, size=size, message=message)


def _by_number(query, descending: bool, cursor: str | None, position: tuple | None, size: int) -> list:
    """The register by number in two parts (paging.keyed_apart): the numbered documents by (number, id), a range
    of ix_document_number_id read in either direction from the cursor, then (NULLs last) the unnumbered by id. One
    index cannot give «NULLS LAST» both ways on PostgreSQL, nor at all on SQLite (NULL sorts first in its indexes);
    without the split both sorted every document (0.4-1.1 s at 200,000)."""
    return paging.keyed_apart(query, paging.Sort(Document.number, "str", descending), Document.id, position, size)


def in_register_date_order(rows, id_column, descending: bool, position: tuple | None, size: int) -> list:
    """The first size + 1 of `rows` (documents, or rows joined to theirs) after `position` by the document's date
    and `id_column`, in two parts (paging.keyed_apart), both read from ix_document_register_date (date DESC NULLS
    LAST, id DESC): newest first forwards, oldest first backwards — which gives NULLS FIRST, so the dated part
    (which has no NULL) is ordered so. As one «ASC NULLS LAST» order PostgreSQL sorted every document the user may
    read (the register oldest first: 110-230 ms at 200,000)."""
    key = REGISTER_SORTS["date"].key
    return paging.keyed_apart(rows, paging.Sort(key, "date", descending), id_column, position, size,
                              order=key.desc().nulls_last() if descending else key.asc().nulls_first())


def _by_date(query, descending: bool, cursor: str | None, position: tuple | None, size: int) -> list:
    """The register by date (in_register_date_order)."""
    return in_register_date_order(query, Document.id, descending, position, size)


def _by_type(query, descending: bool, cursor: str | None, position: tuple | None, size: int) -> list:
    """The register by type in parts (paging.merged), one a type in the order's rank, each type's documents by id
    (a range of ix_document_doc_type_id), the types before the cursor's left out (paging.ranked). Before, every
    document was sorted (0.2-0.6 s at 200,000)."""
    return paging.ranked(list(enumerate(DocumentType)),
                         lambda kind: query.where(
                             Document.doc_type == written(kind, Document.doc_type.type)),
                         Document.id, descending=descending, from_rank=None if position is None else position[0],
                         position=position, size=size)


def _by_state(query, descending: bool, cursor: str | None, position: tuple | None, size: int) -> list:
    """The register by state in parts (paging.keyed_apart): the documents with a state by (state, id), ranges of
    ix_document_state_id read in either direction from the cursor (the rest of the cursor's state, then the states
    beyond: a state is shared by thousands), then those without one (none: the column is required; the part costs
    a look at the index). As one order with «NULLS LAST» PostgreSQL sorted every document the reader may see
    newest state first (90-180 ms at 200,000)."""
    return paging.keyed_apart(query, paging.Sort(Document.state, "str", descending), Document.id, position, size,
                              ties_apart=True)


#: The register's sorts read in parts, each part through an index in the page's order (migrations 0038, 0043)
_REGISTER_PARTS = {"number": _by_number, "type": _by_type, "date": _by_date, "state": _by_state}
