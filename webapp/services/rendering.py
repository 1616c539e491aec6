"""DOCX and PDF of documents: the template context, which template renders, the stored published DOCX."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import os
import shutil
import signal
import subprocess  # noqa: S404 - LibreOffice is run without a shell, on files in a private temp dir
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from webapp import clock
from webapp.extensions import db
from webapp.models import Body, DocTemplate, Document, RenderedDocument, StoredFile, User
from webapp.models.assignment import STATUS_TITLES
from webapp.models.document import (
    TYPE_TITLES,
    AgendaItem,
    DocumentType,
    ParticipantRole,
    Point,
    PointResponsible,
    Stage,
)
from webapp.rendering import defaults, engine, gost, layout, point_notes
from webapp.rendering.budget import RenderLimits
from webapp.rendering.engine import DOCX_CONTENT_TYPE, TemplateRejected
from webapp.rendering.layout import Margins
from webapp.rendering.samples import sample_for
from webapp.ru.dates import format_date_long, format_date_short
from webapp.ru.typography import typeset
from webapp.services.audit import record_event
from webapp.services.emblems import emblem_picture
from webapp.services.errors import Invalid, NotFound
from webapp.services.files import read_bytes, store_bytes
from webapp.services.policy import ensure

DEFAULT_LABELS = {
    "chair": "Председательствовал:",
    "secretary": "Секретарь:",
    "attendees": "Присутствовали:",
    "invited": "Приглашённые:",
    "agenda": "Повестка дня:",
    "heard": "СЛУШАЛИ:",
    "spoke": "ВЫСТУПИЛИ:",
    "decided": "РЕШИЛИ:",
    "meeting_time": "Время проведения:",
    "venue": "Место проведения:",
}

SHEET_TITLES = {"approval_sheet": "Лист согласования", "acknowledgment_sheet": "Лист ознакомления",
                "assignments_report": "Справка о ходе исполнения поручений"}
TEMPLATE_KINDS = {**{t.value: TYPE_TITLES[t] for t in DocumentType}, **SHEET_TITLES}


# --- the template context: plain strings, lists and dicts, never ORM objects --------------------------------

def _short(value: date | None) -> str:
    return format_date_short(value) if value else ""


def _long(value: date | None) -> str:
    return format_date_long(value) if value else ""


class _Points:
    """A document's points, loaded at once, grouped as the templates walk them (walked through the relationships,
    each point cost a query for its sub-points and one for its addressees)."""

    def __init__(self, points: list[Point]):
        self.under: dict[int | None, list[Point]] = defaultdict(list)  # parent id -> its points, in stored order
        for point in points:
            self.under[point.parent_id].append(point)
        self.any_control = any(point.kind == "control" for point in points)

    def of_document(self) -> list[Point]:
        return [p for p in self.under[None] if p.agenda_item_id is None and p.stage_id is None]

    def of_item(self, item: AgendaItem) -> list[Point]:
        return [p for p in self.under[None] if p.agenda_item_id == item.id]

    def of_stage(self, stage: Stage) -> list[Point]:
        return [p for p in self.under[None] if p.stage_id == stage.id]

    def tree(self, points: list[Point], lead_in: tuple[str, ...] = ()) -> tuple[list[dict], list[dict]]:
        """The nested points and the same points flattened in reading order (what the default templates print).
        `lead_in`: texts that lead into every point (a plan's stage title and period)."""
        lines: list[dict] = []
        leads = (point_notes.Lead(texts=lead_in),) if lead_in else ()
        return self._rows(points, 1, lines, leads), lines

    def _rows(self, points: list[Point], level: int, lines: list[dict],
              leads: tuple[point_notes.Lead, ...]) -> list[dict]:
        rows = []
        intro: point_notes.Lead | None = None  # a sibling ending with «:» leads into the unnumbered ones after it
        for point in points:
            if point.number:
                intro = None
            row, lead = self._row(point, level, lines, (*leads, intro) if intro and not point.number else leads)
            rows.append(row)
            if point_notes.opens_list(point.text):
                intro = lead
        return rows

    def _row(self, point: Point, level: int, lines: list[dict],
             leads: tuple[point_notes.Lead, ...]) -> tuple[dict[str, Any], point_notes.Lead]:
        label = point.label
        bodies = [point_notes.BodyNames(shown=b.display_name,
                                        spellings=(b.name, b.short_name or "", *(b.aliases or []), b.dative or ""))
                  for b in point.responsible_bodies]
        deadline = point_notes.Deadline(text=point.deadline_text or "", kind=point.deadline_kind or "",
                                        due=point.deadline, start=point.start_date)
        notes = point_notes.point_notes(point.text, bodies, deadline, leads)
        row: dict[str, Any] = {
            "kind": point.kind, "number": point.number or "", "marker": point.marker or "", "label": label,
            "text": point.text, "full": f"{label} {point.text}".strip() if label else point.text, "level": level,
            "is_assignment": point.is_assignment, "responsible": [body.shown for body in bodies],
            "deadline": _short(point.deadline), "deadline_text": point.deadline_text or "",
            "deadline_note": notes.deadline, "responsible_note": notes.responsible, "notes": notes.lines,
        }
        lines.append(row)
        lead = point_notes.lead_of(point.text, notes, bodies, deadline)
        row["children"] = self._rows(self.under[point.id], level + 1, lines, (*leads, lead))
        return row, lead


PRINTED_COLLECTIONS = frozenset({"participants", "agenda_items", "stages", "signatories", "acknowledgments"})
PRINTED_REFERENCES = frozenset({"issuing_body", "author"})
#: the loader of each relationship document_context reads, built once (building them cost as much as a query)
LOADERS = {name: (joinedload if name in PRINTED_REFERENCES else selectinload)(getattr(Document, name))
           for name in sorted(PRINTED_COLLECTIONS | PRINTED_REFERENCES | {"attachments"})}
POINT_LOADER = selectinload(Point.responsibles).selectinload(PointResponsible.body)


def _load_missing(documents: list[Document], names: frozenset[str]) -> None:
    """Load in one go, for all `documents`, the relationships of `names` that any of them has not loaded yet."""
    missing = sorted(set().union(*(inspect(d).unloaded for d in documents)) & names)
    if missing:
        db.session.scalars(select(Document).where(Document.id.in_([d.id for d in documents]))
                           .options(*(LOADERS[name] for name in missing))).all()


def _load_for_print(document: Document) -> dict[int, _Points]:
    """What document_context reads of the document and its attachments, in a fixed number of queries (none for
    what is loaded already); the points of each, by document id."""
    _load_missing([document], PRINTED_COLLECTIONS | PRINTED_REFERENCES | {"attachments"})
    if document.attachments:
        _load_missing(document.attachments, PRINTED_COLLECTIONS | PRINTED_REFERENCES)
    documents = [document, *document.attachments]
    points: dict[int, list[Point]] = {d.id: _loaded_points(d) for d in documents}
    pending = [d.id for d in documents if points[d.id] is None]
    if pending:
        points.update({i: [] for i in pending})
        for point in db.session.scalars(select(Point).where(Point.document_id.in_(pending))
                                        .order_by(Point.position, Point.id).options(POINT_LOADER)):
            points[point.document_id].append(point)
    return {i: _Points(rows) for i, rows in points.items()}


def _loaded_points(document: Document) -> list[Point] | None:
    """The document's points in stored order when they and their addressees are loaded already (a view that
    showed the tree), else None."""
    if "points" in inspect(document).unloaded:
        return None
    if any("responsibles" in inspect(point).unloaded for point in document.points):
        return None
    return sorted(document.points, key=lambda point: (point.position, point.id))


def _approval_stamp(document: Document) -> list[str]:
    """An attachment's «Утверждено ...» lines: as printed when imported, else made from the approving document."""
    if document.approval_stamp:
        return list(document.approval_stamp)
    parent = document.parent
    if parent is None:
        return []
    body = parent.issuing_body
    return gost.approval_stamp(document.type_title, parent.doc_type, body.name if body else "",
                               _short(parent.reg_date), parent.number or "")


def _date_text(document: Document) -> str:
    """The document's date as printed on an imported sample, else DD.MM.YYYY."""
    return (document.labels or {}).get("date") or _short(document.doc_date)


def document_context(document: Document, with_attachments: bool = True,
                     loaded: dict[int, _Points] | None = None) -> dict[str, Any]:
    """Everything a template prints about one document (the variables are listed in the README)."""
    loaded = loaded or _load_for_print(document)
    tree = loaded[document.id]
    day = document.doc_date
    printed = document.labels or {}
    labels = {key: printed.get(key) or default for key, default in DEFAULT_LABELS.items()}
    groups = []
    by_role = {}
    for role, key in ((ParticipantRole.chair, "chair"), (ParticipantRole.secretary, "secretary"),
                      (ParticipantRole.attendee, "attendees"), (ParticipantRole.invited, "invited")):
        people = [{"name": p.name or "", "position": p.job_title or "", "line": p.line}
                  for p in document.participants_with(role)]
        by_role[key] = people
        if people:
            groups.append({"role": key, "label": labels[key], "people": people})
    agenda = []
    for item in document.agenda_items:
        points, lines = tree.tree(tree.of_item(item))
        numbered = f"{item.number}. {item.title}" if item.number else item.title
        agenda.append({
            "number": item.number or "", "title": item.title, "speakers": item.speakers or "",
            "numbered_title": numbered, "heading": f"{numbered} ({item.speakers})" if item.speakers else numbered,
            "heard": list(item.heard or []), "decided_label": item.decided_label or labels["decided"],
            "discussion": [{"speaker": d.get("speaker", ""), "text": d.get("text", ""),
                            "line": " – ".join(part for part in (d.get("speaker"), d.get("text")) if part)}
                           for d in item.discussion or []],
            "points": points, "lines": lines,
        })
    stages = []
    for stage in document.stages:
        points, lines = tree.tree(tree.of_stage(stage), (stage.title, stage.period_text or ""))
        stages.append({"title": stage.title, "period": stage.period_text or "", "start": _short(stage.start),
                       "end": _short(stage.end), "points": points, "lines": lines})
    points, lines = tree.tree(tree.of_document())
    body = document.issuing_body
    context = {
        "id": document.id, "slug": document.slug or "", "type": document.doc_type,
        "type_title": document.type_title,
        "state": document.state, "draft_mark": bool(document.draft_mark),
        "heading": document.heading or "", "heading_alt": document.heading_alt or "", "title": document.title,
        "number": document.number or "", "date": _short(day), "date_long": _long(day),
        "date_text": _date_text(document),
        "event_date": _short(document.event_date), "place": document.place or "",
        "issuing_body": body.name if body else "", "issuing_body_short": body.display_name if body else "",
        "letterhead": [{"lang": c.get("lang", ""), "lines": list(c.get("lines") or [])}
                       for c in document.letterhead or []],
        "labels": labels, "meeting_time": document.meeting_time or "", "venue": document.venue or "",
        "preamble": list(document.preamble or []),
        "participant_groups": groups, "chairs": by_role["chair"], "secretaries": by_role["secretary"],
        "attendees": by_role["attendees"], "invited": by_role["invited"],
        "agenda": agenda, "decision_heading": document.decision_heading or "",
        "points": points, "lines": lines, "stages": stages, "closing": list(document.closing or []),
        "controller": document.controller_text or "",
        "signatories": [{"position": s.job_title, "name": s.name} for s in document.signatories],
        "acknowledgment": {
            "label": document.acknowledgment_label or "С документом ознакомлены:",
            "people": [{"name": a.person_name, "date": _short(a.acknowledged_at.date()) if a.acknowledged_at else ""}
                       for a in document.acknowledgments],
        },
        "approval_stamp": _approval_stamp(document),
        "attachments": [document_context(a, with_attachments=False, loaded=loaded) for a in document.attachments]
        if with_attachments else [],
    }
    return gost.complete(context, _facts(document, tree.any_control))


def _facts(document: Document, has_control_point: bool) -> gost.Facts:
    """What the GOST layout of a document written in the service needs beyond the printed context."""
    body = document.issuing_body
    author = document.author
    return gost.Facts(
        as_printed=bool(document.slug or document.letterhead or document.labels),
        registered=bool(document.number),
        organisation=gost.Organisation(
            name=body.name, short_name=body.short_name or "", above=list(body.letterhead_above or []),
            name_alt=body.name_alt or "", above_alt=list(body.letterhead_above_alt or []), place=body.place or "",
            address=list(body.address or []), formulas=dict(body.formulas or {}),
            # an attachment (a Положение on the pages after its order) prints no emblem of its own
            emblem=emblem_picture(body) if document.parent is None else None) if body else None,
        formulas=dict(current_app.config.get("DECISION_FORMULAS") or gost.FORMULAS),
        has_control_point=has_control_point,
        executor=gost.Executor(name=author.full_name, phone=author.phone or "") if author else None,
        attendees_listed=int(current_app.config.get("PROTOCOL_ATTENDEES_LISTED", gost.ATTENDEES_LISTED)),
    )


def render_context(document: Document) -> dict[str, Any]:
    return {"doc": document_context(document), "today": _short(clock.today())}


# --- which template ------------------------------------------------------------------------------------------

def margins() -> Margins:
    return Margins.from_config(current_app.config["DOCX_MARGINS_MM"])


@functools.lru_cache(maxsize=64)
def _default_template(name: str, page: Margins) -> bytes:
    return defaults.build(name, page)


def default_template(name: str) -> bytes:
    """The built-in template, built from code once per process (and per margin setting)."""
    if name not in defaults.BUILDERS:
        raise NotFound(f"Нет шаблона «{name}».")
    return _default_template(name, margins())


def _scope(body_id: int | None):
    """Templates of one issuing body, or the organisation-wide ones (body None)."""
    return DocTemplate.body_id.is_(None) if body_id is None else DocTemplate.body_id == body_id


def active_template(name: str, body_id: int | None) -> DocTemplate | None:
    """The issuing body's own active template, else the organisation-wide one, else None (the default); one query
    for both scopes."""
    scopes = or_(_scope(body_id), _scope(None)) if body_id else _scope(None)
    rows = db.session.scalars(select(DocTemplate).where(DocTemplate.doc_type == name, DocTemplate.active.is_(True),
                                                        scopes)).all()
    return min(rows, key=lambda row: row.body_id is None, default=None)  # the body's own first


def _template_bytes(name: str, body_id: int | None) -> tuple[bytes, DocTemplate | None]:
    row = active_template(name, body_id)
    if row is None:
        return default_template(name), None
    return read_bytes(row.file), row


def typeset_context(context: dict[str, Any]) -> dict[str, Any]:
    """webapp.ru.typography.typeset_all, each string and each dict or list typeset once: a point is in the context
    as a node of its tree and as a line, and addressees, deadlines and labels repeat from point to point."""
    strings: dict[str, str] = {}
    walked: dict[int, Any] = {}  # id of a dict or list of the context (alive until this returns) -> its copy

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            done = strings.get(value)
            if done is None:
                done = strings[value] = typeset(value)
            return done
        if not isinstance(value, dict | list):
            return value
        done = walked.get(id(value))
        if done is None:
            done = walked[id(value)] = ({key: walk(inner) for key, inner in value.items()} if isinstance(value, dict)
                                        else [walk(inner) for inner in value])
        return done

    return walk(context)


def render_limits() -> RenderLimits:
    """What one render of a template may spend (TEMPLATE_RENDER_SECONDS, _MAX_LOOP_STEPS, _MAX_OUTPUT_CHARS)."""
    config = current_app.config
    return RenderLimits(render_seconds=float(config["TEMPLATE_RENDER_SECONDS"]),
                        max_loop_steps=int(config["TEMPLATE_MAX_LOOP_STEPS"]),
                        max_output_chars=int(config["TEMPLATE_MAX_OUTPUT_CHARS"]))


def _render(name: str, body_id: int | None, context: dict[str, Any],
            properties: engine.Properties | None = None) -> tuple[bytes, DocTemplate | None]:
    template, row = _template_bytes(name, body_id)
    properties = properties or engine.Properties(title=TEMPLATE_KINDS.get(name, name), author=layout.APPLICATION,
                                                 created=clock.now(), modified=clock.now())
    try:  # typography is the printer's business: the stored text keeps what the author typed
        return engine.render(template, typeset_context(context), render_limits(), properties), row
    except TemplateRejected as exc:
        raise Invalid(f"Документ не удалось сформировать по шаблону: {exc.reason}") from exc


def document_properties(document: Document) -> engine.Properties:
    """Title, author and dates of the file: the document's, not the template's."""
    title = " ".join(part for part in (document.type_title, document.number and f"№ {document.number}",
                                       document.title) if part)
    author = document.author.full_name if document.author else layout.APPLICATION
    return engine.Properties(title=title, author=author, created=document.created_at or clock.now(),
                             modified=clock.now())


def render_document(document: Document) -> bytes:
    """A fresh DOCX of the document as it is now (its attachments follow it, each on a new page)."""
    return _render(document.doc_type, document.issuing_body_id, render_context(document),
                   document_properties(document))[0]


def docx_name(document: Document) -> str:
    if document.slug:
        return f"{document.slug}.docx"
    number = f"-{document.number}" if document.number else ""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in f"{document.doc_type}{number}")
    return f"{safe}-{document.id}.docx"


def stored_docx(document: Document) -> StoredFile | None:
    row = db.session.scalar(select(RenderedDocument).where(RenderedDocument.document_id == document.id))
    return row.file if row else None


def store_published_docx(document: Document) -> StoredFile:
    """Render a published document once and keep the bytes with their SHA-256; later calls return them unchanged."""
    if not document.in_force:
        raise Invalid("Сохранить окончательный DOCX можно только у опубликованного документа.")
    existing = stored_docx(document)
    if existing is not None:
        return existing
    data, template = _render(document.doc_type, document.issuing_body_id, render_context(document),
                             document_properties(document))
    try:
        # Two first downloads at once: the second waits on the first's rows, then reads what it stored.
        with db.session.begin_nested():
            stored = store_bytes(data, docx_name(document), DOCX_CONTENT_TYPE)
            db.session.add(RenderedDocument(document_id=document.id, file_id=stored.id,
                                            template_id=template.id if template else None))
    except IntegrityError:
        return stored_docx(document)
    record_event(None, "document.docx_stored", document,
                 after={"sha256": stored.sha256, "size": stored.size, "template_id": template.id if template else None})
    return stored


def docx_bytes(document: Document) -> bytes:
    """What a download serves: the stored DOCX of a published document, else a fresh rendering."""
    if document.in_force:
        return read_bytes(store_published_docx(document))
    return render_document(document)


# --- PDF via LibreOffice ----------------------------------------------------------------------------------------

class PdfUnavailable(Exception):
    """LibreOffice (soffice) is not installed, or it failed."""


class PdfBusy(PdfUnavailable):
    """Every conversion slot of this host stayed taken for PDF_WAIT_SECONDS."""


def soffice_path() -> str | None:
    return shutil.which(current_app.config["SOFFICE"]) or shutil.which("libreoffice")


@contextlib.contextmanager
def _conversion_slot() -> Iterator[None]:
    """Hold one of PDF_MAX_PROCESSES lock files in the instance folder while LibreOffice runs.

    An flock belongs to an open file, so the limit counts every thread and every worker process of the host, and
    the slot of a worker that dies frees itself. There is no queue: whoever tries first after a slot frees gets it."""
    slots = max(1, int(current_app.config.get("PDF_MAX_PROCESSES", 2)))
    give_up = time.monotonic() + float(current_app.config.get("PDF_WAIT_SECONDS", 20))
    folder = Path(current_app.instance_path) / "pdf-slots"
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        for index in range(slots):
            fd = os.open(folder / f"{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # the only descriptor of this open file: closing it releases the lock
            return
        remaining = give_up - time.monotonic()
        if remaining <= 0:
            raise PdfBusy("Сервер сейчас занят другими преобразованиями в PDF. Попробуйте ещё раз через минуту "
                          "или скачайте DOCX.")
        time.sleep(min(0.1, remaining))


def _run_soffice(command: list[str], env: dict[str, str], timeout: float) -> None:
    """Run LibreOffice in a process group of its own: on timeout the whole group is killed, so no soffice.bin
    outlives its slot (the `soffice` launcher starts it as a child)."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                                   env=env, start_new_session=True)
    except OSError as exc:
        raise PdfUnavailable("LibreOffice не смог преобразовать документ в PDF.") from exc
    try:
        process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):  # the group ended the moment the wait did
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfUnavailable(f"LibreOffice не успел преобразовать документ в PDF за {timeout:g} с.") from exc
    if process.returncode != 0:
        raise PdfUnavailable("LibreOffice не смог преобразовать документ в PDF.")


def pdf_converter() -> str:
    """LibreOffice's binary; PdfUnavailable, with the message for the user, when the server has none."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable("PDF недоступен: на сервере не установлен LibreOffice (soffice). "
                             "Скачайте DOCX или попросите администратора установить LibreOffice.")
    return binary


def docx_to_pdf(data: bytes, timeout: float | None = None) -> bytes:
    """Convert with `soffice --headless --convert-to pdf` in a private temp dir (its own profile, so runs overlap),
    at most PDF_MAX_PROCESSES at once on this host; PdfBusy after PDF_WAIT_SECONDS without a free slot."""
    return docx_to_pdfs([data], timeout)[0]


def docx_to_pdfs(documents: list[bytes], timeout: float | None = None) -> list[bytes]:
    """Several DOCX converted as docx_to_pdf converts one, in one LibreOffice start (starting it is most of a
    conversion's time), holding one slot; `timeout` is each document's, so the run may take their sum."""
    binary = pdf_converter()
    timeout = (timeout or int(current_app.config["PDF_TIMEOUT"])) * len(documents)
    with tempfile.TemporaryDirectory(prefix="docflow-pdf-") as tmp:
        stems = ["document", *(f"document-{index}" for index in range(2, len(documents) + 1))]
        for stem, data in zip(stems, documents, strict=True):
            Path(tmp, f"{stem}.docx").write_bytes(data)
        profile = Path(tmp, "profile").as_uri()
        command = [binary, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
                   "--convert-to", "pdf", "--outdir", tmp, *(str(Path(tmp, f"{stem}.docx")) for stem in stems)]
        with _conversion_slot():
            _run_soffice(command, {**os.environ, "HOME": tmp}, timeout)
        targets = [Path(tmp, f"{stem}.pdf") for stem in stems]
        if not all(target.exists() for target in targets):
            raise PdfUnavailable("LibreOffice не смог преобразовать документ в PDF.")
        return [target.read_bytes() for target in targets]


def pdf_name(document: Document) -> str:
    return docx_name(document)[: -len(".docx")] + ".pdf"


# --- sheets: approval, acknowledgment, assignments report ----------------------------------------------------

def _sheet_doc(document: dict[str, Any]) -> dict[str, Any]:
    return {"type_title": document.get("type_title", ""), "number": document.get("number", ""),
            "date_text": document.get("date_text", ""), "title": document.get("title", "")}


def render_approval_sheet(document: dict[str, Any], rounds: list[dict[str, Any]], body_id: int | None = None) -> bytes:
    """Лист согласования from plain data: document {type_title, number, date_text, title} and rounds
    [{number, mode, steps: [{number, position, name, decision, comment, date}]}]."""
    context = {"doc": _sheet_doc(document), "rounds": rounds}
    return _render("approval_sheet", body_id, context)[0]


def sheet_heading(document: Document) -> dict[str, Any]:
    """What a sheet prints about its document: type, number, date, title."""
    return {"type_title": document.type_title, "number": document.number or "", "date_text": _date_text(document),
            "title": document.title}


def approval_sheet_docx(document: Document) -> bytes:
    """The document's лист согласования: every round of its approval route."""
    return render_approval_sheet(sheet_heading(document), approval_rounds(document), document.issuing_body_id)


def acknowledgment_sheet_docx(document: Document) -> bytes:
    """The document's лист ознакомления: who acknowledged it and when."""
    return render_acknowledgment_sheet(sheet_heading(document), acknowledgment_people(document),
                                       document.issuing_body_id)


def render_acknowledgment_sheet(document: dict[str, Any], people: list[dict[str, Any]],
                                body_id: int | None = None) -> bytes:
    """Лист ознакомления from plain data: people [{number, name, position, date}]."""
    return _render("acknowledgment_sheet", body_id, {"doc": _sheet_doc(document), "people": people})[0]


def render_assignments_report(rows: list[dict[str, Any]], as_of: date, subtitle: str = "", signer: str = "") -> bytes:
    """Справка о ходе исполнения поручений from plain rows [{number, document, point, action, responsible,
    deadline, status, days_overdue, done}] (status in words, deadline as DD.MM.YYYY)."""
    numbered = [{**row, "number": row.get("number") or index} for index, row in enumerate(rows, 1)]
    context = {"as_of": _short(as_of), "subtitle": subtitle, "signer": signer, "rows": numbered,
               "total": len(rows), "done": sum(1 for r in rows if r.get("done")),
               "overdue": sum(1 for r in rows if r.get("days_overdue"))}
    return _render("assignments_report", None, context)[0]


def report_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the overdue/dashboard lists (OverdueRow.as_dict) as the assignments report prints them."""
    out = []
    for row in rows:
        number = f" № {row['document_number']}" if row.get("document_number") else ""
        day = date.fromisoformat(row["document_date"]) if row.get("document_date") else None
        deadline = date.fromisoformat(row["deadline"]) if row.get("deadline") else None
        dated = f" от {_short(day)}" if day else ""  # a reference: «от ДД.ММ.ГГГГ № N»
        out.append({"document": f"{row['document_title'][:120]}{dated}{number}",
                    "point": row.get("point") or "", "action": row.get("action") or "",
                    "responsible": row.get("responsible") or "", "deadline": _short(deadline) or "—",
                    "status": STATUS_TITLES.get(row.get("status"), row.get("status") or "").lower(),
                    "days_overdue": row.get("days_overdue") or 0, "done": row.get("status") == "done"})
    return out


def approval_rounds(document: Document) -> list[dict[str, Any]]:
    """The document's approval route as the sheet prints it, oldest round first."""
    rounds: dict[int, list] = {}
    for step in document.approval_steps:
        rounds.setdefault(step.round, []).append(step)
    mode = "одновременно" if document.approval_mode == "parallel" else "последовательно"
    return [{"number": number, "mode": mode, "steps": [
        {"number": index, "position": s.user.position or "", "name": s.user.full_name, "decision": s.decision_title,
         "comment": s.comment or "", "date": clock.local_time_text(s.decided_at)}
        for index, s in enumerate(steps, 1)]} for number, steps in sorted(rounds.items())]


def acknowledgment_people(document: Document) -> list[dict[str, Any]]:
    return [{"number": index, "name": a.person_name, "position": (a.user.position or "") if a.user else "",
             "date": clock.local_time_text(a.acknowledged_at)} for index, a in enumerate(document.acknowledgments, 1)]


# --- custom templates -------------------------------------------------------------------------------------------

def upload_template(user: User, name: str, body_id: int | None, filename: str, data: bytes) -> DocTemplate:
    """Check the upload, render it with the sample context, store it as the next version and make it active."""
    ensure(user, "administer")  # templates change every document the organisation prints
    if name not in TEMPLATE_KINDS:
        raise Invalid(f"Неизвестный вид шаблона: {name}.")
    if body_id is not None and db.session.get(Body, body_id) is None:
        raise Invalid("Такого органа нет.")
    if not filename.lower().endswith(".docx"):
        raise Invalid("Шаблон должен быть файлом .docx.")
    limits = engine.Limits(max_bytes=int(current_app.config["TEMPLATE_MAX_BYTES"]),
                           **dataclasses.asdict(render_limits()))
    try:
        engine.validate(data, sample_for(name), limits)  # every documented variable filled
    except TemplateRejected as exc:
        raise Invalid(exc.reason) from exc
    stored = store_bytes(data, filename, DOCX_CONTENT_TYPE)
    scope = _scope(body_id)
    last = db.session.scalar(select(func.max(DocTemplate.version)).where(DocTemplate.doc_type == name, scope)) or 0
    for row in db.session.scalars(select(DocTemplate).where(DocTemplate.doc_type == name, scope,
                                                            DocTemplate.active.is_(True))):
        row.active = False
    row = DocTemplate(doc_type=name, body_id=body_id, version=last + 1, file_id=stored.id, uploaded_by_id=user.id,
                      active=True)
    db.session.add(row)
    db.session.flush()
    record_event(user, "template.upload", row, after={"kind": name, "body_id": body_id, "version": row.version,
                                                      "sha256": stored.sha256, "file": stored.original_name})
    return row


def activate_template(user: User, template_id: int) -> DocTemplate:
    """Make one stored version the active one of its kind and scope (a rollback)."""
    ensure(user, "administer")
    row = db.session.get(DocTemplate, template_id)
    if row is None:
        raise NotFound("Такой версии шаблона нет.")
    scope = _scope(row.body_id)
    for other in db.session.scalars(select(DocTemplate).where(DocTemplate.doc_type == row.doc_type, scope)):
        other.active = other.id == row.id
    db.session.flush()
    record_event(user, "template.activate", row, after={"kind": row.doc_type, "body_id": row.body_id,
                                                        "version": row.version})
    return row


def deactivate_templates(user: User, name: str, body_id: int | None) -> None:
    """Go back to the default template (or the organisation-wide one) for this kind and scope."""
    ensure(user, "administer")
    scope = _scope(body_id)
    for row in db.session.scalars(select(DocTemplate).where(DocTemplate.doc_type == name, scope)):
        row.active = False
    db.session.flush()
    record_event(user, "template.deactivate", None, after={"kind": name, "body_id": body_id})
