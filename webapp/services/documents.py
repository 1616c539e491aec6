"""Drafting documents: who may create, edit and see them, and saving a draft's structured content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

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
    Role,
    Signatory,
    User,
)
from webapp.models.document import TYPE_TITLES
from webapp.ru.dates import DateError
from webapp.ru.deadlines import Deadline, is_ongoing_verb, parse_deadline
from webapp.services.audit import record_event
from webapp.services.errors import Conflict, Invalid, NotAllowed
from webapp.services.workflows import is_editable

DRAFTING_ROLES = (Role.secretary, Role.head, Role.admin)


# --- rules: one function each, used by views to draw buttons and by services to enforce ---------


def can_create_document(user: User) -> bool:
    return user.is_authenticated and user.has_role(*DRAFTING_ROLES)


def can_edit_document(user: User, document: Document) -> bool:
    return (
        can_create_document(user)
        and is_editable(document)
        and document.parent_id is None
        and (document.author_id in (None, user.id) or user.has_role(Role.head, Role.admin, Role.secretary))
    )


def can_view_document(user: User, document: Document) -> bool:
    if not user.is_authenticated:
        return False
    if document.in_force:
        return True
    return document.author_id == user.id or user.has_role(
        Role.secretary, Role.head, Role.approver, Role.controller, Role.auditor, Role.admin
    )


def ensure(allowed: bool, reason: str) -> None:
    if not allowed:
        raise NotAllowed(reason)


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


def _check(data: DraftData) -> None:
    if data.doc_type not in DocumentType.__members__:
        raise Invalid("Неизвестный вид документа.")
    if not data.title.strip():
        raise Invalid("Укажите заголовок документа.")
    for point in data.points:
        if point.agenda_index is not None and not 0 <= point.agenda_index < len(data.agenda):
            raise Invalid(f"Пункт «{point.number or point.text[:30]}» ссылается на несуществующий вопрос повестки.")
    known = set(db.session.scalars(select(Body.id)))
    if any(body_id not in known for p in data.points for body_id in p.responsible_ids):
        raise Invalid("Выбран неизвестный ответственный орган.")


def _parent_by_number(siblings: list[Point], number: str | None) -> Point | None:
    """The tree follows the numbering: 1.2.1 goes under the nearest earlier 1.2."""
    if not number or "." not in number:
        return None
    prefix = number.rsplit(".", 1)[0]
    for candidate in reversed(siblings):
        if candidate.number == prefix:
            return candidate
    return None


def _fill(document: Document, data: DraftData) -> None:
    document.doc_type = data.doc_type
    document.title = data.title.strip()
    document.heading = data.heading or TYPE_TITLES[DocumentType(data.doc_type)].upper()
    document.event_date = data.event_date
    document.place = data.place
    document.preamble = data.preamble
    document.decision_heading = data.decision_heading
    document.controller_text = data.controller_text

    _drop_assignments(document)
    # Points go first, in a flush of their own: the agenda item -> point link is view-only, so the
    # unit of work does not order the two deletes, and a database cascade could take the points first.
    document.points = []
    db.session.flush()
    document.participants = []
    document.agenda_items = []
    document.signatories = []
    db.session.flush()  # old children go before new ones take their places

    participants = []
    if data.chair:
        participants.append(Participant(role="chair", name=data.chair))
    if data.secretary:
        participants.append(Participant(role="secretary", name=data.secretary))
    participants += [Participant(role="attendee", name=name, job_title=job) for name, job in data.attendees]
    for index, participant in enumerate(participants):
        participant.position = index
    document.participants = participants

    items = [
        AgendaItem(position=i, number=str(i + 1), title=a.title, speakers=a.speakers, heard=a.heard,
                   decided_label="РЕШИЛИ:")
        for i, a in enumerate(data.agenda)
    ]
    document.agenda_items = items
    db.session.flush()

    created: list[Point] = []
    positions: dict[tuple, int] = {}
    reference = data.event_date or clock.today()  # «до 1 сентября» is the next 1 September after the document
    for p in data.points:
        deadline = read_deadline(p.deadline_text, reference)
        item = items[p.agenda_index] if p.agenda_index is not None else None
        same_scope = [c for c in created if c.agenda_item_id == (item.id if item else None)]
        parent = _parent_by_number(same_scope, p.number)
        scope = (item.id if item else None, parent.id if parent else None)
        positions[scope] = positions.get(scope, -1) + 1
        point = Point(
            document=document, agenda_item_id=item.id if item else None, parent=parent,
            position=positions[scope], kind=PointKind.point, number=p.number or None, text=p.text,
            is_assignment=bool(p.responsible_ids), action=p.text if p.responsible_ids else None,
            deadline_text=p.deadline_text.strip() if deadline else None,
            deadline=deadline.due if deadline else None, start_date=deadline.start if deadline else None,
            deadline_kind=deadline.kind if deadline else _undated_kind(p),
        )
        point.responsibles = [PointResponsible(body_id=b, position=i) for i, b in enumerate(p.responsible_ids)]
        db.session.add(point)
        db.session.flush()
        created.append(point)

    document.signatories = [Signatory(position=i, job_title=job, name=name)
                            for i, (job, name) in enumerate(data.signatories)]


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


def create_draft(user: User, data: DraftData) -> Document:
    ensure(can_create_document(user), "Создавать проекты документов могут секретарь, руководитель и администратор.")
    _check(data)
    document = Document(doc_type=data.doc_type, title=data.title, state="draft", author=user, draft_mark=True)
    db.session.add(document)
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
        "points": [[p.number, p.text, p.deadline_text] for p in points_in_order(document)],
        "controller": document.controller_text,
    }


def update_draft(user: User, document: Document, data: DraftData, expected_version: int) -> Document:
    ensure(can_edit_document(user, document), "Редактировать этот документ вам нельзя.")
    if document.version != expected_version:
        raise Conflict("Документ изменён другим пользователем, пока вы его редактировали. "
                       "Откройте его заново и повторите правку.")
    _check(data)
    before = content_snapshot(document)
    _fill(document, data)
    document.updated_at = clock.now()  # an UPDATE of the row, so the version counter moves too
    db.session.flush()
    sync_draft_assignments(document)
    record_event(user, "document.update", document, before=before, after=content_snapshot(document))
    return document


def _drop_assignments(document: Document) -> None:
    if document.id is None:
        return
    for old in db.session.scalars(select(Assignment).where(Assignment.document_id == document.id)):
        db.session.delete(old)
    db.session.flush()


def sync_draft_assignments(document: Document, status: AssignmentStatus = AssignmentStatus.draft) -> None:
    """Project a document's directive points into assignments (drafts until the document is in force)."""
    _drop_assignments(document)
    for point in _walk(document):
        if not point.is_assignment:
            continue
        bodies = point.responsible_bodies
        assignment = Assignment(
            document=document, point=point, lead_body=bodies[0] if bodies else None,
            coexecutors=bodies[1:], controller_text=document.controller_text,
            action=point.action or point.text, deadline=point.deadline, original_deadline=point.deadline,
            start_date=point.start_date,
            deadline_text=point.deadline_text, deadline_kind=point.deadline_kind or DeadlineKind.none,
            status=status,
        )
        db.session.add(assignment)
    db.session.flush()


def _walk(document: Document):
    """Points in reading order: document body, then agenda items, then stages (as printed)."""
    def walk(points):
        for point in points:
            yield point
            yield from walk(point.children)

    yield from walk(document.body_points)
    for item in document.agenda_items:
        yield from walk(item.top_points)
    for stage in document.stages:
        yield from walk(stage.top_points)


def points_in_order(document: Document) -> list[Point]:
    return list(_walk(document))


def can_amend(user: User, document: Document) -> bool:
    return can_create_document(user) and document.in_force and document.parent_id is None


def create_amendment(user: User, document: Document) -> Document:
    """Published content never changes; a change is a new draft of the same type that links to it."""
    ensure(can_amend(user, document), "Изменяющий документ можно создать только к опубликованному документу.")
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
