"""Full-text search over documents and assignments, with Russian morphology, on both databases.

Indexing: every flush that touches a document or anything inside it (points, agenda, participants, attached files
and their text, assignments, reports, extensions) marks the document; before the transaction commits, the
document's entries are rebuilt (one for the document, one per assignment). So the index is current in the same
transaction as the change, and a rolled-back change leaves it as it was.

Querying: the query's stems (webapp.ru.search_terms) must all match, each as a prefix of a lexeme: FTS5 `MATCH`
on SQLite, `tsv @@ to_tsquery('simple', …)` on PostgreSQL over the same lexemes, so both engines find the same
entries. Results are ordered the same way on both (entries whose title matches more terms first, then the newest
document), visible only as the policy allows (the same SQL as the lists), with filters and pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, text
from sqlalchemy.orm import Session, selectinload

from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    Assignment,
    DeadlineChange,
    Document,
    DocumentFile,
    Participant,
    Point,
    PointResponsible,
    Report,
    SearchEntry,
    Signatory,
    Stage,
    User,
)
from webapp.ru.search_terms import lexemes, query_terms, snippet
from webapp.services import policy

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
_PENDING = "search_pending_documents"
# «№ 339», «339», «01-29/5», «12-р»: what a registration number looks like (a digit, no spaces inside)
_NUMBER = re.compile(r"^(?:№\s*)?(?=\S*\d)[\w./\-–]{1,40}$")


# --- indexing -------------------------------------------------------------------------------------------------------


def _document_words(document: Document, files: Iterable[DocumentFile] = ()) -> list[str]:
    """Every text of the document: its content, and its attached files' names and texts (приложения)."""
    words = [document.label, document.title, document.place, document.venue,
             document.controller_text, *document.preamble, *document.closing, *document.approval_stamp]
    for column in document.letterhead or []:
        words.extend(column.get("lines", []) if isinstance(column, dict) else [])
    for item in document.agenda_items:
        words.extend([item.title, item.speakers, *item.heard])
    words.extend(part for p in document.participants for part in (p.name, p.job_title, p.text))
    words.extend(stage.title for stage in document.stages)
    words.extend(point.text for point in document.points)
    words.extend(part for s in document.signatories for part in (s.job_title, s.name))
    if document.issuing_body:
        words.append(document.issuing_body.name)
    words.extend(part for f in files for part in (f.filename, f.text))
    return [w for w in words if w]


def _assignment_words(assignment: Assignment) -> list[str]:
    words = [assignment.action, assignment.deadline_text, assignment.controller_text]
    words.extend(body.name for body in assignment.bodies)
    words.extend(report.text for report in assignment.reports)
    words.extend(change.reason for change in assignment.deadline_changes)
    return [w for w in words if w]


def _entries(document: Document, files: Iterable[DocumentFile] = ()) -> list[dict]:
    day = document.doc_date
    common = {"document_id": document.id, "doc_type": document.doc_type, "state": document.state,
              "year": day.year if day else None, "sort_date": day}
    label = document.label
    title = f"{label} «{document.title}»" if document.title else label
    words = _document_words(document, files)
    rows = [dict(common, kind="document", object_id=document.id, status=None, body_id=document.issuing_body_id,
                 deadline=None, title=title, text="\n".join(words), title_lexemes=" ".join(lexemes(title)),
                 lexemes=" ".join(lexemes("\n".join(words))))]
    for assignment in db.session.scalars(select(Assignment).where(Assignment.document_id == document.id).options(
            selectinload(Assignment.reports), selectinload(Assignment.deadline_changes),
            selectinload(Assignment.coexecutors), selectinload(Assignment.lead_body)).order_by(Assignment.id)):
        text_of = "\n".join(_assignment_words(assignment) + [label])
        rows.append(dict(common, kind="assignment", object_id=assignment.id, status=assignment.status,
                         body_id=assignment.lead_body_id, deadline=assignment.deadline, title=assignment.action,
                         text=text_of, title_lexemes=" ".join(lexemes(assignment.action)),
                         lexemes=" ".join(lexemes(text_of))))
    return rows


def reindex(document_ids: Iterable[int]) -> int:
    """Rebuild the entries of these documents (those that no longer exist lose theirs); returns entries written."""
    ids = sorted(set(document_ids))
    written = 0
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        db.session.execute(delete(SearchEntry).where(SearchEntry.document_id.in_(chunk)))
        documents = db.session.scalars(select(Document).where(Document.id.in_(chunk)).options(
            selectinload(Document.points), selectinload(Document.agenda_items),
            selectinload(Document.participants), selectinload(Document.signatories),
            selectinload(Document.stages), selectinload(Document.issuing_body)).order_by(Document.id)).all()
        files: dict[int, list[DocumentFile]] = {}
        for attached in db.session.scalars(select(DocumentFile).where(DocumentFile.document_id.in_(chunk))
                                           .order_by(DocumentFile.id)):
            files.setdefault(attached.document_id, []).append(attached)
        rows = [row for document in documents for row in _entries(document, files.get(document.id, ()))]
        if rows:
            db.session.execute(insert(SearchEntry), rows)
        written += len(rows)
    return written


def reindex_all() -> int:
    ids = db.session.scalars(select(Document.id)).all()
    db.session.execute(delete(SearchEntry))
    return reindex(ids)


def index_is_empty() -> bool:
    return db.session.scalar(select(SearchEntry.id).limit(1)) is None and \
        db.session.scalar(select(Document.id).limit(1)) is not None


_DIRECT = (Document, Point, AgendaItem, Participant, Signatory, Stage, Assignment, DocumentFile)


def _touched_documents(session: Session, objects: Iterable) -> set[int]:
    ids: set[int] = set()
    with session.no_autoflush:
        for obj in objects:
            if isinstance(obj, Document):
                ids.add(obj.id)
            elif isinstance(obj, _DIRECT):
                ids.add(obj.document_id)
            elif isinstance(obj, Report | DeadlineChange):
                assignment = obj.assignment if obj.assignment is not None else session.get(
                    Assignment, obj.assignment_id)
                if assignment is not None:
                    ids.add(assignment.document_id)
            elif isinstance(obj, PointResponsible):
                point = obj.point if obj.point is not None else session.get(Point, obj.point_id)
                if point is not None:
                    ids.add(point.document_id)
    ids.discard(None)
    return ids


def _after_flush(session: Session, _context) -> None:
    touched = _touched_documents(session, [*session.new, *session.dirty, *session.deleted])
    if touched:
        session.info.setdefault(_PENDING, set()).update(touched)


def _before_commit(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    session.flush()  # the last changes, and what they mark
    pending = session.info.pop(_PENDING, set())
    if pending and session is db.session():
        reindex(pending)
        session.flush()


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Keep the index current on every commit of the service's sessions."""
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _forget)


# --- querying -------------------------------------------------------------------------------------------------------


@dataclass
class Filters:
    doc_type: str | None = None
    state: str | None = None
    body_id: int | None = None
    year: int | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    status: str | None = None
    kind: str | None = None  # document | assignment


@dataclass
class Hit:
    entry: SearchEntry
    pieces: list[tuple[str, bool]]


@dataclass
class Results:
    query: str
    terms: list[str]
    total: int = 0
    page: int = 1
    hits: list[Hit] = field(default_factory=list)
    by_number: list[Document] = field(default_factory=list)  # documents whose number is the query

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _match(terms: list[str]):
    if db.engine.dialect.name == "postgresql":
        return text("search_entry.tsv @@ to_tsquery('simple', :search_query)").bindparams(
            search_query=" & ".join(f"{term}:*" for term in terms))
    return SearchEntry.id.in_(text("SELECT rowid FROM search_fts WHERE search_fts MATCH :search_query")
                              .bindparams(search_query=" AND ".join(f'"{term}"*' for term in terms))
                              .columns(rowid=SearchEntry.id.type))


def _visible(user: User):
    if policy.oversees(user):
        return literal(True)
    readable = select(Document.id).where(policy.readable_documents(user))
    return or_(and_(SearchEntry.kind == "document", SearchEntry.document_id.in_(readable)),
               and_(SearchEntry.kind == "assignment",
                    SearchEntry.object_id.in_(select(Assignment.id).where(policy.visible_assignments(user)))))


def _filtered(query, filters: Filters):
    conditions = []
    if filters.kind:
        conditions.append(SearchEntry.kind == filters.kind)
    if filters.doc_type:
        conditions.append(SearchEntry.doc_type == filters.doc_type)
    if filters.state:
        conditions.append(SearchEntry.state == filters.state)
    if filters.body_id:
        from webapp.models import Body

        body = db.session.get(Body, filters.body_id)
        conditions.append(SearchEntry.body_id.in_(body.subtree_ids() if body else {filters.body_id}))
    if filters.year:
        conditions.append(SearchEntry.year == filters.year)
    if filters.deadline_from:
        conditions.append(SearchEntry.deadline >= filters.deadline_from)
    if filters.deadline_to:
        conditions.append(SearchEntry.deadline <= filters.deadline_to)
    if filters.status:
        conditions.append(SearchEntry.status == filters.status)
    return query.where(*conditions)


def documents_numbered(user: User, query: str) -> list[Document]:
    """Readable documents whose registration number is the query («339», «№ 01-29/5»)."""
    candidate = query.strip()
    if not _NUMBER.match(candidate):
        return []
    number = candidate.removeprefix("№").strip()
    return list(db.session.scalars(select(Document).where(
        func.lower(Document.number) == number.lower(), policy.readable_documents(user))
        .order_by(Document.reg_date.desc(), Document.id.desc()).limit(10)))


def search(user: User, query: str, filters: Filters | None = None, page: int = 1) -> Results:
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    filters = filters or Filters()
    terms = query_terms(query)
    results = Results(query=query, terms=terms, page=max(1, page))
    results.by_number = documents_numbered(user, query) if query else []
    if not terms:
        return results
    base = _filtered(select(SearchEntry).where(_match(terms), _visible(user)), filters)
    results.total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    # terms are letters or digits only: nothing in them is a LIKE wildcard
    title = literal(" ") + SearchEntry.title_lexemes
    title_hits = sum((case((title.like(f"% {term}%"), 1), else_=0) for term in terms), literal(0))
    ordered = base.order_by(title_hits.desc(), SearchEntry.sort_date.desc().nulls_last(), SearchEntry.id.desc())
    rows = db.session.scalars(ordered.limit(PAGE_SIZE).offset((results.page - 1) * PAGE_SIZE))
    results.hits = [Hit(entry, snippet(entry.text, terms)) for entry in rows]
    return results
