"""Structured data from an imported document's text (as DOCX/PDF extraction leaves it): its requisites, meeting,
decisions and assignments, with the spans of the text each came from and the doubts a person should check.

The text is cleaned into logical lines (ru.cleanup); what surrounds the decisions is read by ru.requisites; the
decision parts («ПРИКАЗЫВАЮ:», «РЕШИЛИ:», addressee blocks, stages of a plan, tables of measures) are nested into
points and headings here, and each directive is read by ru.directives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from .cleanup import ITEM_MARKER, Line, clean
from .deadlines import BY, FROM, NONE, ONGOING, Deadline, is_ongoing_verb
from .directives import (
    DALEE,
    UNREAD,
    DeadlineReader,
    Due,
    Parsed,
    Piece,
    Span,
    addressee_like,
    analyse,
    first_infinitive,
    forget_texts,
    is_statement,
    lemma,
    lower_first,
    nominative,
    piece,
    responsible_piece,
    rstrip_punct,
    starts_in,
    strip_end,
    tidy,
    trim,
)
from .requisites import CONTROL, DRAFT_MARK, Parts, marker_end, read_parts

# The extraction schema's vocabulary (shared/corpus/README.md).
DOC_TYPES = ("order", "protocol", "decision", "resolution", "regulation", "plan", "other")


# --- the result ------------------------------------------------------------------------------------------------------


class Flag(NamedTuple):
    """Something a person must check: the field's path («assignments.3.deadline») and why, in Russian."""

    path: str
    reason: str


@dataclass
class Signatory:
    position: str | None
    name: str | None


@dataclass
class Attendee:
    """A participant of a meeting: a person with their position, or a group («Представители …») without a name."""

    name: str | None
    position: str | None


@dataclass
class ExtractedAssignment:
    """One directive to act, as the gold schema describes it, and whether it is only recommended."""

    point: str | None
    responsible: str | None
    responsible_nominative: str | None
    action: str
    deadline_text: str | None = None
    deadline: date | None = None
    start: date | None = None
    deadline_kind: str = NONE
    controller: str | None = None
    recommendation: bool = False


@dataclass
class OtherPoint:
    """A decision point that is not an assignment: «Принять информацию к сведению», «Утвердить положение»."""

    point: str | None
    text: str


@dataclass
class Extraction:
    """What extraction found in one document. `spans` maps a field's path («title», «assignments.3.action») to
    the (start, end) offsets in the input text it came from; `flags` are (path, reason) pairs to check."""

    file: str = ""
    doc_type: str = "other"
    title: str | None = None
    number: str | None = None
    date: date | None = None
    place: str | None = None
    status_mark: str | None = None
    chair: str | None = None
    secretary: str | None = None
    participants: list[str] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    assignments: list[ExtractedAssignment] = field(default_factory=list)
    issuing_body: str | None = None
    signatory: Signatory | None = None
    controller: str | None = None
    attendees: list[Attendee] = field(default_factory=list)
    other_points: list[OtherPoint] = field(default_factory=list)
    spans: dict[str, list[Span]] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The gold schema's fields (dates in ISO), the service's own, and the spans and flags as JSON lists."""
        return {
            "file": self.file, "doc_type": self.doc_type, "title": self.title, "number": self.number,
            "date": _iso(self.date), "place": self.place, "status_mark": self.status_mark, "chair": self.chair,
            "secretary": self.secretary, "participants": list(self.participants), "agenda": list(self.agenda),
            "assignments": [
                {**vars(a), "deadline": _iso(a.deadline), "start": _iso(a.start)} for a in self.assignments],
            "issuing_body": self.issuing_body,
            "signatory": vars(self.signatory).copy() if self.signatory else None,
            "controller": self.controller,
            "attendees": [vars(a).copy() for a in self.attendees],
            "other_points": [vars(p).copy() for p in self.other_points],
            "spans": {path: [list(span) for span in spans] for path, spans in self.spans.items()},
            "flags": [list(flag) for flag in self.flags],
        }

    as_json = as_dict

    def flag(self, path: str, reason: str) -> None:
        if Flag(path, reason) not in self.flags:
            self.flags.append(Flag(path, reason))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def extract(text: str, file: str = "", reference: date | None = None) -> Extraction:
    """Read a document's text into the extraction schema.

    `reference` stands in for the document's date when the text has none (the import's date, say): it only
    completes deadlines written without a year. Without either, such deadlines keep their text and are flagged.
    """
    try:
        return _Extractor(text, file, reference).run()
    finally:
        forget_texts()


# --- vocabulary of decisions -----------------------------------------------------------------------------------------

# Directives the document itself carries out: they need no one to act unless an addressee is named.
_ACT_VERBS = frozenset({
    "утвердить", "одобрить", "признать", "отменить", "считать", "согласиться", "поддержать", "отметить",
    "объявить", "наградить", "вручить", "выразить", "внести", "назначить", "возложить", "ввести",
    "установить", "определить", "присвоить", "наделить", "исключить", "включить", "продлить", "согласовать",
})
_ACT_ALWAYS = re.compile(r"\bк\s+сведению\b|\bпринять\s+(?:информацию|доклад|отч[её]т)\b(?!.*\bпо\s+)"
                         r"|\bвступа\w+\s+в\s+силу\b|\bвступил\w*\s+в\s+силу\b|\bутрачива\w+\s+силу", re.IGNORECASE)
_ACT_CREATE = re.compile(r"^создать\b.*(?:в\s+составе|согласно\s+приложению|в\s+следующем\s+составе)", re.I)
_BLOCK_END = re.compile(
    r"^(?:\d{1,2}\.?\s*)?(?:слушали\b|выступили\b|выступил[аи]?\b|докладчик|доклад\s*[:–—-]|голосовали\b"
    r"|голосование\b|итоги\s+голосования|за\s*[-–—:]\s*\d|утвержд[её]н[аоы]?(?:\s|$|:)|согласовано"
    r"|приложени[ея]\s*(?:№\s*)?\d*\s*(?:$|:|\.|к\s+(?:приказу|решению|постановлению|распоряжению|протоколу))"
    r"|с\s+(?:приказом|распоряжением|постановлением|решением)\s+ознакомлен|лист\s+(?:ознакомления|согласования)"
    r"|по\s+(?:первому|второму|третьему|четв[её]ртому|пятому|шестому|седьмому|восьмому|девятому|десятому|\d+)"
    r"(?:-?му)?\s+вопросу)",
    re.IGNORECASE,
)
_LABELLED_DEADLINE = re.compile(
    r"^(?:срок(?:и)?(?:\s+(?:исполнения|выполнения|представления|реализации|проведения))?)\s*[:–—-]\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_LABELLED_RESPONSIBLE = re.compile(r"^(?:ответственн\w*(?:\s+исполнител\w*)?|исполнител[ьи])\s*[:–—-]\s*",
                                   re.IGNORECASE)
_STAGE = re.compile(  # used with match() from a cell's start: no «^»
    r"(?:(?P<n>[IVX]{1,4}|\d{1,2}|перв\w+|втор\w+|трет\w+|четв[её]рт\w+|пят\w+|шест\w+)(?:-?(?:й|ый|ой))?\s+этап"
    r"|этап\s+(?:[IVX]{1,4}|\d{1,2}))\s*[.:–—-]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# «(2025–2026 годы) – основной:» → «2025–2026 годы»; «1 этап: 2015 – 2016 гг» → «2015 – 2016 гг»
_STAGE_PERIOD = re.compile(r"\(?(?P<period>.*?)(?:\)|\s[–—-]\s(?!\d)|:|$)")
_END_OF_STAGES = re.compile(r"^(?:ожидаемые\s+результаты|цел[ьи]|задачи|приложение)\b", re.IGNORECASE)
_SECTION = re.compile(r"^(?:[IVX]{1,5}\.|раздел\s+[IVX\d]+|глава\s+[IVX\d]+\.)\s*\S", re.IGNORECASE)
_TABLE_ROLES = (
    ("number", re.compile(r"^(?:№|n|no)(?:\s*п/?п)?\.?$|^п/п$|^№\s*пункта", re.IGNORECASE)),
    ("deadline", re.compile(r"срок|дата\s+исполнения|период\s+(?:исполнения|проведения|реализации)|^дата$"
                            r"|^когда$|^период$", re.IGNORECASE)),
    ("responsible", re.compile(r"ответствен|исполнител|^кто$", re.IGNORECASE)),
    ("controller", re.compile(r"контрол", re.IGNORECASE)),
    ("note", re.compile(r"примечани|отметк|результат|форма\s+(?:отч|заверш)|источник|показател", re.IGNORECASE)),
    ("action", re.compile(r"мероприяти|наименование|содержание|поручени|вопрос|мер[ыа]|действи|задач|работ"
                          r"|решени|что\s+сделать", re.IGNORECASE)),
)
# A sentence's end inside a point: not the dot of an initial («И.И.») or of «г.», «т.д.», «др.»
_SENTENCE_END = re.compile(r"(?<![А-ЯЁ])(?<!\sг)(?<!\sгг)(?<!т\.д)(?<!т\.п)(?<!др)\.\s+(?=[А-ЯЁ])")
_COLUMN_NUMBER = re.compile(r"\d{1,2}\.?")
_STANDING_CELL = re.compile(r"постоянн|регулярн|мере\s+необходим|систематич|ежедн|еженед|ежемес|ежекв|ежегод",
                            re.IGNORECASE)
_BY_CELL = re.compile(r"(?:до|к|не\s+позднее)\b", re.IGNORECASE)
_WORDS = re.compile(r"[0-9a-zа-яё]+")

# Doubts, for the review screen.
NO_RESPONSIBLE = "Ответственный не указан."
BRACKETED_RESPONSIBLE = "Ответственный взят из скобок в конце пункта: проверьте."
NOT_NOMINATIVE = "Название органа не удалось привести к именительному падежу: проверьте."
LETTER_ADDRESSEE = "Ответственный — адресат письма: проверьте."


# --- decision parts: points, headings and their nesting --------------------------------------------------------------


@dataclass
class _Item:
    """A line of a decision part: a numbered point, a list item, a heading or a plain paragraph."""

    index: int
    line: Line
    kind: str  # num | paren | letter | roman | bullet | plain | root
    number: str | None
    start: int  # where the content starts in line.text
    style: str  # items of one style are siblings: «num2», «paren», «bullet-», «plain:» (a heading) …
    children: list[_Item] = field(default_factory=list)
    extras: list[tuple[str, Line, int]] = field(default_factory=list)  # «Срок: …», «Ответственный: …» lines
    group: bool = False  # a title over list items («Кадровое обеспечение.»), not an item itself

    @property
    def text(self) -> str:
        return self.line.text[self.start:]

    @property
    def heading(self) -> bool:
        return self.text.rstrip().endswith(":")

    @property
    def depth(self) -> int:
        return len((self.number or "").split(".")) if self.kind == "num" else 0


def _item(index: int, line: Line) -> _Item:
    match = ITEM_MARKER.match(line.text)
    if not match:
        return _Item(index, line, "plain", None, 0, "plain:" if line.text.rstrip().endswith(":") else "plain")
    start = len(line.text) - len(line.text[match.end():].lstrip())
    if match["num"]:
        number = match["num"].rstrip(".)")
        if match["num"].endswith(")"):
            return _Item(index, line, "paren", number, start, "paren")
        return _Item(index, line, "num", number, start, f"num{len(number.split('.'))}")
    if match["letter"]:
        return _Item(index, line, "letter", match["letter"].rstrip(")"), start, "letter")
    if match["roman"]:
        return _Item(index, line, "roman", match["roman"].rstrip("."), start, "roman")
    return _Item(index, line, "bullet", None, start, "bullet" + ("-" if match["bullet"] in "-–—" else match["bullet"]))


def _build_tree(items: list[_Item]) -> list[_Item]:
    """Nest items: a numbered point under the point its number extends («1.2.1» under «1.2.»), list items under
    the heading before them; a list style seen again closes what was opened after it."""
    root = _Item(-1, Line("", []), "root", None, 0, "root")
    stack: list[_Item] = [root]
    for item in items:
        if item.kind == "num":
            while len(stack) > 1:
                top = stack[-1]
                if top.kind == "num" and item.number.startswith(f"{top.number}."):
                    break
                if top.kind != "num" and item.depth > _container_depth(stack):
                    break  # «Министерству …:» then «1. …», «2. …»: points under an unnumbered heading
                stack.pop()
            stack[-1].children.append(item)
            stack.append(item)
            continue
        restart = item.kind in ("paren", "letter") and item.number in ("1", "а", "a")
        if item.style in (node.style for node in stack) and not (
                restart and stack[-1].heading and stack[-1].style != item.style):
            while stack[-1].style != item.style:
                stack.pop()
            stack.pop()
        elif item.kind == "plain" and stack[-1].kind != "root" and stack[-1].children and all(
                child.kind != "plain" for child in stack[-1].children) and stack[-1].kind == "plain":
            stack.pop()  # a paragraph after a heading's list items is no longer under the heading
        stack[-1].children.append(item)
        if item.heading or item.group or item.kind in ("paren", "letter", "roman"):
            stack.append(item)
    return root.children


def _container_depth(stack: list[_Item]) -> int:
    return next((node.depth for node in reversed(stack) if node.kind == "num"), 0)


@dataclass(frozen=True)
class _Context:
    """What headings pass down to the items under them."""

    responsible: Piece | None = None
    deadline: Due | None = None
    verb: Piece | None = None  # «… разработать:» before «3.3.1. Концепцию …»
    number: str | None = None
    recommendation: bool = False
    stage: bool = False  # items of a plan's stage: nouns are duties there («разработка положения …»)
    from_table: bool = False
    section: str | None = None  # «II.» over points that restart at «1.»: the points are «II.1», «II.2» …


class _Found(NamedTuple):
    index: int
    start: int
    assignment: ExtractedAssignment
    spans: dict[str, list[Span]]
    doubts: list[tuple[str, str]]


# --- one run ---------------------------------------------------------------------------------------------------------


class _Extractor:
    """One extraction run over the logical lines of one document."""

    def __init__(self, text: str, file: str, reference: date | None) -> None:
        self.lines = clean(text)
        self.result = Extraction(file=file)
        self.reference = reference
        self.parts = Parts()
        self.reader = DeadlineReader(reference)
        self.used: set[int] = set()  # lines a table or a plan's stage took
        self.tables: set[int] = set()  # header lines of the tables read
        self.analysed: dict[tuple[int, int, int], Parsed] = {}
        self.agenda_words: list[set[str]] = []
        self.sections: dict[int, str] = {}  # heading line → its Roman number, when sections hold the decisions
        self.found: list[_Found] = []
        self.others: list[tuple[int, int, OtherPoint, list[Span]]] = []

    def run(self) -> Extraction:
        if not self.lines:
            self.result.flag("doc_type", "В документе нет текста.")
            return self.result
        self.parts = read_parts(self.lines)
        self.reader = DeadlineReader(self.parts.date or self.reference)
        self.used |= self.parts.control_lines
        self._tables()
        self._stages()
        self._decision_parts()
        self._fill()
        return self.result

    def _span(self, path: str, spans: Iterable[Span]) -> None:
        spans = [span for span in spans if span[1] > span[0]]
        if spans:
            self.result.spans[path] = spans

    def _analyse(self, line: Line, start: int, end: int) -> Parsed:
        key = (id(line), start, end)
        if key not in self.analysed:
            self.analysed[key] = analyse(line, start, end, self.reader)
        return self.analysed[key]

    # -- tables --

    def _tables(self) -> None:
        """Tables (rows as TAB-separated lines) whose header names a deadline or a responsible column; a line
        without TABs between rows is a merged row (a section title) and does not end the table."""
        lines = self.lines
        index = 0
        while index < len(lines):
            roles = _table_roles(lines[index].text.split("\t")) if lines[index].is_table_row else {}
            if not {"deadline", "responsible"} & set(roles.values()):
                index += 1
                continue
            header = index
            rows: list[int] = []
            index += 1
            while index < len(lines) and index not in self.parts.stops and (lines[index].is_table_row or (
                    index + 1 < len(lines) and lines[index + 1].is_table_row and len(lines[index].text) <= 200)):
                rows.append(index)
                index += 1
            self.tables.add(header)
            self.used.update([header, *rows])
            self._table(roles, rows)

    def _table(self, roles: dict[int, str], rows: list[int]) -> None:
        stage: Due | None = None
        for index in rows:
            line = self.lines[index]
            if not line.is_table_row:  # a merged row: a section, maybe a stage with its period
                stage = self._stage_due(line, 0, len(line.text)) or (None if ITEM_MARKER.match(line.text) else stage)
                continue
            cells = _cells(line)
            filled = [c for c in cells if line.text[c[0]:c[1]].strip()]
            if len(filled) == 1 and len(cells) < len(roles):
                stage = self._stage_due(line, *filled[0]) or stage
            elif self._section_row(line, cells, roles, rows, index):
                title = max(filled, key=lambda c: c[1] - c[0], default=None)
                numbered = len(filled) > 1 or bool(title and ITEM_MARKER.match(line.text[title[0]:]))
                stage = (self._stage_due(line, *title) if title else None) or (None if numbered else stage)
            elif not all(_COLUMN_NUMBER.fullmatch(line.text[s:e].strip()) for s, e in filled):
                self._table_row(index, line, cells, roles, stage)

    def _section_row(self, line: Line, cells: list[tuple[int, int]], roles: dict[int, str], rows: list[int],
                     index: int) -> bool:
        """A row that only names a section («1. | Организационные мероприятия | | |», as a table exported to text
        writes a merged row): its deadline and responsible cells are empty, and it has no number or the next
        row's number extends its own («1.» before «1.1.»)."""
        def cell(row: Line, row_cells: list[tuple[int, int]], role: str) -> str:
            column = next((c for c, r in roles.items() if r == role), None)
            if column is None or column >= len(row_cells):
                return ""
            return row.text[slice(*row_cells[column])].strip()

        if any(cell(line, cells, role) for role in ("deadline", "responsible", "controller")):
            return False
        number = cell(line, cells, "number").rstrip(".)")
        if not number:
            return True
        following = next((self.lines[i] for i in rows if i > index and self.lines[i].is_table_row), None)
        if following is None:
            return False
        next_number = cell(following, _cells(following), "number")
        return next_number.startswith(f"{number}.") and len(next_number.rstrip(".")) > len(number)

    def _table_row(self, index: int, line: Line, cells: list[tuple[int, int]], roles: dict[int, str],
                   stage: Due | None) -> None:
        by_role = {}
        for column, role in roles.items():
            if column < len(cells):
                by_role.setdefault(role, cells[column])
        if "action" not in by_role:
            free = [c for i, c in enumerate(cells) if i not in roles]
            if not free:
                return
            by_role["action"] = max(free, key=lambda c: c[1] - c[0])
        a_start, a_end = strip_end(line.text, *by_role["action"])
        if a_end - a_start < 3:
            return
        number = line.text[slice(*by_role["number"])].strip().rstrip(".)") or None if "number" in by_role else None
        responsible = None
        if "responsible" in by_role:
            r_start, r_end = strip_end(line.text, *by_role["responsible"])
            if r_end > r_start:
                responsible = Piece(line.text[r_start:r_end], [line.span(r_start, r_end)])
        due = stage
        if "deadline" in by_role:
            d_start, d_end = trim(line.text, *by_role["deadline"])
            if d_end > d_start:
                due = self._cell_due(line, d_start, d_end)
        context = _Context(responsible=responsible, deadline=due, from_table=True)
        self._assignment(index, line, a_start, a_end, number, context)

    def _cell_due(self, line: Line, start: int, end: int) -> Due:
        """A deadline given on its own: a table's «Срок» cell, a «Срок: …» line. What does not read is kept as
        text («по согласованию»), never turned into a date."""
        raw = line.text[start:end].strip()
        spans = [line.span(start, end)]
        found, doubt = self.reader.parse(raw)
        if found is None:
            return Due(Deadline(NONE, text=raw), raw, spans, doubt or UNREAD.format(raw))
        if not found.text and found.kind in (NONE, ONGOING) and not _STANDING_CELL.search(raw):
            kind = BY if _BY_CELL.match(raw) else found.kind
            return Due(Deadline(kind, text=raw), raw, spans, UNREAD.format(raw))
        return Due(found, raw, spans, doubt)

    # -- a plan's stages --

    def _stage_due(self, line: Line, start: int, end: int) -> Due | None:
        """The period of a stage heading: «1 этап: 2015 – 2016 гг», «II этап (2025–2026 годы) – основной:»."""
        match = _STAGE.match(line.text, start, end)
        if not match:
            return None
        rest = _STAGE_PERIOD.match(line.text, match.start("rest"), end)
        p_start, p_end = strip_end(line.text, rest.start("period"), rest.end("period"))
        if p_end <= p_start:
            return None
        found, doubt = self.reader.parse(line.text[p_start:p_end])
        if found is None or found.kind == NONE or not (found.due or found.start):
            return None
        return Due(found, line.text[p_start:p_end], [line.span(p_start, p_end)], doubt)

    def _stages(self) -> None:
        """The items under each stage of a plan are its duties, due in the stage's period."""
        lines, parts = self.lines, self.parts
        first = max([*parts.title_lines, parts.type_index or 0]) + 1  # a stage may come before any paragraph
        heads = [(i, due) for i in range(first, len(lines)) if i not in self.used | parts.stops
                 and (due := self._stage_due(lines[i], 0, len(lines[i].text))) is not None]
        for number, (index, due) in enumerate(heads):
            stop = heads[number + 1][0] if number + 1 < len(heads) else len(lines)
            end = index + 1
            while end < stop and not self._ends_stage(end):
                end += 1
            members = [i for i in range(index + 1, end) if i not in self.used and i not in parts.stops]
            self.used.update([index, *members])
            items = [_item(i, lines[i]) for i in members]
            for item, following in zip(items, [*items[1:], None], strict=False):
                # «Кадровое обеспечение.» over «- подбор кадров …»: a title, not a duty
                if item.kind == "plain" and not item.heading and following is not None and (
                        following.kind != "plain" and len(item.text) <= 120):
                    item.group, item.style = True, "group"
            self._walk(_build_tree(items), _Context(deadline=due, stage=True))

    def _ends_stage(self, index: int) -> bool:
        text = self.lines[index].text
        return (index in self.parts.stops or bool(_SECTION.match(text)) or marker_end(text) is not None
                or bool(_END_OF_STAGES.match(text)) or len(text) > 300)

    # -- decision parts --

    def _decision_parts(self) -> None:
        """From each «ПРИКАЗЫВАЮ:»-like marker to the signature, the next marker, «СЛУШАЛИ:», an attachment, or
        a point numbered above the part's own points («2. …» after «1.1.», «1.2.»: the next agenda item)."""
        lines, parts = self.lines, self.parts
        starts = sorted(parts.markers) or self._unmarked_starts()
        for number, start in enumerate(starts):
            limit = starts[number + 1] if number + 1 < len(starts) else len(lines)
            first_line = start + 1 if start in parts.markers or start in self.sections else start
            members: list[int] = []
            first_depth = None
            for index in range(first_line, limit):
                text = lines[index].text
                if index in parts.stops or (_BLOCK_END.match(text) and index != first_line) or (
                        index not in self.used and self._stage_due(lines[index], 0, len(text)) is not None):
                    break
                if _SECTION.match(text) and not first_infinitive(text):
                    break
                marker = ITEM_MARKER.match(text)
                if marker and marker["num"] and not marker["num"].endswith(")"):
                    depth = len(marker["num"].rstrip(".").split("."))
                    first_depth = first_depth or depth
                    if depth < first_depth or self._repeats_agenda(marker["num"], text[marker.end():]):
                        break
                if index not in self.used:
                    members.append(index)
            context = _Context(responsible=self.parts.addressee, section=self.sections.get(start))
            self._walk(_build_tree(self._items(start, members)), context)

    def _unmarked_starts(self) -> list[int]:
        """Without a marker: the first addressee heading («Министерству …:»), or, in an order or decision, the
        first numbered point with a verb."""
        candidates = [i for i in range(self.parts.body_start, len(self.lines))
                      if i not in self.used and i not in self.parts.stops]
        for index in candidates:
            item = _item(index, self.lines[index])
            if item.heading and addressee_like(item.text.rstrip(": "), strict=True):
                return [index]
        if self.parts.doc_type in ("order", "decision"):
            for index in candidates:
                marker = ITEM_MARKER.match(self.lines[index].text)
                if marker and marker["num"] and first_infinitive(self.lines[index].text):
                    return [index]
        if self.parts.doc_type not in ("regulation", "plan"):
            self.sections = self._decision_sections(candidates)
            return sorted(self.sections)
        return []

    def _decision_sections(self, candidates: list[int]) -> dict[int, str]:
        """A protocol without «РЕШИЛИ:» whose questions are Roman sections («I. О ходе …», the speakers in
        brackets), each followed by its decisions numbered from «1.»: the sections that hold a directive or a
        heading over directives («1. Рекомендовать …:»)."""
        heads = [i for i in candidates if (m := ITEM_MARKER.match(self.lines[i].text)) and m["roman"]
                 and not first_infinitive(self.lines[i].text[m.end():])]
        sections: dict[int, str] = {}
        for number, head in enumerate(heads):
            limit = heads[number + 1] if number + 1 < len(heads) else len(self.lines)
            for index in range(head + 1, limit):
                if index in self.parts.stops:
                    break
                text = self.lines[index].text
                marker = ITEM_MARKER.match(text)
                if marker and marker["num"] and (first_infinitive(text[marker.end():]) or text.rstrip().endswith(":")):
                    sections[head] = ITEM_MARKER.match(self.lines[head].text)["roman"].rstrip(".")
                    break
        return sections

    def _repeats_agenda(self, number: str, text: str) -> bool:
        """Whether «2. О …» repeats agenda item 2: the item's heading before its decisions."""
        number = number.rstrip(".")
        if not number.isdigit() or not 1 <= int(number) <= len(self.parts.agenda):
            return False
        if not self.agenda_words:
            self.agenda_words = [set(_words(item.text)) for item in self.parts.agenda]
        first = set(_words(text)[:12])
        return bool(first) and len(first & self.agenda_words[int(number) - 1]) >= 0.7 * len(first)

    def _items(self, start: int, members: list[int]) -> list[_Item]:
        """The part's items; «Срок: …» and «Ответственный: …» lines belong to the item before them."""
        items: list[_Item] = []
        if start in self.parts.markers:
            line = self.lines[start]
            rest = self.parts.markers[start]
            while rest < len(line.text) and line.text[rest] in " :.\t":
                rest += 1
            if rest < len(line.text):  # «РЕШИЛИ: Принять информацию к сведению.»
                items.append(_Item(start, line, "plain", None, rest, "plain"))
        for index in members:
            line = self.lines[index]
            deadline = _LABELLED_DEADLINE.match(line.text)
            responsible = _LABELLED_RESPONSIBLE.match(line.text)
            if items and deadline:
                items[-1].extras.append(("deadline", line, 0))
            elif items and responsible:
                items[-1].extras.append(("responsible", line, responsible.end()))
            else:
                items.append(_item(index, line))
        return items

    # -- from items to assignments --

    def _walk(self, items: list[_Item], context: _Context) -> None:
        for item in items:
            if item.group:
                self._walk(item.children, context)
            elif item.children and (item.heading or not item.text.strip()):
                sub = self._heading_context(item, context)
                if sub is None:
                    # a heading that directs nothing to anyone («… по направлениям:»): one item with its details
                    self._candidate(item, context, details=item.children)
                else:
                    self._walk(item.children, sub)
            else:
                self._candidate(item, context)
                if item.children:
                    self._walk(item.children, self._heading_context(item, context) or context)

    def _heading_context(self, item: _Item, context: _Context) -> _Context | None:
        """What a heading passes to the items under it: an addressee, a verb, a deadline; None when it is neither
        an addressee nor a directive (its items are then details of it)."""
        line = item.line
        start, end = item.start, len(line.text.rstrip())
        if line.text[start:end].endswith(":"):
            end -= 1
        parsed = self._analyse(line, start, end)
        inherited = replace(context, deadline=parsed.due or context.deadline, number=item.number or context.number,
                            recommendation=parsed.recommendation or context.recommendation)
        if parsed.verb_start is not None:
            return replace(inherited, responsible=parsed.responsible or context.responsible,
                           verb=piece(line, parsed.verb_start, parsed.action_end))
        # «Руководителям ОО в срок до 1 сентября:»: the addressee ends where the deadline starts
        words_end = parsed.phrase[0] if parsed.phrase and parsed.phrase[0] > parsed.body_start else parsed.body_end
        words = line.text[parsed.body_start:words_end]
        if parsed.responsible is not None or (words and addressee_like(words, strict=False)):
            return replace(inherited, responsible=parsed.responsible or responsible_piece(
                line, parsed.body_start, words_end))
        if parsed.framing or not (context.responsible or context.stage or context.verb):
            return inherited
        return None

    def _candidate(self, item: _Item, context: _Context, details: list[_Item] | None = None) -> None:
        if len(item.line.text) - item.start < 2:
            return
        if item.heading and not item.children and not details and item.index + 1 in self.tables:
            return  # «… обеспечить выполнение следующих мероприятий:» introduces a table: its rows are the items
        number = item.number if item.kind in ("num", "paren") else (
            f"{context.number}.{item.number}" if item.kind == "letter" and context.number else item.number)
        if context.section and number:
            number = f"{context.section}.{number}"
        self._assignment(item.index, item.line, item.start, len(item.line.text), number, context, item, details)

    def _assignment(self, index: int, line: Line, start: int, end: int, number: str | None, context: _Context,
                    item: _Item | None = None, details: list[_Item] | None = None) -> None:
        if CONTROL.match(line.text, start):
            return
        split = _SENTENCE_END.search(line.text, start, end)
        if split and _ACT_ALWAYS.search(line.text, start, split.start()) and first_infinitive(
                line.text[split.end():end]):
            # «Информацию принять к сведению. Руководителям школ обеспечить …»: an act, then a directive
            self._assignment(index, line, start, split.start() + 1, number, context)
            start = split.end()
        parsed = self._analyse(line, start, end)
        extras = item.extras if item else []
        doubts: list[tuple[str, str]] = []
        responsible = parsed.responsible or parsed.labelled or next(
            (_labelled_piece(extra, offset) for kind, extra, offset in extras if kind == "responsible"), None)
        responsible = responsible or context.responsible
        if responsible is not None and responsible is self.parts.addressee:
            doubts.append(("responsible", LETTER_ADDRESSEE))
        action, action_spans = parsed.action_text, parsed.action_spans
        if responsible is None and parsed.bracketed is not None:
            responsible = parsed.bracketed
            doubts.append(("responsible", BRACKETED_RESPONSIBLE))
            action, action_spans = _without_bracket(action, action_spans, parsed.bracketed)
        if context.verb is not None and parsed.verb_start is None and not context.from_table:
            action, action_spans = tidy(f"{context.verb.text} {lower_first(action)}"), context.verb.spans + action_spans
        if details:
            action = f"{action}: {'; '.join(tidy(rstrip_punct(d.text)) for d in details)}"
            action_spans = action_spans + [d.line.span(d.start, len(rstrip_punct(d.line.text))) for d in details]
        if not action:
            return
        if self._is_act(parsed, action, responsible is not None, context):
            text_start, text_end = strip_end(line.text, start, end)
            self.others.append((index, start, OtherPoint(number, tidy(line.text[text_start:text_end])),
                                [line.span(text_start, text_end)]))
            return
        assignment = ExtractedAssignment(number, None, None, action,
                                         recommendation=parsed.recommendation or context.recommendation)
        spans: dict[str, list[Span]] = {"action": action_spans}
        marker = ITEM_MARKER.match(line.text)
        if number and marker and item is not None and item.kind in ("num", "paren", "letter"):
            spans["point"] = [line.span(0, len(marker[0].rstrip(" .)")))]
        if responsible is not None:
            assignment.responsible = tidy(DALEE.sub("", responsible.text))
            assignment.responsible_nominative = nominative(assignment.responsible, responsible.case)
            spans["responsible"] = responsible.spans
            if assignment.responsible_nominative == assignment.responsible and starts_in(assignment.responsible,
                                                                                          responsible.case):
                doubts.append(("responsible_nominative", NOT_NOMINATIVE))
        else:
            doubts.append(("responsible", NO_RESPONSIBLE))
        self._deadline(assignment, parsed, context, extras, spans, doubts)
        self.found.append(_Found(index, start, assignment, spans, doubts))

    def _deadline(self, assignment: ExtractedAssignment, parsed: Parsed, context: _Context,
                  extras: list[tuple[str, Line, int]], spans: dict[str, list[Span]],
                  doubts: list[tuple[str, str]]) -> None:
        """The item's own phrase, a table's «Срок» cell or a «Срок: …» line after it, else the heading's or the
        stage's; with none, the verb says whether the duty is standing («обеспечивать») or one-off."""
        due = context.deadline if context.from_table and context.deadline is not None else parsed.due
        for kind, extra, _offset in extras:
            if kind == "deadline" and due is None:
                due = self._cell_due(extra, 0, len(rstrip_punct(extra.text)))
        due = due or context.deadline
        verb_text = f"{context.verb.text} {assignment.action}" if context.verb is not None else assignment.action
        if due is not None:
            deadline = due.deadline
            assignment.deadline_text = tidy(due.text) if due.text else None
            assignment.deadline_kind = deadline.kind
            assignment.deadline = deadline.due if deadline.kind != FROM else None
            assignment.start = deadline.start
            if due.spans:
                spans["deadline"] = due.spans
            if due.doubt:
                doubts.append(("deadline", due.doubt))
        else:
            assignment.deadline_kind = ONGOING if is_ongoing_verb(verb_text) else NONE
        if parsed.unread is not None:
            words, unread_spans = parsed.unread
            if due is None:
                assignment.deadline_text, assignment.deadline_kind = words, BY
                spans["deadline"] = unread_spans
            doubts.append(("deadline", UNREAD.format(words)))

    def _is_act(self, parsed: Parsed, text: str, has_responsible: bool, context: _Context) -> bool:
        """Whether a point is the document's own act («Утвердить …», «Принять к сведению») or a statement
        («Резолюция принята …») rather than a directive to someone."""
        if _ACT_ALWAYS.search(parsed.plain or text):
            return True
        if context.stage or context.from_table:
            return False
        verb = parsed.first_verb or (first_infinitive(context.verb.text) if context.verb else None)
        if verb is None and is_statement(parsed.plain):
            return True
        if has_responsible:
            return False
        if verb is None:
            return True
        if lemma(verb) == "создать":
            return bool(_ACT_CREATE.search(text.strip()))
        return lemma(verb) in _ACT_VERBS

    # -- the result --

    def _fill(self) -> None:
        parts, result = self.parts, self.result
        for path, value in (("status_mark", parts.status), ("title", parts.title), ("number", parts.number),
                            ("place", parts.place), ("issuing_body", parts.issuing_body), ("chair", parts.chair),
                            ("secretary", parts.secretary), ("controller", parts.controller)):
            if value is not None:
                setattr(result, path, tidy(value.text))
                self._span(path, value.spans)
        result.status_mark = DRAFT_MARK if parts.status else None
        result.doc_type = parts.doc_type if parts.doc_type != "other" else self._type_from_structure()
        result.date = parts.date
        self._span("date", parts.date_spans)
        for attendee in parts.attendees:
            result.attendees.append(Attendee(attendee.name.text if attendee.name else None, attendee.position))
            if attendee.name:
                self._span(f"participants.{len(result.participants)}", attendee.name.spans)
                result.participants.append(attendee.name.text)
        for number, item in enumerate(parts.agenda):
            result.agenda.append(item.text)
            self._span(f"agenda.{number}", item.spans)
        if parts.signatory:
            position, name = parts.signatory
            result.signatory = Signatory(position.text if position else None, name.text if name else None)
            self._span("signatory", [s for p in (position, name) if p for s in p.spans])
        self._fill_assignments()
        self._flag_document()

    def _fill_assignments(self) -> None:
        result = self.result
        for number, found in enumerate(sorted(self.found, key=lambda f: (f.index, f.start))):
            assignment = found.assignment
            controller = self.parts.controller
            for prefix, who in self.parts.point_controllers.items():
                if assignment.point and (assignment.point == prefix or assignment.point.startswith(prefix + ".")):
                    controller = who
            assignment.controller = tidy(controller.text) if controller else None
            result.assignments.append(assignment)
            for key, value in found.spans.items():
                self._span(f"assignments.{number}.{key}", value)
            for key, reason in found.doubts:
                result.flag(f"assignments.{number}.{key}", reason)
        for number, (_index, _start, other, spans) in enumerate(sorted(self.others, key=lambda o: o[:2])):
            result.other_points.append(other)
            self._span(f"other_points.{number}", spans)

    def _flag_document(self) -> None:
        parts, result = self.parts, self.result
        if result.doc_type == "other":
            result.flag("doc_type", "Вид документа не определён: выберите его.")
        if result.title is None:
            result.flag("title", "Заголовок документа не найден.")
        if result.date is None:
            result.flag("date", "Дата документа не найдена.")
        elif parts.date_from_body:
            result.flag("date", "Дата документа взята из текста (дата мероприятия): проверьте её.")
        if result.number is None and result.doc_type in ("order", "protocol"):
            result.flag("number", "Номер документа не найден.")
        if parts.controller_is_signatory:
            result.flag("controller", "Контроль оставлен за подписавшим документ: проверьте контролёра.")

    def _type_from_structure(self) -> str:
        """Without a type word in the heading: what its markers and structure say («ПРИКАЗЫВАЮ:» → order,
        «РЕШИЛИ:» with a chair or agenda → protocol, stages of a plan → plan); «other» otherwise (a letter)."""
        words = " ".join(self.parts.marker_words)
        meeting = self.parts.chair or self.parts.attendees or self.parts.agenda
        if "приказываю" in words or "распоряжаюсь" in words:
            return "order"
        if re.search(r"решил|постановил|решено|решение", words):
            return "protocol" if meeting else "decision"
        if "постановля" in words:
            return "decision"
        if "рекоменд" in words:
            return "resolution"
        if not self.parts.markers and any(found.assignment.deadline_kind == "period" for found in self.found):
            return "plan"
        return "other"


# --- helpers ---------------------------------------------------------------------------------------------------------


def _without_bracket(action: str, spans: list[Span], bracket: Piece) -> tuple[str, list[Span]]:
    """The action without the «(Петров П.П.)» at its end that became its responsible."""
    tail = f"({bracket.text})"
    if not action.endswith(tail) or not spans or not bracket.spans:
        return action, spans
    last_start, _ = spans[-1]
    cut = bracket.spans[0][0] - 1  # the opening bracket
    kept = [*spans[:-1], (last_start, cut)] if cut > last_start else spans[:-1]
    return action[:-len(tail)].rstrip(" ,;:"), kept


def _labelled_piece(line: Line, offset: int) -> Piece | None:
    start, end = strip_end(line.text, offset, len(line.text))
    return Piece(line.text[start:end], [line.span(start, end)]) if end > start else None


def _words(text: str) -> list[str]:
    return [w for w in _WORDS.findall(text.lower().replace("ё", "е")) if len(w) > 2]


def _cells(line: Line) -> list[tuple[int, int]]:
    cells: list[tuple[int, int]] = []
    position = 0
    for part in line.text.split("\t"):
        cells.append((position, position + len(part)))
        position += len(part) + 1
    return cells


def _table_roles(cells: list[str]) -> dict[int, str]:
    """What each column of a header row holds: number, action, responsible, deadline, controller, note."""
    roles: dict[int, str] = {}
    for column, cell in enumerate(cells):
        text = " ".join(cell.split())
        if not text or len(text) > 60:
            continue
        role = next((role for role, pattern in _TABLE_ROLES if pattern.search(text) and role not in roles.values()),
                    None)
        if role:
            roles[column] = role
    return roles


__all__ = ["DOC_TYPES", "Attendee", "ExtractedAssignment", "Extraction", "Flag", "OtherPoint", "Signatory",
           "extract"]
