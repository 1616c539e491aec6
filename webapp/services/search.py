"""Full-text search over documents and assignments, with Russian morphology, on both databases.

Indexing: every flush that touches a document or anything inside it (points, agenda, participants, attached files
and their text, assignments, reports, extensions) marks the document; before the transaction commits, the
document's entries are rebuilt (one for the document, one per assignment). So the index is current in the same
transaction as the change, and a rolled-back change leaves it as it was.

Querying: the query's stems (webapp.ru.search_terms) must all match, each as a prefix of a lexeme: FTS5 `MATCH`
on SQLite, `tsv @@ to_tsquery('simple', …)` on PostgreSQL over the same lexemes, so both engines find the same
entries. Results are ordered the same way on both: entries whose title holds every term first (found through the
title's own full-text index, migration 0025), then the others, each newest document first, ties by entry id;
visible only as the policy allows, with filters and pages. The work is bounded whatever the query: hits are counted
up to WINDOW («более 1 000»), pages reach the first WINDOW hits, and a common word's hits are read in date order
through the sort_date index with a LIMIT instead of all being sorted (see _ways).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    ColumnElement,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
    union,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, selectinload

from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    Assignment,
    AssignmentStatus,
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
from webapp.ru.typography import grouped
from webapp.services import policy
from webapp.services.planner import unindexed, written
from webapp.services.transactions import without_parallel_workers
from webapp.workflow.engine import PUBLISHED

PAGE_SIZE = 20
WINDOW = 1000  # hits counted and reachable by paging; beyond it «более 1 000», and the user narrows the query
PROBE = 1000  # the newest entries whose hits tell whether a query's hits are common (see _ways)
DENSE = 20  # hits among them (2%) from which reading in date order beats the full-text index
CAP = 30_000  # the newest entries a walk tests when the words are common but the hits were not among the PROBE
OWN = 10_000  # the most objects of a user's own (see _own_hits) read through their ids; beyond, every entry is tested
LEAD_SPARE = 20  # entries of several bodies read past a page's end, in case some fail the policy (_Lead.first)
BODIES = 64  # the most bodies whose assignments' entries a user's search walks apart (see _own_hits); beyond, by ids
NARROW_BODIES = 500  # a body filter of at most this many bodies (the body and those below it) may be read by them
NARROW_ENTRIES = 20_000  # … when their entries are at most this many, read through its index (_narrow)
SPAN_ENTRIES = 150_000  # a range of deadlines of at most this many entries bounds the dates read (_span)
MAX_QUERY_LENGTH = 200
_PENDING = "search_pending_documents"
_NO_BITMAPS = "search_bitmap_scans_off"
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


def _entries(document: Document, files: Iterable[DocumentFile] = (),
             assignments: Iterable[Assignment] = ()) -> list[dict]:
    day = document.doc_date
    common = {"document_id": document.id, "doc_type": document.doc_type, "state": document.state,
              "year": day.year if day else None, "sort_date": day}
    label = document.label
    title = f"{label} «{document.title}»" if document.title else label
    words = _document_words(document, files)
    rows = [dict(common, kind="document", object_id=document.id, status=None, body_id=document.issuing_body_id,
                 deadline=None, title=title, text="\n".join(words), title_lexemes=" ".join(lexemes(title)),
                 lexemes=" ".join(lexemes("\n".join(words))))]
    for assignment in assignments:
        if assignment.status == AssignmentStatus.draft:  # no page until its document is published, so never a hit:
            continue  # the draft's own entry holds its words (an entry here only lengthened every walk, see 0032)
        text_of = "\n".join(_assignment_words(assignment) + [label])
        rows.append(dict(common, kind="assignment", object_id=assignment.id, status=assignment.status,
                         body_id=assignment.lead_body_id, deadline=assignment.deadline, title=assignment.action,
                         text=text_of, title_lexemes=" ".join(lexemes(assignment.action)),
                         lexemes=" ".join(lexemes(text_of))))
    return rows


def entries_of(document, files: Iterable[DocumentFile] = (), assignments: Iterable[Assignment] = ()) -> list[dict]:
    """The index's entries of a document and its assignments, as rows of search_entry without ids: what reindex
    writes, for a bulk load that has the values at hand (`docflow gen-load`; any objects with the models'
    attributes and properties)."""
    return _entries(document, files, assignments)


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
        assignments: dict[int, list[Assignment]] = {}  # the chunk's in one query, not one per document
        for assignment in db.session.scalars(select(Assignment).where(Assignment.document_id.in_(chunk)).options(
                selectinload(Assignment.reports), selectinload(Assignment.deadline_changes),
                selectinload(Assignment.coexecutors), selectinload(Assignment.lead_body)).order_by(Assignment.id)):
            assignments.setdefault(assignment.document_id, []).append(assignment)
        rows = [row for document in documents
                for row in _entries(document, files.get(document.id, ()), assignments.get(document.id, ()))]
        if rows:
            db.session.execute(insert(SearchEntry), rows)
        written += len(rows)
    return written


def move_documents(source_id: int, target_id: int) -> None:
    """The entries of the documents one body issued now belong to another (a merge of bodies moves the documents
    in bulk, past the flush hooks that keep the index): the search's filter by body finds them there. Their
    assignments' entries follow their lead body by migration 0036's trigger."""
    db.session.execute(update(SearchEntry).where(SearchEntry.kind == "document", SearchEntry.body_id == source_id)
                       .values(body_id=target_id).execution_options(synchronize_session=False))


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
    if session.new or session.dirty or session.deleted:
        session.flush()  # the last changes, and what they mark (the commit's own flush comes after this hook)
    pending = session.info.pop(_PENDING, None)
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
    total: int = 0  # at most WINDOW
    more: bool = False  # more than WINDOW hits: total is the number counted, not all
    page: int = 1
    hits: list[Hit] = field(default_factory=list)
    by_number: list[Document] = field(default_factory=list)  # documents whose number is the query

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))  # the pages of the first WINDOW hits at most

    @property
    def counted(self) -> str:
        return grouped(self.total)  # «1 000»

    @property
    def found(self) -> str:
        """How many hits, as the page says it: «37», or «более 1 000» when more were found than counted."""
        return f"более {self.counted}" if self.more else self.counted


# the entries matching a query, per index: on PostgreSQL the generated column of migration 0013 and the expression
# of migration 0025's title index (written here as the index is), on SQLite the FTS5 tables
_SIMPLE = literal_column("'simple'")
_TSVECTORS = {"text": literal_column("search_entry.tsv"),
              "title": func.to_tsvector(_SIMPLE, SearchEntry.title_lexemes),
              # the texts of the published documents alone (migration 0029's partial index): the expression the
              # generated column holds, written so that only that index matches it (PostgreSQL preferred the
              # whole tsv index ANDed with a date index's bitmap: 4 s where the partial index took 1 ms)
              "published": func.to_tsvector(_SIMPLE, SearchEntry.lexemes),
              # their titles: the title's expression, which migration 0029's partial index of them matches too
              "published_title": func.to_tsvector(_SIMPLE, SearchEntry.title_lexemes)}
# SQLite: an FTS5 table cannot be partial, so the published documents' entries have tables of their own (migration
# 0033, filled by triggers that fire for them alone): through search_title_fts a title read of theirs tested every
# entry's title hit (250,000 for «обеспечить» at 1M, 0.75 s)
_FTS5 = {column: f"SELECT rowid FROM {table} WHERE {table} MATCH :words"  # noqa: S608 (our names)
         for column, table in (("text", "search_fts"), ("title", "search_title_fts"),
                               ("published", "search_published_fts"),
                               ("published_title", "search_published_title_fts"))}
_TITLES = {"text": "title", "published": "published_title"}  # the titles' index beside each texts' index


def _fts(column: str, terms: list[str], every: bool = True, walk: bool = False):
    """The entries whose text (column "text"; "published": through the published documents' own index) or title
    ("title"; "published_title" theirs) holds every term (or any, every=False) as a prefix of a lexeme. walk:
    written so that the engine cannot answer it from the full-text index, and checks it on each entry read in date
    order instead (what a common word needs: its first hits are among the newest): the entry's stored lexemes
    (_holds)."""
    if walk:  # the entry's own lexemes, not the index's expression computed again for each entry
        title = column in _TITLES.values()
        return _holds(SearchEntry.title_lexemes if title else SearchEntry.lexemes, terms, every)
    if db.engine.dialect.name == "postgresql":
        words = (" & " if every else " | ").join(f"{term}:*" for term in terms)
        return _TSVECTORS[column].bool_op("@@")(func.to_tsquery(_SIMPLE, bindparam("words", words, unique=True)))
    words = (" AND " if every else " OR ").join(f'"{term}"*' for term in terms)
    rowids = text(_FTS5[column]).bindparams(bindparam("words", words, unique=True)).columns(rowid=SearchEntry.id.type)
    return SearchEntry.id.in_(rowids)


def _holds(stored, terms: list[str], every: bool = True):
    """The entry's own stored lexemes (space-separated, each a run of one script's letters or of digits, so both
    engines' tokenizers split them at the spaces alone) hold each term as a lexeme's prefix: « term» occurs in
    « lexemes». What the full-text index answers, tested on the entry a walk reads (issue 14). SQLite's
    `id IN (SELECT rowid … MATCH)` built every match's rowid into a temporary index first, for each statement
    (400,000 for «обеспечить» at 1M: 0.3-0.9 s each); PostgreSQL computed the title's tsvector per entry (27 of a
    41 ms walk) and read the text's stored tsvector (that walk read 6,154 pages with it, 4,051 with the lexemes).
    The term is a parameter, so the match cannot be read from an index (that is the point of a walk)."""
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    spaced = literal_column("' '").concat(stored)
    tests = [position(spaced, bindparam("term", f" {term}", unique=True)) > 0 for term in terms]
    return and_(*tests) if every else or_(*tests)


def _visible(user: User):
    """The entries the policy lets the user read, as correlated EXISTS on the document's or assignment's primary
    key: checked entry by entry as they are read, never a list of every readable id. Never a draft assignment:
    it has no page of its own until its document is published (its text is found in the document's entry)."""
    kind = _kind()
    listed = _listed()
    if policy.oversees(user):
        return listed
    readable = select(literal(1)).select_from(Document).where(
        Document.id == SearchEntry.document_id, policy.readable_documents(user)).correlate(SearchEntry)
    visible = select(literal(1)).select_from(Assignment).where(
        Assignment.id == SearchEntry.object_id, policy.visible_assignments(user)).correlate(SearchEntry)
    if db.engine.dialect.name == "postgresql":
        # OFFSET 0 keeps each EXISTS a look-up per entry: otherwise the planner may hash every readable document
        # and visible assignment first (a scan of both tables) to test the few entries a page reads
        readable, visible = readable.offset(0), visible.offset(0)
    return and_(listed, or_(and_(kind == "document", readable.exists()),
                            and_(kind == "assignment", visible.exists())))


def _kind():
    # SQLite: kind || '', no index on kind, or it reads every entry of both kinds through one (a MULTI-INDEX OR);
    # PostgreSQL: the column itself, whose statistics its planner needs
    return SearchEntry.kind if db.engine.dialect.name == "postgresql" else SearchEntry.kind.concat(literal_column("''"))


def _listed():
    """Every entry but a draft's assignment's (no page of its own until its document is published)."""
    return or_(_kind() == "document", SearchEntry.status != AssignmentStatus.draft)


def _newest_first() -> tuple:
    """Newest document first, undated last, ties by entry id: the order of the sort_date index (migration 0025;
    SQLite puts NULL last in a descending order by itself and uses the index only without NULLS LAST)."""
    day = SearchEntry.sort_date.desc()
    return (day.nulls_last() if db.engine.dialect.name == "postgresql" else day), SearchEntry.id.desc()


@dataclass
class _Ways:
    """How each read goes: "walk" (newest first through the sort_date index, each entry tested, until the LIMIT),
    "capped" (the same walk over the entries down to a date boundary only, then, if it found too few, the
    full-text index), "index" (through the full-text index, the few hits sorted)."""
    count: str
    title: str
    others: str
    boundary: date | None = None  # where a capped walk stops (the entries of that date included)
    texts: str = "text"  # the full-text index of the texts read: "published" for the published documents' own


def _ways(conditions: list, terms: list[str], domain: tuple = (), within: tuple = ()) -> _Ways:
    """How to read the hits, the title hits and the others, judged by a probe of the PROBE newest entries of the
    domain (every entry; the published documents when a user's own objects are read apart, see _own_hits): the
    hits among them, and the query's words among them whoever may read them. Neither engine's planner
    can tell: PostgreSQL multiplies the terms' frequencies as if they were independent, SQLite's FTS5 gives no
    estimate.

    DENSE hits or more: read in date order (the first page is among the newest). Fewer hits but DENSE entries
    with the words: the words are common, so the hits may be many but further down (at 1,000,000 assignments the
    newest 23,704 entries were draft documents' assignments, which nobody finds, and the title hits of
    «педагогических работников» began below them: 122,537 of them read through the full-text index and sorted
    took 2.8 s); they are walked down to the CAP-th newest entry and only if that finds too few, read through the
    full-text index. Neither: the words are rare, read through the full-text index. Whichever way is taken, the
    hits are the same: a capped walk that fills the page has found the newest hits (any other is older)."""
    # (within: the filters that are a range of an index in date order, see _within: the probe reads their newest)
    boundary = db.session.scalar(_boundary(PROBE, (*domain, *within)))
    if boundary is None:  # a small index (or its dated part): the full-text index finds few rows
        return _Ways("index", "index", "index", texts="published" if domain else "text")
    visible, titled = and_(true(), *conditions), _fts("title", terms, walk=True)
    if not domain:  # the title of an entry the user may read only (its words' titles are not asked, see below)
        words, hits, in_title = db.session.execute(
            select(func.count(), func.sum(case((visible, 1), else_=0)),
                   func.sum(case((and_(visible, titled), 1), else_=0)))
            .where(SearchEntry.sort_date >= boundary, _fts("text", terms, walk=True), *within)).one()
        titles = words
    else:
        probed = select(case((visible, 1), else_=0).label("hit"), case((titled, 1), else_=0).label("titled")) \
            .where(SearchEntry.sort_date >= boundary, _fts("text", terms, walk=True), *domain, *within)
        if db.engine.dialect.name == "postgresql":
            probed = probed.offset(0)  # each flag once per entry (an EXISTS and a to_tsvector each)
        probed = probed.subquery()
        # as a walk: with a type asked, PostgreSQL ANDed the type's range with a bitmap of every published document,
        # read from the whole of their title index (194,000 rows, 155 ms of a department's 200 ms at 1M)
        words, titles, hits, in_title = _walked(lambda: db.session.execute(
            select(func.count(), func.sum(probed.c.titled), func.sum(probed.c.hit),
                   func.sum(probed.c.hit * probed.c.titled))).one())
        _bitmaps()
    titles, hits, in_title = titles or 0, hits or 0, in_title or 0
    reads = ((hits, words), (in_title, words), (hits - in_title, words)) if not domain else \
        ((hits, words), (in_title, titles), (hits - in_title, words - titles))
    # the CAP-th newest entry's date only when a read may be capped (30,000 entries of an index read to find it:
    # 1.7 ms of the executor's «обеспечить», none of whose reads is)
    deep = db.session.scalar(_boundary(CAP, (*domain, *within))) \
        if any(found < DENSE <= words for found, words in reads) else None

    def way(found: int, words: int) -> str:
        if found >= DENSE:
            return "walk"
        if words < DENSE:
            return "index"
        # common words: capped, or walked whole when there are fewer than CAP entries to walk (a filter's range:
        # read through the full-text index, the title hits of «обеспечить» among an auditor's 4,000 drafts were
        # 250,000 titles tested, 0.34 s on SQLite at 1M)
        return "capped" if deep is not None else "walk"

    if not domain:  # every entry: a capped walk (bounded) whenever the texts hold the words, for their titles may
        # hold them further down (tried at 1M: with a draft's documents the newest, whose titles lack «обеспечить»,
        # the auditor's title hits went to the index, 245,074 assignments' titles sorted, 5 s)
        return _Ways(way(hits, words), way(in_title, words), way(hits - in_title, words), deep)
    # the published documents: each read judged by its own words, as their titles seldom hold the words their
    # texts do (the title hits of «обеспечить» among them: none, read through their index at once instead of a
    # walk of 30,000 documents, 0.9 s); the words' titles among the newest documents tell how common they are
    return _Ways(way(hits, words), way(in_title, titles), way(hits - in_title, words - titles), deep, "published")


def _narrow(filters: Filters, span: _Span | None = None) -> bool:
    """Whether a filter is narrow: its entries are at most NARROW_ENTRIES, counted (bounded) through its own index.
    Then the hits are read at once among them (_narrow_hits): they are too few among the newest entries for a walk
    in date order to meet them soon, and a common word's full-text hits too many to test each one against the
    filter. A body filter (ix_search_entry_body) of at most NARROW_BODIES bodies: a department secretary's
    «обеспечить» in one of her schools tested 145,000 published documents' hits (10 s on PostgreSQL at 1,000,000
    assignments), an auditor's in a district of 50 schools took 1.6 s on SQLite. A range of deadlines
    (ix_search_entry_deadline, migration 0046): an auditor's «обеспечить» due in two months tested 170,000 title
    hits (2.6 s on PostgreSQL; 11,000 entries are due then), counted by _span."""
    return _narrow_bodies(filters) or (span is not None and span.entries <= NARROW_ENTRIES)


def _narrow_bodies(filters: Filters) -> bool:
    if not filters.body_id:
        return False
    body = _filter_body(filters)
    if body is not None and len(body.subtree_ids()) > NARROW_BODIES:
        return False
    entries = select(SearchEntry.id).where(_among_filter_bodies(filters)).limit(NARROW_ENTRIES + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(entries)) <= NARROW_ENTRIES


@dataclass
class _Span:
    """The entries of a range of deadlines: how many (up to SPAN_ENTRIES + 1), and the range of their dates as a
    condition (none when they are more, or some undated)."""
    entries: int
    dates: tuple = ()


def _span(filters: Filters) -> _Span | None:
    """The range of deadlines asked, counted through ix_search_entry_deadline (which holds each entry's date too),
    with its entries' first and last date: an exact bound of the dates any of its hits has, which the probe and the
    walks read within (a year's deadlines fall on documents of some 18 months). Read so, an auditor's «обеспечить»
    due in 2019 reads the newest entries of those months, where the probe of the newest of all found none and sent
    the read to the full-text index, every hit of the word tested for its deadline (66,000 entries due then at 1M:
    0.27 s on PostgreSQL, 0.74 s on SQLite)."""
    deadlines = _deadlines(filters)
    if not deadlines:
        return None
    read = select(SearchEntry.sort_date).where(*deadlines).limit(SPAN_ENTRIES + 1).subquery()
    entries, dated, first, last = db.session.execute(select(
        func.count(), func.count(read.c.sort_date), func.min(read.c.sort_date), func.max(read.c.sort_date))).one()
    bounded = 0 < entries <= SPAN_ENTRIES and dated == entries  # (an undated entry is in no range of dates)
    return _Span(entries, (SearchEntry.sort_date.between(first, last),) if bounded else ())


def _narrow_hits(conditions: list, terms: list[str], end: int) -> tuple[int, _Own]:
    """The hits among a narrow filter's entries (`conditions` hold the filter; see _narrow), read through its index
    (ix_search_entry_body, ix_search_entry_deadline) with the words tested on each entry: how many (up to WINDOW +
    1), and the first `end` in the results' order (title hits first, each newest first). Up to WINDOW + 1 hits are
    read in the index's order: when they are all of them (a rare word), they are ranked here; only a common word's
    are ranked by the engine, in a second read that sorts every hit (a count and two ranked reads read the bodies'
    entries three times: 40-60 ms of a district's search at 1M)."""
    matched = [_fts("text", terms, walk=True), *conditions]
    titled = case((_fts("title", terms, walk=True), 1), else_=0).label("titled")
    # PostgreSQL without bitmap scans, as a walk: it ANDed the bodies' bitmap with the published documents' whole
    # date index (196,000 rows) to read a department's 12,000 entries (29 of a 36 ms count at 1M; 3 ms without)
    rows = _walked(lambda: db.session.execute(select(SearchEntry.id, SearchEntry.sort_date, titled).where(*matched)
                                              .limit(WINDOW + 1)).all())
    found = len(rows)
    if found <= WINDOW:  # every hit: in the results' order, newest first, undated last, ties by id
        rows = sorted(rows, key=lambda row: (row.titled, row.sort_date is not None, row.sort_date or date.min,
                                             row.id), reverse=True)[:end]
    else:
        rows = db.session.execute(select(SearchEntry.id, titled).where(*matched)
                                  .order_by(titled.desc(), *_newest_first()).limit(end)).all()
    _bitmaps()
    return found, _Own([row.id for row in rows if row.titled], [row.id for row in rows if not row.titled])


def _within(filters: Filters, indexed: bool = True) -> tuple:
    """The filters that are a range of an index in the results' order, which the probe and the walks read from
    its newest entry (see _ways): a status (ix_search_entry_status), a document state not in force
    (ix_search_entry_state; migration 0046), a document type (ix_search_entry_doc_type, 0049) and a year. Without
    them the probe read the newest entries of all, found few of the filter's and sent the read to the full-text
    index, whose hits of a common word were each tested (an auditor's «обеспечить» among drafts: 3 s on PostgreSQL
    at 1M), or a walk tested each entry's type (a department's «обеспечить» among regulations, one entry in twenty:
    27,600 read for 1,001 hits, 200 ms). The year is the range of entry dates it is (an entry's year is its
    date's): as `year = …` a school executor's «обеспечить» in 2019 took 15 s.

    The type, the status and the state (the form's own choices) are written into the statement (planner.written):
    PostgreSQL's generic plan of a prepared statement, which a connection keeps from its eleventh run or so, knew
    no type, took one for a tenth of the documents, and walked every published document newest first to count a
    department's «обеспечить» among regulations (10 -> 80-114 ms a count at 1M, from the eleventh search on)."""
    within = []
    if filters.doc_type:  # (not indexed: see _conditions)
        doc_type = SearchEntry.doc_type == written(filters.doc_type, SearchEntry.doc_type.type)
        within += [doc_type] if indexed else unindexed(doc_type)
    if filters.status:
        status = SearchEntry.status == written(filters.status, SearchEntry.status.type)
        within += [status] if indexed else unindexed(status)
    if filters.state:
        state = SearchEntry.state == written(filters.state, SearchEntry.state.type)
        within += [state] if indexed else unindexed(state)
        if indexed and filters.state != PUBLISHED:  # the predicate of the index of the states not in force, written
            within.append(SearchEntry.state != written(PUBLISHED, SearchEntry.state.type))  # so that SQLite matches it
    if filters.year:
        within.append(SearchEntry.sort_date.between(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    return tuple(within)


def _deadlines(filters: Filters, indexed: bool = True, everywhere: bool = False) -> tuple:
    """The deadline filter's range (only assignments have a deadline), whose entries and dates are counted through
    ix_search_entry_deadline (_span) and read through it when narrow (_narrow). Not indexed: for her bodies' walks
    (_Lead), on SQLite; `everywhere`, on PostgreSQL too: for the walks of a wider range within its dates, which
    test each entry's deadline (_conditions' reads)."""
    deadlines = []
    if filters.deadline_from:
        deadlines.append(SearchEntry.deadline >= filters.deadline_from)
    if filters.deadline_to:
        deadlines.append(SearchEntry.deadline <= filters.deadline_to)
    return tuple(deadlines) if indexed else tuple(unindexed(*deadlines, everywhere=everywhere))


def _filter_body(filters: Filters):
    """The body filter's body (None: no such body); the session's own, so asked again at no cost."""
    from webapp.models import Body

    return db.session.get(Body, filters.body_id)


def _among_filter_bodies(filters: Filters):
    """The body filter's clause: the body or one below it (policy.among_bodies)."""
    body = _filter_body(filters)
    return policy.among_bodies(SearchEntry.body_id, body) if body else SearchEntry.body_id == filters.body_id


def _boundary(depth: int, domain: tuple = ()):
    """The date of the depth-th newest entry of the domain (one range of the sort_date index, or of the published
    documents' own; NULL when there are fewer)."""
    return select(SearchEntry.sort_date).where(*domain).order_by(*_newest_first()).offset(depth - 1).limit(1)


def _published_documents() -> tuple:
    """The published documents' entries: the hits of a user whose own objects are read apart (_own_hits) that are
    not among them. Written inline, as the partial indexes of migration 0029 are, so that both planners match them
    (SQLite cannot match a bound parameter to an index's predicate, nor can PostgreSQL's generic plans); on SQLite
    as `kind || ''`, which the index's predicate repeats: its planner, without statistics, would otherwise read
    every document through the (kind, object_id) index and sort them."""
    kind = _kind()
    return kind == literal_column("'document'"), SearchEntry.state == literal_column(f"'{PUBLISHED}'")


def _documents_possible(filters: Filters) -> bool:
    """Whether a document's entry can pass the filters (it has no status or deadline: those are assignments')."""
    return filters.kind != "assignment" and not (filters.status or filters.deadline_from or filters.deadline_to)


def _among(column, ids: list[int]):
    """column IN ids: one array parameter on PostgreSQL (an index scan for each), a list on SQLite."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(column.type)))
    return column.in_(ids)


def _lead_entries(bodies: list[int]) -> tuple:
    """The entries of the assignments these bodies lead, by the entry's own body_id: what migration 0036's
    ix_search_entry_assignment_body indexes (its predicate written inline, as the service writes `kind` on each
    engine, so that both planners match it). The entry's body_id is the assignment's lead body, written with the
    entry and kept by 0036's trigger when a lead body changes however it is written (a merge of bodies does it in
    bulk); every hit read so is still checked against the policy's own clause (_Lead.matched)."""
    return _kind() == literal_column("'assignment'"), \
        (SearchEntry.body_id == bodies[0] if len(bodies) == 1 else SearchEntry.body_id.in_(bodies))


@dataclass
class _Lead:
    """The hits among the assignments the user's bodies lead, read through ix_search_entry_assignment_body
    (migration 0036): one body's walked newest first, so that a page reads its first hits and stops; the count
    walks them only when the other hits leave it unsettled. The index holds each entry's status, type and deadline
    (0050): the filters are tested there, and only the entries that pass are read for their words."""
    bodies: list[int]
    terms: list[str]
    matched: list  # the words and the filters
    led: ColumnElement[bool]  # the policy's lead clause, checked on each hit's assignment

    def verified(self):
        """The entry's assignment is one the policy lets her see as led (an EXISTS per entry)."""
        verified = select(literal(1)).select_from(Assignment).where(
            Assignment.id == SearchEntry.object_id, self.led).correlate(SearchEntry)
        if db.engine.dialect.name == "postgresql":
            verified = verified.offset(0)  # a look-up per hit, not every led assignment hashed first
        return verified.exists()

    def count(self, bound: int) -> int:
        """The hits, up to `bound`."""
        hits = select(SearchEntry.id).where(*_lead_entries(self.bodies), *self.matched, self.verified()) \
            .limit(bound).subquery()
        return db.session.scalar(select(func.count()).select_from(hits))

    def first(self, in_title: bool, end: int) -> list[int]:
        """The first `end` hits whose title holds every term (in_title) or not, newest first: one body's walked in
        its index's order until they are found; several bodies' (a department's 51: a statement of one ordered
        read per body took PostgreSQL 44 ms to plan and psycopg as long to write) read whole and sorted, at most
        OWN entries (_own_hits). Several bodies' matches are checked against the policy only as far as the page
        needs (`_verified_first`): checking each of a department's 2,500 matches of a common word was half the
        read (the statement 18 -> 10 ms on PostgreSQL at 1M)."""
        title = _fts("title", self.terms, walk=True)
        ranked = [*_lead_entries(self.bodies), title if in_title else not_(title), *self.matched]
        return self._verified_first(ranked, end) if len(self.bodies) > 1 else self._checked_as_read(ranked, end)

    def _checked_as_read(self, ranked: list, end: int) -> list[int]:
        """The first `end` entries of `ranked` whose assignment passes the policy, checked as they are read."""
        statement = select(SearchEntry.id).where(*ranked, self.verified()).order_by(*_newest_first()).limit(end)
        return list(_walked(lambda: db.session.scalars(statement).all()))

    @staticmethod
    def matches(ranked: list, read: int):
        """The first `read` entries of `ranked` (entry id, assignment id), newest first: every match read through
        the bodies' index, then sorted. On PostgreSQL OFFSET 0 keeps it from walking the sort_date index instead,
        which it takes for a LIMIT past a few dozen (a department's entries are 1% of them: 41,554 read for 40 at
        1M); SQLite reads them so as they are (and the subquery would cost it 20 ms there)."""
        if db.engine.dialect.name != "postgresql":
            return select(SearchEntry.id, SearchEntry.object_id).where(*ranked).order_by(*_newest_first()).limit(read)
        hits = select(SearchEntry.id, SearchEntry.object_id, SearchEntry.sort_date).where(*ranked).offset(0) \
            .subquery()
        return select(hits.c.id, hits.c.object_id).order_by(hits.c.sort_date.desc().nulls_last(), hits.c.id.desc()) \
            .limit(read)

    def _verified_first(self, ranked: list, end: int) -> list[int]:
        """The first `end` entries of `ranked` whose assignment passes the policy: the first `end` + LEAD_SPARE
        read, then their assignments checked in one statement; only when too many of those fail (an entry whose
        body is not its assignment's lead body any more) all of them are checked as they are read."""
        read = end + LEAD_SPARE
        _bitmaps()  # (a bitmap of the bodies' entries: fewer pages read than in the index's order)
        found = db.session.execute(self.matches(ranked, read)).all()
        passed = set(db.session.scalars(select(Assignment.id).where(
            Assignment.id.in_({object_id for _, object_id in found}), self.led))) if found else set()
        ids = [entry for entry, object_id in found if object_id in passed]
        return ids[:end] if len(ids) >= end or len(found) < read else self._checked_as_read(ranked, end)


@dataclass
class _Own:
    """A user's own hits (see _own_hits): those read through their ids, entry ids newest first, whose titles hold
    every term or not; and those of the assignments her bodies lead, walked apart (lead; None: read through their
    ids with the others)."""
    titled: list[int]
    others: list[int]
    lead: _Lead | None = None

    @property
    def read(self) -> int:
        """The hits read through their ids."""
        return len(self.titled) + len(self.others)

    def first(self, in_title: bool, end: int) -> list[int]:
        """Entry ids that hold her first `end` hits of the rank (those read through their ids and those walked)."""
        ids = (self.titled if in_title else self.others)[:end]
        return ids + self.lead.first(in_title, end) if self.lead is not None else ids


def _own_hits(user: User, filters: Filters, terms: list[str], filtering: list) -> _Own | None:
    """The hits among the user's own objects; None when she sees every one of them or more than OWN: then every
    entry is tested instead (as for an overseer).

    Who does not oversee sees the published documents, the assignments of her bodies and a few more documents
    (her own, her route's, her scope's drafts for draft readers). At a region's 1,000,000 assignments a school's
    executor sees 5,000 assignments: tested newest first among every entry, they were too rare to fill a page
    before the full-text index was read, whose common words hold 100,000s of entries (0.4-4 s a search). The
    assignments her bodies lead (at most BODIES of them) are walked newest first through their own index
    (_Lead): a page reads its first hits and stops. Read through their ids (the policy's one indexed read per
    way she sees one, then `(kind, object_id)`), her 5,000 cost 5,000 index descents whatever the page (20-40 ms
    at 1M on PostgreSQL); those stay for the few she co-executes or controls and the documents not in force, and
    for all of them when she has more bodies. The published documents are read apart (_published_documents, with
    their own indexes). The ids are the policy's, so those entries are not tested again against its clause (an
    EXISTS per hit, a fifth of the read)."""
    want_assignments, want_documents = filters.kind != "document", _documents_possible(filters)
    if want_assignments and user.reaches_every_body():  # her own assignments are nearly all of them (a ministry's
        return None  # staff): none read by id
    branches = policy.assignment_branches(user, alone=True) if want_assignments else {}
    documents = policy.readable_unpublished_document_ids(user) if want_documents else None
    if documents is None and want_documents and not want_assignments:  # documents only, and she reads every one
        # not in force (an overseer): those are few beside the published (4,000 of 200,000 at 1M), read apart as
        # anyone's own are, the published through their own indexes; tested against every entry, the title hits of a
        # word read through the titles' index were nearly all assignments', each then dropped (the auditor's
        # «обеспечить» among documents: 0.4 s on SQLite, 1.2 s on PostgreSQL at 1M)
        documents = select(Document.id).where(policy.UNPUBLISHED)
    if branches is None or (want_documents and documents is None):
        return None
    lead = None
    if "lead" in branches and len(bodies := policy.reach_values(user)["reach_body_ids"]) <= BODIES:
        led = branches.pop("lead")
        lead = _Lead(bodies, terms, [_fts("text", terms, walk=True), _listed(), *_conditions(filters, "lead")],
                     led)
        apart = or_(Assignment.lead_body_id.is_(None), not_(led))  # the others' reads: none she leads, none twice
        branches = {name: and_(branch, apart) for name, branch in branches.items()}
    assignments = union(*(select(Assignment.id).where(branch) for branch in branches.values())) \
        if branches else None
    reads = [select(literal(kind).label("kind"), query.subquery().c[0].label("id"))
             for kind, query in (("assignment", assignments), ("document", documents)) if query is not None]
    reads = [union_all(*reads).limit(OWN + 1).subquery()] if reads else []
    if lead is not None:  # and her bodies' entries, counted in their index up to the bound, in the same statement
        led = select(SearchEntry.id).where(*_lead_entries(lead.bodies)).limit(OWN + 1).subquery()
        reads.append(select(literal("led").label("kind"), select(func.count()).select_from(led).scalar_subquery()
                            .label("id")).subquery())
    ids: dict[str, list[int]] = {"assignment": [], "document": [], "led": []}
    if reads:
        for kind, value in db.session.execute(union_all(*(select(read.c.kind, read.c.id) for read in reads))):
            ids[kind].append(value)
    if len(ids["assignment"]) + len(ids["document"]) + sum(ids.pop("led")) > OWN:
        return None
    # the documents not published: the complement of _published_documents by the entry's own state, so no hit is
    # read twice
    own = {"assignment": SearchEntry.kind == "assignment",
           "document": and_(SearchEntry.kind == "document", SearchEntry.state != PUBLISHED)}
    titled = case((_fts("title", terms, walk=True), 1), else_=0).label("titled")
    reads = [select(SearchEntry.id, SearchEntry.sort_date, titled).where(
        own[kind], _among(SearchEntry.object_id, found), _fts("text", terms, walk=True), _listed(), *filtering)
        for kind, found in ids.items() if found]
    if not reads:
        return _Own([], [], lead)
    rows = sorted(db.session.execute(union_all(*reads)).all(),  # in the results' order: newest, undated last
                  key=lambda row: (row.sort_date is not None, row.sort_date or date.min, row.id), reverse=True)
    return _Own([row.id for row in rows if row.titled], [row.id for row in rows if not row.titled], lead)


#: The reads the filters' conditions are written for (_conditions): whether the type, status and state (_within)
#: and the range of deadlines are written as they are (indexed), and the deadlines on PostgreSQL too (everywhere).
_READS = {"walk": (True, True, False), "lead": (False, False, False), "narrow": (False, True, False),
          "dated": (True, False, True)}


def _conditions(filters: Filters, read: str = "walk") -> list:
    """The filters' conditions on an entry, written for a `read` (planner.unindexed; _READS):
    - walk: as they are (the probe, the walks, the count).
    - lead: the status, the type, the state and the deadlines not indexed on SQLite, for the reads of a user's
      bodies' entries through their own index (_Lead), where SQLite's sampled statistics take a status (or a type)
      for a few hundred entries and read all 38,000 in work through ix_search_entry_status (a department's
      «обеспечить» in work: 114 ms at 1M). That index holds them (migration 0050): both engines test them there
      before reading an entry.
    - narrow: the status, the type and the state so, for a narrow filter's read through its own index
      (_narrow_hits): the bodies' index holds them too since 0051, and is wider than theirs, so SQLite's sampled
      statistics, a tie of 1,001 entries a value, took a school's in work through the status's (38,000 read, 34 ms
      at 1M).
    - dated: the range of deadlines tested on each entry on both engines, read within the range's dates (_span)."""
    within_indexed, deadlines_indexed, everywhere = _READS[read]
    conditions = []
    if filters.kind:  # (as _kind: on SQLite not through the (kind, object_id) index, which a narrow filter's read
        conditions.append(_kind() == filters.kind)  # took for every assignment's entry: 1.3 s at 1M)
    if filters.body_id:
        conditions.append(_among_filter_bodies(filters))
    return [*conditions, *_within(filters, within_indexed),
            *_deadlines(filters, deadlines_indexed, everywhere=everywhere)]


def documents_numbered(user: User, query: str) -> list[Document]:
    """Readable documents whose registration number is the query («339», «№ 01-29/5»)."""
    candidate = query.strip()
    if not _NUMBER.match(candidate):
        return []
    return list(db.session.scalars(_numbered(user, candidate.removeprefix("№").strip())))


def _numbered(user: User, number: str):
    """Readable documents numbered so, in any case: through ix_document_number_lower (migration 0034), which
    indexes this very expression (without it every document was read: 0.7 s on SQLite at 1M)."""
    return select(Document).where(func.lower(Document.number) == number.lower(), policy.readable_documents(user)) \
        .order_by(Document.reg_date.desc(), Document.id.desc()).limit(10)


def search(user: User, query: str, filters: Filters | None = None, page: int = 1) -> Results:
    """The page of hits: entries whose title holds every term first, then the others, each newest document
    first, ties by entry id.

    Bounded work whatever the query: the hits are counted up to WINDOW (beyond it the page says «более …»), the
    pages reach only the first WINDOW hits, and both kinds of hits are read with a LIMIT: through the sort_date
    index when they are common (so a common word never sorts every hit), through the full-text indexes when rare."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    filters = filters or Filters()
    terms = query_terms(query)
    results = Results(query=query, terms=terms, page=max(1, page))
    results.by_number = documents_numbered(user, query) if query else []
    if not terms:
        return results
    with without_parallel_workers():  # a LIMIT of 20 read in index order
        _count_and_read(results, user, filters)
        _bitmaps()
    return results


def _count_and_read(results: Results, user: User, filters: Filters) -> None:
    terms, filtering = results.terms, _conditions(filters)
    own = _own_hits(user, filters, terms, filtering)
    domain: tuple | None = ()  # where the other hits are: among every entry, the published documents, nowhere
    if own is not None:
        published = filters.state in (None, PUBLISHED)  # (only her own objects are in any other state)
        domain = _published_documents() if published and _documents_possible(filters) else None
    # read apart from her own objects, the published documents' entries need no test against the policy: everyone
    # reads a published document (policy.readable_documents) and an entry's state is its document's, written in the
    # same transaction (an EXISTS per hit was 3 ms of each of a school executor's counts of «обеспечить» at 1M)
    visible = [] if own is not None else [_visible(user)]
    conditions = [*visible, *filtering]
    found, below = own.read if own is not None else 0, None
    narrow = None  # a narrow filter's hits among the other entries, read through its index
    if domain is not None:
        span = _span(filters)
        if _narrow(filters, span):  # (the page's hits at most: the page asked, within the WINDOW)
            rest = [*domain, *visible, *_conditions(filters, "narrow")]
            counted, narrow = _narrow_hits(rest, terms, min(results.page * PAGE_SIZE, WINDOW))
            found += counted
        else:
            dates = span.dates if span is not None else ()
            if dates and db.engine.dialect.name == "postgresql":  # read in date order within them, each entry's
                # deadline tested: through the deadline index PostgreSQL read the whole range and sorted it (a
                # one-sided range's 30,000 entries, 40 ms a read; 110 -> 47 ms a page at 1M). SQLite reads the
                # range's entries within the dates from that index, which holds them (76 -> 86 ms in date order)
                conditions = [*visible, *_conditions(filters, "dated")]
            rest = [*domain, *conditions, *dates]
            ways = _ways([*conditions, *dates], terms, domain, (*_within(filters), *dates))
            if found <= WINDOW:  # her hits read through their ids settle it when more
                counted, below = _count(rest, ways, terms)
                found += counted
    if own is not None and own.lead is not None and found <= WINDOW:  # her bodies' hits, walked only if still
        found += own.lead.count(WINDOW + 1 - found)  # unsettled (a common word's published documents settle it)
    results.total, results.more = min(found, WINDOW), found > WINDOW
    if not found:
        return
    results.page = min(results.page, results.pages)
    start, end = (results.page - 1) * PAGE_SIZE, min(results.page * PAGE_SIZE, results.total)
    titled = own.first(True, end) if own is not None else []
    walked = domain is not None and narrow is None  # the other hits read in tiers, each its own way
    if walked:
        title_way, others_way = ways.title, ways.others
        if below is not None:  # every hit down to the boundary was counted: a capped walk that cannot fill the page
            title_way = "index" if title_way == "capped" and below[0] < end else title_way  # is not tried
            others_way = "index" if others_way == "capped" and below[1] < end else others_way
    # title hits come first: when `end` of them are found (her own and the others are apart, none twice), every hit
    # on the page is one, and no other hit is read. The others' read may be long: for «приказ», the first word of
    # every order's title, the published documents whose texts alone hold it are none, and PostgreSQL's full-text
    # index handed 88,000 texts with it to be tested (13 s at 1M); her own others would be walked through every
    # entry of her bodies
    tiers = []
    if narrow is not None:
        titled += narrow.first(True, end)
    elif walked:
        title = _tier(rest, title_way, ways.boundary, terms, True, end, ways.texts)
        if len(titled) < end:  # read now, to know whether the others are needed
            _bitmaps()
            titled += db.session.scalars(select(title.c.id)).all()
        else:  # read with the page
            tiers.append(title)
    if titled:
        tiers.append(select(SearchEntry.id, literal(1).label("tier")).where(SearchEntry.id.in_(titled)).subquery())
    if len(titled) < end:
        if walked:
            tiers.append(_tier(rest, others_way, ways.boundary, terms, False, end, ways.texts))
        others = own.first(False, end) if own is not None else []
        others += narrow.first(False, end) if narrow is not None else []
        if others:
            tiers.append(select(SearchEntry.id, literal(0).label("tier")).where(SearchEntry.id.in_(others))
                         .subquery())
    window = union_all(*(select(tier.c.id, tier.c.tier) for tier in tiers)).subquery()
    _bitmaps()
    rows = db.session.scalars(select(SearchEntry).join(window, window.c.id == SearchEntry.id)
                              .order_by(window.c.tier.desc(), *_newest_first())
                              .limit(end - start).offset(start))
    results.hits = [Hit(entry, snippet(entry.text, terms)) for entry in rows]


def _count(conditions: list, way: _Ways, terms: list[str]) -> tuple[int, tuple[int, int] | None]:
    """The hits, counted up to WINDOW + 1; and, when a capped count found them all down to the boundary (WINDOW
    or fewer), how many of those are title hits and how many others."""
    def counted(query) -> int:
        return db.session.scalar(select(func.count()).select_from(query.limit(WINDOW + 1).subquery()))

    walk = way.count != "index"
    hits = select(SearchEntry.id).where(_fts(way.texts, terms, walk=walk), *conditions)
    if walk:  # newest first, where the probe found the words: in no order the engines read the table from its
        hits = hits.order_by(*_newest_first())  # oldest rows (SQLite: «2026» at 1M, 1.9 s to its 1,001st hit)
    if way.count == "capped":  # enough hits down to the boundary settle it; else count them all, indexed
        titled = case((_fts("title", terms, walk=True), 1), else_=0).label("titled")
        capped = hits.add_columns(titled).where(SearchEntry.sort_date >= way.boundary).limit(WINDOW + 1).subquery()
        found, in_title = _walked(lambda: db.session.execute(
            select(func.count(), func.sum(capped.c.titled)).select_from(capped)).one())
        if found > WINDOW:
            return found, None
        below = (in_title or 0, found - (in_title or 0))
        _bitmaps()
        return counted(select(SearchEntry.id).where(_fts(way.texts, terms), *conditions)), below
    return (_walked(lambda: counted(hits)) if walk else counted(hits)), None


def _tier(conditions: list, way: str, boundary: date | None, terms: list[str], in_title: bool, end: int,
          texts: str = "text"):
    """The first `end` hits whose title holds every term (in_title) or not, newest first, with their
    tier: a subquery of (id, tier). Read through the full-text index, the title hits are found through the
    titles' (only), the others through the texts' (`texts`)."""
    tier = literal(1 if in_title else 0).label("tier")
    walk = way != "index"
    title = _fts(_TITLES[texts], terms, walk=walk or not in_title)
    # the title first: a walk tests the short title before the text (most entries it passes lack the title words)
    matched = [title if in_title else not_(title), _fts(texts, terms, walk=walk or in_title), *conditions]
    if way == "capped":  # the walk down to the boundary; if it found fewer than `end`, the full-text index
        first = _walked(lambda: db.session.scalars(select(SearchEntry.id).where(
            SearchEntry.sort_date >= boundary, *matched).order_by(*_newest_first()).limit(end)).all())
        if len(first) < end:
            return _tier(conditions, "index", None, terms, in_title, end, texts)
        return select(SearchEntry.id, tier).where(SearchEntry.id.in_(first)).subquery()
    if walk or db.engine.dialect.name != "postgresql":
        return select(SearchEntry.id, tier).where(*matched).order_by(*_newest_first()).limit(end).subquery()
    # through the full-text index, then the few hits sorted: with the LIMIT in sight PostgreSQL may walk a date index
    # instead, misjudging how rare the hits are (a partial index's expression has no statistics until an ANALYZE)
    hits = select(SearchEntry.id, SearchEntry.sort_date).where(*matched).offset(0).subquery()
    return select(hits.c.id, tier).order_by(hits.c.sort_date.desc().nulls_last(), hits.c.id.desc()).limit(end) \
        .subquery()


def _walked(read):
    """`read()` through the sort_date index, newest first, stopping as soon as it has what it needs. PostgreSQL
    would rather take the boundary's whole range in a bitmap and sort it (its estimate of the hits among the
    entries is far too low): 30,000 entries read for a page found among the first 3,000 (278 ms against a few);
    bitmap scans are off while it runs (set once for consecutive walks: `_bitmaps` puts them back)."""
    if db.engine.dialect.name == "postgresql" and not db.session.info.get(_NO_BITMAPS):
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        db.session.info[_NO_BITMAPS] = True
    return read()


def _bitmaps():
    """Bitmap scans back on (the full-text indexes are read only through them), if a walk turned them off."""
    if db.session.info.pop(_NO_BITMAPS, False):  # (an error rolls the transaction back, and SET LOCAL with it)
        db.session.execute(text("RESET enable_bitmapscan"))
