"""Import: an existing document (DOCX, text, PDF) is read, its structure and assignments are extracted for the
secretary to review, and saved as a draft, or as an archive document in force with its own number and date.

Nothing becomes a document, a body or an assignment before the secretary confirms: an upload only keeps the file's
text and what extraction found (an `ImportItem`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.models import Body, Document, DocumentType, ImportItem, ImportStatus, User
from webapp.models.document import TYPE_TITLES
from webapp.ru.morph import to_dative
from webapp.services import numbering
from webapp.services.audit import record_event
from webapp.services.documents import AgendaData, DraftData, PointData, create_draft, read_deadline
from webapp.services.errors import Invalid
from webapp.services.policy import ensure, in_scope
from webapp.services.transitions import put_under_control
from webapp.services.users import find_named_user
from webapp.sources import SourceError, read_source

BODY_MATCH_SCORE = 90  # rapidfuzz's token_sort_ratio from which a name in the text is taken for a known body


# --- reading --------------------------------------------------------------------------------------------------------


class ImportRefused(Exception):
    """A file the command line could not import (the reason, Russian as the pages say it)."""


@dataclass
class Refused:
    filename: str
    reason: str


def upload(user: User, files: list[tuple[str, bytes]]) -> tuple[list[ImportItem], list[Refused]]:
    """Read and extract each file; a file that cannot be read is refused with the reason and leaves nothing."""
    from webapp.ru.extract import extract  # its patterns take ~0.4 s and ~6 MB: built with the first import

    ensure(user, "import_documents")
    items, refused = [], []
    limit = int(current_app.config["IMPORT_MAX_BYTES"])
    for filename, data in files:
        name = (filename or "документ").replace("\\", "/").rsplit("/", 1)[-1][:300]
        try:
            source = read_source(name, data, max_bytes=limit)
        except SourceError as exc:
            refused.append(Refused(name, exc.reason))
            continue
        if not source.text.strip():
            refused.append(Refused(name, "В файле нет текста."))
            continue
        found = extract(source.text, name)
        item = ImportItem(user_id=user.id, filename=name, kind=source.kind, source_text=source.text,
                          extraction=found.as_dict(), status=ImportStatus.pending)
        db.session.add(item)
        items.append(item)
    db.session.flush()
    return items, refused


def pending_items(user: User) -> list[ImportItem]:
    return list(db.session.scalars(select(ImportItem).where(ImportItem.user_id == user.id,
                                                             ImportItem.status == ImportStatus.pending)
                                   .order_by(ImportItem.id)))


# --- bodies ---------------------------------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return " ".join(name.replace("«", '"').replace("»", '"').replace("ё", "е").lower().split())


def body_spellings() -> dict[str, int]:
    """Every known spelling of every body (its name, short name and aliases, normalised) -> the body's id, the
    first by id where two share one, an open body before a closed one (a merged body's names are aliases of the
    body that took it over): the columns only, read once for all the names of a document (whole bodies, read again
    for each name, took most of a review page's second at 5,000 bodies)."""
    spellings: dict[str, int] = {}
    for body_id, *names in db.session.execute(select(Body.id, Body.name, Body.short_name, Body.aliases)
                                              .order_by(Body.closed_at.is_not(None), Body.id)):
        for candidate in (names[0], names[1], *(names[2] or [])):
            if candidate:
                spellings.setdefault(_normal(candidate), body_id)
    return spellings


def _matched_id(name: str | None, spellings: dict[str, int]) -> int | None:
    if not name or not name.strip():
        return None
    from rapidfuzz import fuzz, process  # loaded with the first import of documents, not at start

    found = process.extractOne(_normal(name), list(spellings), scorer=fuzz.token_sort_ratio,
                               score_cutoff=BODY_MATCH_SCORE)
    return spellings[found[0]] if found else None


def match_body(name: str | None, spellings: dict[str, int] | None = None) -> Body | None:
    """The known body a name found in a text stands for: its full name, short name or an alias, spelt a little
    differently (quotes, case, word order, a typo); None when none is close enough (a new body is proposed)."""
    body_id = _matched_id(name, body_spellings() if spellings is None else spellings)
    return db.session.get(Body, body_id) if body_id is not None else None


def _matches(names: list[str | None]) -> dict[str, Body]:
    """match_body for every name of a document at once: the directory's spellings read once, the bodies found in
    one statement."""
    spellings = body_spellings()
    ids = {name: _matched_id(name, spellings) for name in dict.fromkeys(n for n in names if n)}
    found = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_({i for i in ids.values() if i})))}
    return {name: found[body_id] for name, body_id in ids.items() if body_id in found}


# --- what the review form starts from -------------------------------------------------------------------------------


@dataclass
class Proposal:
    """The review form's starting values and, per form field, why a person should look at it."""

    data: dict
    flags: dict[str, list[str]] = field(default_factory=dict)

    def flag(self, name: str, reason: str) -> None:
        self.flags.setdefault(name, []).append(reason)


def proposal(item: ImportItem) -> Proposal:
    """The extraction as the review form's values: requisites, participants, agenda, every point with its
    responsible bodies (a known body chosen, an unknown one proposed as new) and its deadline phrase."""
    found = item.extraction
    doc_type = found.get("doc_type") if found.get("doc_type") in DocumentType.__members__ else "decision"
    heading = TYPE_TITLES[DocumentType(doc_type)].upper()
    title = found.get("title") or ""
    if title.upper().startswith(heading + " "):  # «ПРОТОКОЛ совещания …»: the heading is printed on its own line
        title = title[len(heading) + 1:]
    attendees = [", ".join(part for part in (a.get("name"), a.get("position")) if part)
                 for a in found.get("attendees") or []] or list(found.get("participants") or [])
    data = {
        "doc_type": doc_type, "title": title, "number": found.get("number") or "",
        "event_date": _short(found.get("date")), "place": found.get("place") or "",
        "heading": heading, "chair": found.get("chair") or "", "secretary": found.get("secretary") or "",
        "attendees": "\n".join(a for a in attendees if a),
        "agenda": [{"title": title} for title in found.get("agenda") or []],
        "controller_text": found.get("controller") or "",
        "signer_title": (found.get("signatory") or {}).get("position") or "",
        "signer_name": (found.get("signatory") or {}).get("name") or "",
        "save_as": "draft" if found.get("status_mark") else "archive",
    }
    result = Proposal(data)
    if found.get("doc_type") not in DocumentType.__members__:
        result.flag("doc_type", "Вид документа не определён: выберите его.")
    rows, where = rows_of(item)
    names_of = [[n.strip() for n in (point.get("responsible_nominative") or "").split(";") if n.strip()]
                for point, _directive, _text in rows]
    known = _matches([found.get("issuing_body"), *(name for names in names_of for name in names)])
    issuing = known.get(found.get("issuing_body") or "")
    data["issuing_body"] = issuing.id if issuing else 0
    if found.get("issuing_body") and issuing is None:
        result.flag("issuing_body", f"Орган «{found['issuing_body']}» не найден в справочнике.")
    elif issuing is not None and _normal(issuing.name) != _normal(found["issuing_body"]):
        result.flag("issuing_body", f"В бланке: «{found['issuing_body']}» — проверьте, тот ли это орган.")
    agenda_count = len(data["agenda"])
    reference = date.fromisoformat(found["date"]) if found.get("date") else clock.today()
    from webapp.ru.directives import UNREAD  # extraction's own remark on such a phrase (loaded with extraction)

    unread_flagged = set()
    data["points"] = []
    for index, ((point, directive, text), names) in enumerate(zip(rows, names_of, strict=True)):
        matched = [known.get(name) for name in names]
        people = [name for name, body in zip(names, matched, strict=True) if body is None and _is_person(name)]
        for person in people:  # «Ответственный: Иванова И.И.»: the person's body, when she has an account
            user = find_named_user(person)
            if user is not None and user.bodies:
                matched[names.index(person)] = user.bodies[0]
            else:
                result.flag(f"points-{index}-responsible", f"Ответственное лицо «{person}»: выберите его орган.")
        number, label = _clean_number(row_number(point))
        text, deadline = keep_unread_deadline(text, point.get("deadline_text") or "", reference)
        if not deadline and point.get("deadline_text"):
            unread_flagged.add(f"points-{index}-deadline")
            result.flag(f"points-{index}-deadline", f"Срок не распознан как дата: «{_phrase(point['deadline_text'])}»"
                                                    "; он оставлен в тексте пункта, проверьте.")
        data["points"].append({
            "number": number, "text": f"{label} {text}".strip() if label else text,
            "responsible": [b.id for b in matched if b is not None],
            "new_body": "; ".join(n for n, b in zip(names, matched, strict=True) if b is None and n not in people),
            "deadline": deadline, "agenda": _agenda_of(row_number(point), agenda_count)})
        if data["points"][-1]["new_body"]:
            result.flag(f"points-{index}-new_body", "Такого органа нет в справочнике: он будет создан при "
                                                    "сохранении, или выберите существующий.")
        if directive and not names:
            result.flag(f"points-{index}-responsible", "Не найден ответственный.")
    for path, reason in found.get("flags") or []:
        name = form_field(path, where)
        if name and not (name in unread_flagged and reason.startswith(UNREAD.partition("{")[0])):  # said above
            result.flag(name, reason)
    return result


_LABEL = re.compile(r"^\s*срок(?:\s+исполнения)?\s*[:\-–—]\s*", re.I)


def _phrase(deadline: str) -> str:
    """A deadline phrase without its «Срок:» label and closing punctuation."""
    return _LABEL.sub("", " ".join(deadline.split())).rstrip(" .;,")


def keep_unread_deadline(text: str, deadline: str, reference: date) -> tuple[str, str]:
    """A point's text and deadline phrase as the draft keeps them: a phrase that does not read as a date or period
    («в период летней оздоровительной кампании 2025 года», «в ходе подготовки к …») is never dropped: it goes
    into the point's text («… Срок: в период …», unless the text says it already) and the deadline is left
    empty, for a person to set. A phrase that reads stays the point's deadline."""
    if not deadline.strip():
        return text, ""
    try:
        read_deadline(deadline, reference)
    except Invalid:
        phrase = _phrase(deadline)
        if not phrase or _normal(phrase) in _normal(text):
            return text, ""
        base = text.rstrip()
        if base and not base.endswith((".", "!", "?", ":")):
            base += "."
        return f"{base} Срок: {phrase}".strip(), ""
    return text, deadline


def rows_of(item: ImportItem) -> tuple[list[tuple[dict, bool, str]], dict[str, int]]:
    """Every decision point in the order of the text: the assignments and the other points («принять к сведению»),
    each with whether it is a directive and its text as the document words it; and where each extraction path
    («assignments.3») went among the rows."""
    found, text = item.extraction, item.source_text
    spans = found.get("spans") or {}
    rows = []
    for index, point in enumerate(found.get("assignments") or []):
        prefix = f"assignments.{index}"
        rows.append((_first(spans, prefix), prefix, point, True, _worded(text, spans, prefix) or point["action"]))
    for index, point in enumerate(found.get("other_points") or []):
        prefix = f"other_points.{index}"
        rows.append((_first(spans, prefix), prefix, point, False, point.get("text") or ""))
    rows.sort(key=lambda row: row[0])
    return [(point, directive, words) for _, _, point, directive, words in rows], \
        {prefix: position for position, (_, prefix, *_rest) in enumerate(rows)}


def _first(spans: dict, prefix: str) -> int:
    starts = [span[0] for path, found in spans.items() if path == prefix or path.startswith(prefix + ".")
              for span in found]
    return min(starts, default=10**9)


def _worded(text: str, spans: dict, prefix: str) -> str | None:
    """A directive as its line words it: from an inline addressee («Отделу … обеспечить») or the action, to the
    end of the action or of a deadline phrase after it on the same line; None when the spans do not say."""
    action = spans.get(f"{prefix}.action")
    if not action:
        return None
    start, end = action[0][0], action[-1][1]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) if text.find("\n", end) != -1 else len(text)
    for key in ("responsible", "deadline"):
        for span_start, span_end in spans.get(f"{prefix}.{key}") or []:
            if line_start <= span_start and span_end <= line_end:
                start, end = min(start, span_start), max(end, span_end)
    worded = " ".join(text[start:end].split()).strip(" ;,")
    return worded[0].upper() + worded[1:] if worded else None


_PERSON = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s*(?:[А-ЯЁ]\.)?$"
                     r"|^[А-ЯЁ]\.\s*(?:[А-ЯЁ]\.)?\s*[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")


def _is_person(name: str) -> bool:
    """«Иванова И.И.», «И.И. Иванова»: a person named as responsible, not a body."""
    return bool(_PERSON.match(name.strip()))


def row_number(point: dict) -> str:
    return str(point.get("point") or point.get("number") or "")


def _clean_number(label: str) -> tuple[str, str]:
    """A point's label as the draft keeps it: «1.2.1» (digits and dots, no trailing dot); any other label («а)»,
    «IV.») stays in front of the text instead."""
    number = label.strip().rstrip(".)")
    if number and all(part.isdigit() for part in number.split(".")):
        return number, ""
    return "", label.strip()


def draft_data(start: Proposal) -> tuple[DraftData, dict[int, str]]:
    """The proposal as the draft service takes it, without a person's review (the command line's import): points
    without text are dropped, a deadline phrase that does not read is kept in the point's text."""
    values = start.data
    agenda = [AgendaData(title=a["title"]) for a in values["agenda"] if (a.get("title") or "").strip()]
    reference = date.fromisoformat(_iso(values["event_date"])) if values["event_date"] else clock.today()
    points, new_bodies = [], {}
    for row in values["points"]:
        if not row["text"].strip():
            continue
        text, deadline = keep_unread_deadline(row["text"].strip(), row["deadline"] or "", reference)
        if row["new_body"] and not row["responsible"]:
            new_bodies[len(points)] = row["new_body"]
        index = row["agenda"] - 1 if row["agenda"] and row["agenda"] <= len(agenda) else None
        points.append(PointData(text=text, number=row["number"] or None, agenda_index=index,
                                responsible_ids=list(row["responsible"]), deadline_text=deadline or None))
    signatories = [(values["signer_title"], values["signer_name"])] if values["signer_name"] else []
    data = DraftData(
        doc_type=values["doc_type"], title=values["title"] or "Без заголовка", heading=values["heading"],
        event_date=date.fromisoformat(_iso(values["event_date"])) if values["event_date"] else None,
        place=values["place"] or None, chair=values["chair"] or None, secretary=values["secretary"] or None,
        attendees=[(line, None) for line in values["attendees"].splitlines() if line.strip()], agenda=agenda,
        points=points, controller_text=values["controller_text"] or None, signatories=signatories)
    return data, new_bodies


def _iso(short: str) -> str:
    day, month, year = short.split(".")
    return f"{year}-{month}-{day}"


def _agenda_of(number: str, agenda_count: int) -> int | None:
    """A protocol's point 2.1 belongs to agenda item 2 (when there is one)."""
    head = number.split(".", 1)[0]
    return int(head) if head.isdigit() and 1 <= int(head) <= agenda_count and "." in number else None


def form_field(path: str, where: dict[str, int] | None = None) -> str | None:
    """An extraction field path («assignments.3.deadline», «title») as the review form's field name; `where` says
    which form row each extracted point became."""
    parts = path.split(".")
    if parts[0] in ("assignments", "other_points") and len(parts) >= 2 and parts[1].isdigit():
        row = (where or {}).get(f"{parts[0]}.{parts[1]}")
        if row is None:
            return None
        column = {"action": "text", "text": "text", "deadline": "deadline", "deadline_text": "deadline",
                  "responsible": "responsible", "responsible_nominative": "new_body", "point": "number"}
        return f"points-{row}-{column.get(parts[2] if len(parts) > 2 else 'text', 'text')}"
    return {"date": "event_date", "participants": "attendees", "signatory": "signer_name", "agenda": "agenda",
            "controller": "controller_text", "status_mark": "save_as"}.get(parts[0], parts[0])


def _short(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y") if iso else ""


# --- saving ---------------------------------------------------------------------------------------------------------


def _item_for(user: User, item: ImportItem) -> None:
    ensure(user, "review_import", item)
    if item.status != ImportStatus.pending:
        raise Invalid("Этот документ уже сохранён или отброшен.")


def save(user: User, item: ImportItem, data: DraftData, *, archive: bool, number: str | None,
         issuing_body_id: int | None, new_bodies: dict[int, str]) -> Document:
    """Create what the secretary confirmed: the new bodies they accepted, then the document, as a draft or as an
    archive document in force (its own number and date kept, numbering untouched, its assignments under control)."""
    _item_for(user, item)
    ensure(user, "create_document")
    for index, names in new_bodies.items():
        point = data.points[index]
        for name in [n.strip() for n in names.split(";") if n.strip()]:
            body = match_body(name) or _new_body(user, name)
            point.responsible_ids.append(body.id)
    if issuing_body_id and not in_scope(user, issuing_body_id):
        # A form correction, not a refusal: the letterhead named another body (or a name it shares).
        body = db.session.get(Body, issuing_body_id)
        raise Invalid(f"Издающий орган «{body.display_name if body else issuing_body_id}» не входит в органы, от "
                      "имени которых вы работаете. Выберите в поле «Издающий орган» свой орган (или оставьте поле "
                      "пустым).")
    document = create_draft(user, data, archive=archive)
    if issuing_body_id and db.session.get(Body, issuing_body_id) is not None:
        document.issuing_body_id = issuing_body_id
        db.session.flush()
        db.session.expire(document, ["issuing_body"])
    if archive:
        _archive(user, document, number)
    item.status, item.document_id = ImportStatus.saved, document.id
    db.session.flush()
    record_event(user, "document.import", document, after={
        "file": item.filename, "kind": item.kind, "archive": archive, "number": document.number,
        "points": len(data.points)})
    return document


def _archive(user: User, document: Document, number: str | None) -> None:
    number = (number or "").strip()
    if not number or document.event_date is None:
        raise Invalid("Для документа из архива нужны его номер и дата.")
    if len(number) > 60:
        raise Invalid("Слишком длинный номер документа.")
    numbering.ensure_unused(document, number)
    document.number, document.reg_date = number, document.event_date
    document.state, document.draft_mark = "published", False  # as it was signed: no route is replayed
    document.updated_at = clock.now()
    db.session.flush()
    put_under_control(user, document)


def _new_body(user: User, name: str) -> Body:
    if len(name) > 500:
        raise Invalid("Слишком длинное название органа.")
    body = Body(name=name, dative=to_dative(name))
    db.session.add(body)
    db.session.flush()
    record_event(user, "body.create", body, after={"name": name, "from": "import"})
    return body


def discard(user: User, item: ImportItem) -> None:
    _item_for(user, item)
    item.status = ImportStatus.discarded
    db.session.flush()
