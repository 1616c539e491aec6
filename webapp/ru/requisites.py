"""The parts of a document around its decisions: letterhead, type, title, number, date, place, the «Проект» mark,
a letter's addressee, the chair, secretary, participants and agenda of a meeting, signatures and the control
clause — each as found in the logical lines of ru.cleanup, with its spans."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .cleanup import ITEM_MARKER, Line
from .dates import DateError, alternation, genitive_months, parse_date
from .directives import (
    FULL_NAME,
    PERSON,
    PERSON_START,
    SHORT_NAME,
    Piece,
    Span,
    addressee_like,
    cases,
    first_infinitive,
    join_pieces,
    mask,
    piece,
    responsible_piece,
    rstrip_punct,
    strip_end,
    tidy,
)
from .morph import analyzer

DRAFT_MARK = "Проект"

TYPE_WORDS = (
    (r"выписка\s+из\s+протокола", "protocol"), (r"протокол", "protocol"), (r"приказ", "order"),
    (r"распоряжение", "order"), (r"постановление", "decision"), (r"решение", "decision"),
    (r"резолюция", "resolution"), (r"положение", "regulation"), (r"регламент", "regulation"),
    (r"порядок", "regulation"), (r"правила", "regulation"), (r"дорожная\s+карта", "plan"),
    (r"комплекс\s+мер\w*", "plan"), (r"план(?:-график)?", "plan"), (r"программа", "plan"), (r"график", "plan"),
)
_TYPE_LINE = re.compile(rf"^(?P<word>{'|'.join(word for word, _ in TYPE_WORDS)})(?![а-яё\-])", re.IGNORECASE)
_ABOUT = re.compile(r"^(?:О|Об|Обо)\s+\S")
_STATUS = re.compile(r"^проект(?:\s+(?:вносится|приказа|решения|постановления|распоряжения)\b.*)?\.?$", re.I)
# The words that open a decision part: «ПРИКАЗЫВАЮ:», «РЕШИЛИ:», «… рекомендуют:», «просим:».
_MARKER = re.compile(
    r"(?P<word>приказываю|постановля(?:ю|ет|ем)|постановил[аио]?|решил[аио]?|решено|распоряжаюсь|обязываю|поручаю"
    r"|просим|прошу|рекомендуют|рекомендует|рекомендовали|рекомендовано|рекомендуется|предлагается|предлагаю"
    r"|приняли\s+решение|принято\s+решение|решение(?:\s+(?:совещания|заседания|комиссии|совета|коллегии))?)",
    re.IGNORECASE,
)
_MARKER_INITIALS = frozenset("про")  # the letters _MARKER's words start with: a quick test before the regex
_ACKNOWLEDGED = re.compile(r"^с\s+(?:приказом|распоряжением|постановлением|решением|документом)\s+ознакомлен", re.I)
_END_OF_DECISIONS = re.compile(r"^(?:слушали|выступили|докладчик|голосовали|приложени[ея](?:\s|$|:)"
                               r"|утвержд[её]н[аоы]?(?:\s|$|:)|согласовано)", re.IGNORECASE)
_LABEL_CHAIR = re.compile(
    r"^(?:председател(?:ь|ьствовал[аи]?|ьствующий|ьствующая)|вел[аи]?\s+(?:совещание|заседание|собрание))"
    r"(?:\s+(?:совещания|заседания|комиссии|совета|собрания|коллегии|рабочей\s+группы))?\s*(?:[:–—-]\s*|$|\t)"
    r"(?P<rest>.*)$", re.IGNORECASE)
_LABEL_SECRETARY = re.compile(
    r"^(?:ответственный\s+)?секретар(?:ь|ствовал[аи]?)(?:\s+(?:совещания|заседания|комиссии|совета|собрания"
    r"|коллегии))?\s*(?:[:–—-]\s*|$|\t)(?P<rest>.*)$", re.IGNORECASE)
_LABEL_PARTICIPANTS = re.compile(
    r"^(?:присутствовали|присутствующие|принимали\s+участие|приняли\s+участие|участвовали|участники"
    r"(?:\s+(?:совещания|заседания|собрания))?|приглаш[её]нные|приглашены|члены\s+[а-яё]+(?:\s+[а-яё]+)?"
    r"|в\s+работе\s+(?:совещания|заседания)\s+приняли\s+участие)(?:\s+[а-яё]+){0,3}\s*(?:[:–—-]\s*|$)(?P<rest>.*)$",
    re.IGNORECASE)
_LABEL_AGENDA = re.compile(
    r"^(?:повестка(?:\s+дня)?(?:\s+(?:совещания|заседания|собрания|комиссии|совета|коллегии))?"
    r"|вопросы\s+повестки(?:\s+дня)?|рассматриваемые\s+вопросы)\s*(?:[:–—-]\s*|$)(?P<rest>.*)$", re.IGNORECASE)
_SPEAKER = re.compile(r"^\(?(?:докладчик|докладчики|выступающ\w*|информация|содокладчик)\w*\s*[:–—-]", re.I)
_SPEAKER_AFTER_ITEM = re.compile(r"\s*\((?:доклад\w*[:\s–—-]*)?[^()]*[А-ЯЁ]\.\s?[А-ЯЁ]?\.?[^()]*\)\.?$")
_PLACE = re.compile(
    r"(?:^|(?<=[\s\t,(]))(?:г\.|гор\.|город|с\.|село|пос\.|п\.|пгт\.?|рп\.?|ст-ца|станица|д\.|дер\.|аул|х\.)"
    r"\s*(?P<name>[А-ЯЁ][а-яё]+(?:-(?:[а-яё]{1,3}-)?[А-ЯЁ][а-яё]+)*(?:\s+[А-ЯЁ][а-яё]+(?=\s*(?:$|[,\t)]|\s+от\b)))?)"
)
_AFTER_NUMBER = re.compile(r"\d\s*$")
_CITY_LINE = re.compile(r"[А-ЯЁ][а-яё]+(?:[- ][А-ЯЁ][а-яё]+)?")
_CAPITALISED = re.compile(r"(?<![\w.])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)*")
_LABEL_PLACE = re.compile(r"^место\s+проведения\s*[:–—-]?\s*(?P<rest>.*)$", re.IGNORECASE)
_LABEL_DATE = re.compile(r"^дата\s+(?:проведения|заседания|совещания)\s*[:–—-]?\s*(?P<rest>.*)$", re.IGNORECASE)
_NUMBER = re.compile(r"(?:№|(?<![\w])N(?=\s*\d))\s*(?P<n>[0-9A-Za-zА-Яа-яЁё][\w/.\-]*)")
_ADDRESS = re.compile(r"^\d{6}\b|\bул\.|\bтел\b|\bтел\.|факс|e-?mail|www\.|\bинн\b|\bогрн\b|@", re.IGNORECASE)
_ORG_HEAD = re.compile(
    r"^(?:министерство|управление|департамент|комитет|администрация|отдел|совет|дума|агентство|служба|инспекция"
    r"|правительство|федеральн|государственн|муниципальн|областн|краев|республиканск|бюджетн|автономн|казенн"
    r"|казённ|частн|некоммерческ|общественн|центр|институт|университет|колледж|школа|учреждение|организация"
    r"|комиссия|глава|мэрия|аппарат|прокуратура|палата|собрание|законодательн|избирательн|территориальн|окружн"
    r"|районн|городск|сельск|межрайонн|региональн)",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\(.*\)")
_STAMP = re.compile(r"утвержд", re.IGNORECASE)
_FULL_NAME = re.compile(FULL_NAME)
_PERSON_HERE = re.compile(rf"(?:{FULL_NAME}|{SHORT_NAME})(?![\w])")  # PERSON_START for match() at a position
_NAME_AT_END = re.compile(rf"(?:^|[\s\t])(?P<name>{SHORT_NAME}|{FULL_NAME})\s*$")
_POSITION = re.compile(
    r"^(?P<acting>(?:(?:и\.\s?о\.|врио|вр\.\s?и\.\s?о\.|временно\s+исполняющ\w*\s+обязанности"
    r"|исполняющ\w*\s+обязанности)\s*)?)"
    r"(?:(?:первый|главный|ведущий|старший)\s+)?"
    r"(?P<word>начальник\w*|заместител\w*|директор\w*|руководител\w*|глав[аы]|председател\w*|секретар\w*"
    r"|министр\w*|заведующ\w*|ректор\w*|проректор\w*|президент\w*|губернатор\w*|мэр\w*|специалист\w*"
    r"|консультант\w*|советник\w*|уполномоченн\w*|управляющ\w*|член\w*|инспектор\w*|методист\w*|эксперт\w*"
    r"|протокол\s+в[её]л[аи]?)",
    re.IGNORECASE,
)
_SIGNATURE_FILLER = re.compile(r"(?:м\.?\s?п\.?|подпись|_+|\(подпись\))", re.IGNORECASE)
CONTROL = re.compile(
    r"(?:возложить\s+)?контрол\w*\s+(?:за|над)\s+(?:исполнением|выполнением|ходом\s+(?:исполнения|выполнения))"
    r"(?:\s+(?:настоящего|данного|этого|указанного))?\s+(?:приказ|решени|постановлени|распоряжени|протокол"
    r"|поручени|пункт|резолюци|план|документ)\w*|контроль\s+исполнения\b|контроль\s+(?=оставляю|возлагаю)",
    re.IGNORECASE)
_CONTROL_SELF = re.compile(r"оставляю\s+за\s+собой|возлагаю\s+на\s+себя", re.IGNORECASE)
_CONTROL_WHO = re.compile(
    r"(?:возложить|возлагается|возлагаю|возложен\w*|поручить)\s+на\s+(?P<a>.+)$"
    r"|(?:осуществля(?:ет|ют|ть)|осуществлять)\s+(?P<b>.+)$"
    r"|(?:приказа|решения|постановления|распоряжения|протокола|поручения|пункт\w*\s+[\d.,\sи]+?)"
    r"(?:\s+настоящего\s+\w+)?\s+на\s+(?P<c>.+)$",
    re.IGNORECASE,
)
_CONTROL_POINTS = re.compile(
    r"пункт\w*\s+(?P<nums>\d+(?:\.\d+)*\.?(?:\s*(?:,|и|-|–|—)\s*\d+(?:\.\d+)*\.?)*)", re.IGNORECASE)
_POINT_RANGE = re.compile(r"(\d+(?:\.\d+)*)\.?(?:\s*[-–—]\s*(\d+)(?![.\d]))?")
_CLAUSE_START = re.compile(r"[,;.]\s*$")
_MONTHS = alternation(genitive_months())
_DATE = re.compile(
    rf"(?<![\d.])\d{{1,2}}\.\d{{1,2}}\.\d{{4}}(?!\d)|[«\"]?\d{{1,2}}[»\"]?\s+(?:{_MONTHS})\s+\d{{4}}(?!\d)",
    re.IGNORECASE)
_TITLE_REQUISITE = re.compile(
    r"\s(?:от\s+)?(?:\d{1,2}\.\d{1,2}\.\d{4}|[«\"]?\d{1,2}[»\"]?\s+[а-яё]+\s+\d{4})|\s(?:№|N)\s*\d"
    r"|\s(?:г|с|п|пгт|пос)\.\s*[А-ЯЁ][а-яё]+\s*$")
_REQUISITES = re.compile(
    r"(?:№|N)\s*\S+|\bот\b|\d{1,2}\.\d{1,2}\.\d{2,4}\s*(?:г\.|года)?|[«\"]?\d{1,2}[»\"]?\s+[а-яё]+\s+\d{4}\s*"
    r"(?:г\.|года)?|\b(?:г|с|п|пос|пгт|д)\.\s*[А-ЯЁ][\w-]+")
_LETTERS = re.compile(r"[а-яёА-ЯЁ]{3,}")
HEADER_LINES = 45  # the header (letterhead, type, title, requisites) is never longer
_BODY_PARAGRAPH = 200  # a longer line is a paragraph of the body, not part of the header


@dataclass
class Attendance:
    name: Piece | None
    position: str | None


@dataclass
class Parts:
    """What surrounds a document's decisions, with the line indexes the decision reader needs."""

    doc_type: str = "other"
    type_index: int | None = None
    body_start: int = 0
    title_lines: set[int] = field(default_factory=set)
    letterhead: set[int] = field(default_factory=set)
    stamp: range = range(0)  # «УТВЕРЖДАЮ …» / «УТВЕРЖДЕН приказом …» above the heading
    markers: dict[int, int] = field(default_factory=dict)  # line → where its «РЕШИЛИ:» ends
    marker_words: list[str] = field(default_factory=list)
    stops: set[int] = field(default_factory=set)  # signatures, acknowledgment: never decisions
    control_lines: set[int] = field(default_factory=set)
    status: Piece | None = None
    title: Piece | None = None
    number: Piece | None = None
    date: date | None = None
    date_spans: list[Span] = field(default_factory=list)
    date_from_body: bool = False
    place: Piece | None = None
    issuing_body: Piece | None = None
    addressee: Piece | None = None  # a letter's addressee in its head
    chair: Piece | None = None
    secretary: Piece | None = None
    attendees: list[Attendance] = field(default_factory=list)
    agenda: list[Piece] = field(default_factory=list)
    signatory: tuple[Piece | None, Piece | None] | None = None
    signed: list[tuple[Piece | None, Piece | None]] = field(default_factory=list)
    controller: Piece | None = None
    controller_is_signatory: bool = False
    point_controllers: dict[str, Piece] = field(default_factory=dict)


def read_parts(lines: list[Line]) -> Parts:
    """Everything of a document but its decisions."""
    reader = _PartsReader(lines)
    reader.run()
    return reader.parts


class _PartsReader:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.parts = Parts()

    def run(self) -> None:
        self._type_and_mark()
        parts = self.parts
        parts.body_start = self._body_start()
        parts.letterhead = self._letterhead()
        self._title()
        self._requisites()
        self._issuing_body()
        self._letter_addressee()
        for index in range(parts.body_start, len(self.lines)):
            end = marker_end(self.lines[index].text)
            if end is not None and index not in parts.title_lines:
                parts.markers[index] = end
                parts.marker_words.append(self.lines[index].text[:end].lower())
        self._signatures()
        self._meeting()
        self._chair_and_secretary_as_signed()
        self._controller()

    # -- header --

    def _type_and_mark(self) -> None:
        lines, parts = self.lines, self.parts
        for index in range(min(len(lines), 8)):
            if _STATUS.match(lines[index].text.strip()):
                parts.status = piece(lines[index], 0, len(DRAFT_MARK))
                break
        for index in range(min(len(lines), 40)):
            text = lines[index].text
            match = _TYPE_LINE.match(text)
            if not match:
                if index > 0 and marker_end(text) is not None:
                    break
                continue
            early = index <= 3 + (1 if parts.status else 0)
            if match["word"].isupper() or (early and len(text) <= 250):
                parts.type_index = index
                parts.doc_type = type_of(match["word"])
                return

    def _body_start(self) -> int:
        """The first line of the body: a «РЕШИЛИ:»-like marker, a meeting's label, a numbered point, or a
        paragraph."""
        lines, parts = self.lines, self.parts
        first = parts.type_index + 1 if parts.type_index is not None else 1
        for index in range(first, min(len(lines), HEADER_LINES)):
            text = lines[index].text
            if (marker_end(text) is not None or _LABEL_CHAIR.match(text) or _LABEL_PARTICIPANTS.match(text)
                    or _LABEL_AGENDA.match(text) or _LABEL_SECRETARY.match(text)):
                return index
            if (ITEM_MARKER.match(text) and not _ABOUT.match(text)) or len(text) > _BODY_PARAGRAPH:
                return index
            if text.count("\t") >= 2:  # a table's header row
                return index
        return min(len(lines), HEADER_LINES)

    def _letterhead(self) -> set[int]:
        """The lines of the letterhead above the heading: the bodies' names in capitals (or a body's name before
        the type word), their short names in brackets, address and contacts; an approval stamp is not part of it."""
        parts = self.parts
        limit = parts.type_index if parts.type_index is not None else parts.body_start
        stamp = next((i for i in range(limit) if _STAMP.match(self.lines[i].text)), None)
        if stamp is not None:
            parts.stamp = range(stamp, limit)
            limit = stamp
        found: set[int] = set()
        for index in range(limit):
            text = self.lines[index].text.strip()
            if parts.status and _STATUS.match(text):
                continue
            if (upper_share(text) >= 0.8 or _ADDRESS.search(text) or _BRACKETED.fullmatch(text)
                    or (parts.type_index is not None and _ORG_HEAD.match(text))):
                found.add(index)
            elif parts.type_index is None:
                break
        return found

    def _title(self) -> None:
        """The subject line («О …») of orders, decisions and letters; the heading of protocols, resolutions and
        plans (the type word and what follows it, «ПРОТОКОЛ № 4 заседания комиссии …»)."""
        lines, parts = self.lines, self.parts
        about = next((i for i in range((parts.type_index or -1) + 1, parts.body_start)
                      if _ABOUT.match(lines[i].text) and i not in parts.letterhead), None)
        pieces: list[Piece] = []
        if parts.type_index is not None:
            line = lines[parts.type_index]
            word_end = _TYPE_LINE.match(line.text).end()
            heading_has_words = not is_requisite_line(line.text[word_end:])
            if heading_has_words and not (parts.doc_type in ("order", "decision") and about is not None):
                pieces.append(piece(line, 0, len(rstrip_punct(_title_without_requisites(line.text, word_end)))))
                parts.title_lines.add(parts.type_index)
                following = parts.type_index + 1
                if following < parts.body_start and (line.text.rstrip().endswith(":") or (
                        lines[following].text.startswith("«") and "«" not in line.text)):
                    pieces.append(_whole(lines[following]))  # «… по теме:» / «Решение совещания» + ««…»»
                    parts.title_lines.add(following)
            elif about is not None:
                pieces.append(_whole(lines[about]))
                parts.title_lines.add(about)
            else:
                following = next((i for i in range(parts.type_index + 1, parts.body_start)
                                  if not is_requisite_line(lines[i].text)), None)
                if following is not None and lines[following].text[:1].islower():
                    pieces = [piece(line, 0, word_end), _whole(lines[following])]
                    parts.title_lines.update({parts.type_index, following})
        elif about is not None:
            pieces.append(_whole(lines[about]))
            parts.title_lines.add(about)
        else:
            for index in range(parts.body_start):
                text = lines[index].text
                if index in parts.letterhead or (parts.status and _STATUS.match(text.strip())):
                    continue
                if is_requisite_line(text) or _ADDRESS.search(text) or len(text) > _BODY_PARAGRAPH or "\t" in text:
                    continue
                pieces.append(_whole(lines[index]))
                parts.title_lines.add(index)
                break
        if pieces:
            parts.title = join_pieces(pieces)

    def _requisites(self) -> None:
        lines, parts = self.lines, self.parts
        first = parts.type_index if parts.type_index is not None else 0
        candidates = [i for i in range(first, parts.body_start)
                      if (i not in parts.title_lines or i == parts.type_index) and i not in parts.letterhead
                      and (len(lines[i].text) <= 120 or i == parts.type_index)]
        for index in candidates:
            self._number_and_date(lines[index])
        # a plan or regulation carries the number and date of the order that approved it («УТВЕРЖДЕН приказом …
        # от 12.09.2023 № 1187», «УТВЕРЖДАЮ … «15» января 2024 г.»)
        for index in parts.stamp:
            self._number_and_date(lines[index])
        for index in range(min(len(lines), parts.body_start + 25)):
            if parts.date is None and _LABEL_DATE.match(lines[index].text):
                self._number_and_date(lines[index], number=False)
        self._place(candidates)
        if parts.date is None:
            self._date_from_body()

    def _number_and_date(self, line: Line, number: bool = True) -> None:
        """The document's number («№ 339») and date on a line of its header."""
        parts = self.parts
        if number and parts.number is None:
            match = _NUMBER.search(line.text)
            if match and any(c.isdigit() for c in match["n"]):
                value = match["n"].rstrip(".,-")
                parts.number = Piece(value, [line.span(match.start("n"), match.start("n") + len(value))])
        if parts.date is None:
            for start, end, value in find_dates(line.text):
                parts.date, parts.date_spans = value, [line.span(start, end)]
                break

    def _date_from_body(self) -> None:
        """The date an opening sentence gives an event («18 августа 2022 года состоялся …») when the header has
        none; a date of another document («от 6 августа 2020 г. № Р-76») is not it."""
        parts = self.parts
        for index in range(parts.body_start, min(len(self.lines), parts.body_start + 3)):
            line = self.lines[index]
            for start, end, value in find_dates(mask(line.text)):
                parts.date, parts.date_spans, parts.date_from_body = value, [line.span(start, end)], True
                return

    def _place(self, candidates: list[int]) -> None:
        """«г. Элиста» in the header; else «Место проведения: …»; else a city alone on a header line («Москва»);
        else the city of the letterhead's address."""
        lines, parts = self.lines, self.parts
        for index in candidates:
            if not _ADDRESS.search(lines[index].text) and self._place_prefixed(lines[index]):
                return
        for index in range(min(len(lines), parts.body_start + 25)):
            label = _LABEL_PLACE.match(lines[index].text)
            if label:
                target = lines[index] if label["rest"].strip() else lines[min(index + 1, len(lines) - 1)]
                if self._place_prefixed(target):
                    return
        for index in candidates:
            text = lines[index].text.strip()
            if _CITY_LINE.fullmatch(text) and is_city(text.split()[0]):
                parts.place = piece(lines[index], 0, len(lines[index].text))
                return
        for index in sorted(parts.letterhead):
            line = lines[index]
            if not _ADDRESS.search(line.text):
                continue
            if self._place_prefixed(line):
                return
            for word in _CAPITALISED.finditer(line.text):
                if is_city(word[0]):
                    parts.place = Piece(word[0], [line.span(word.start(), word.end())])
                    return

    def _place_prefixed(self, line: Line) -> bool:
        for match in _PLACE.finditer(line.text):
            # «г.» after a number is «год» («сентябрь 2024 г. Руководитель МО») unless a town's name follows
            if _AFTER_NUMBER.search(line.text, 0, match.start()) and not is_city(match["name"].split()[0]):
                continue
            self.parts.place = Piece(match["name"], [line.span(match.start("name"), match.end("name"))])
            return True
        return False

    def _issuing_body(self) -> None:
        """The organisation in the letterhead: of the bodies named there (a ministry above its department), the
        last, most particular one."""
        groups: list[list[Line]] = []
        for index in sorted(self.parts.letterhead):
            line = self.lines[index]
            text = line.text.strip()
            if _ADDRESS.search(text) or _BRACKETED.fullmatch(text) or "\t" in text:
                continue
            if _ORG_HEAD.match(text) and (not groups or _starts_new_org(text)):
                groups.append([line])
            elif groups and index - 1 in self.parts.letterhead:
                groups[-1].append(line)
        if groups:
            self.parts.issuing_body = join_pieces([piece(line, 0, len(line.text)) for line in groups[-1]])

    def _letter_addressee(self) -> None:
        """A letter's addressee in its head («Руководителям органов … в сфере образования»): the responsible for
        the requests in its text that name no one else."""
        parts = self.parts
        for index in range(parts.body_start):
            text = self.lines[index].text
            if index in parts.title_lines or index in parts.letterhead or text.rstrip().endswith(":"):
                continue
            if addressee_like(text, strict=True):
                parts.addressee = responsible_piece(self.lines[index], 0, len(text))
                return

    # -- signatures --

    def _signatures(self) -> None:
        """Signature blocks (positions and names; «И.о.начальника / С.П.Бочкарева»); the document's signatory is
        the first after its decisions start, or, for a plan, the approver in its «УТВЕРЖДАЮ» stamp."""
        lines, parts = self.lines, self.parts
        blocks: list[tuple[int, list[tuple[Piece | None, Piece | None]]]] = []
        index = max(parts.body_start, 1)
        while index < len(lines):
            if _ACKNOWLEDGED.match(lines[index].text):
                parts.stops.add(index)
                index += 1
                while index < len(lines) and _NAME_AT_END.search(lines[index].text) and len(lines[index].text) < 80:
                    parts.stops.add(index)
                    index += 1
                continue
            block = self._signature_at(index)
            if block is None:
                index += 1
                continue
            end, pairs = block
            blocks.append((index, pairs))
            parts.stops.update(range(index, end))
            index = end
        if not blocks:
            blocks = [(i, found[1]) for i in parts.stamp if (found := self._signature_at(i))][:1]
        if not blocks:
            return
        after = min(parts.markers, default=parts.body_start)
        pairs = next((pairs for i, pairs in blocks if i > after), blocks[-1][1])
        parts.signed = pairs
        parts.signatory = next(((p, n) for p, n in pairs if not (p and _role(p) in ("secretary",))), pairs[0])

    def _signature_at(self, index: int) -> tuple[int, list[tuple[Piece | None, Piece | None]]] | None:
        lines = self.lines
        if not is_position_line(lines[index].text):
            return None
        positions: list[Piece] = []
        names: list[Piece] = []
        pairs: list[tuple[Piece | None, Piece | None]] = []
        current: list[Piece] = []
        step = index
        while step < min(len(lines), index + 10):
            line = lines[step]
            text = line.text
            if len(text) > _BODY_PARAGRAPH:
                break
            name = _NAME_AT_END.search(text)
            if is_position_line(text):
                if current:
                    positions.append(join_pieces(current))
                current = []
                if name and name.start("name") > 0:  # «Министр    С.В. Тарасов»
                    pairs.append((piece(line, 0, name.start("name")), piece(line, name.start("name"), name.end())))
                else:
                    current = [piece(line, 0, len(text))]
            elif name and len(text) < 80 and not text[:name.start("name")].strip(" _/\t"):
                if current:
                    positions.append(join_pieces(current))
                    current = []
                names.append(piece(line, name.start("name"), name.end("name")))
            elif current and text[:1].isupper() and len(text) <= 150 and not first_infinitive(text) and (
                    not text.rstrip().endswith((".", ":", ";"))):
                current.append(piece(line, 0, len(text)))  # «Департамента образования …», the position goes on
            elif not _SIGNATURE_FILLER.fullmatch(text.strip()):
                break
            step += 1
        if current:
            positions.append(join_pieces(current))
        pairs += list(zip(positions, names, strict=False))
        return (step, pairs) if pairs else None

    def _chair_and_secretary_as_signed(self) -> None:
        """Without «Председатель:»/«Секретарь:» lines: the names under the signatures; for a document other than
        a protocol the chair is its signatory (or approver)."""
        parts = self.parts
        for position, name in parts.signed:
            if position is None or name is None:
                continue
            if _role(position) == "secretary" and parts.secretary is None:
                parts.secretary = name
            if _role(position) == "chair" and parts.chair is None:
                parts.chair = name
        if parts.chair is None and parts.doc_type != "protocol" and parts.signatory and parts.signatory[1]:
            parts.chair = parts.signatory[1]

    # -- a meeting: chair, secretary, participants, agenda --

    def _meeting(self) -> None:
        lines, parts = self.lines, self.parts
        end = min(parts.markers, default=len(lines))
        index = 0
        while index < end:
            text = lines[index].text
            chair, secretary = _LABEL_CHAIR.match(text), _LABEL_SECRETARY.match(text)
            participants, agenda = _LABEL_PARTICIPANTS.match(text), _LABEL_AGENDA.match(text)
            if chair and parts.chair is None:
                parts.chair = self._person_after(index, chair)
            elif secretary and parts.secretary is None:
                parts.secretary = self._person_after(index, secretary)
            elif participants:
                index = self._participants(index, participants, end)
                continue
            elif agenda and not parts.agenda:
                index = self._agenda(index, agenda, end)
                continue
            index += 1

    def _person_after(self, index: int, match: re.Match[str]) -> Piece | None:
        """The person a label names: «Председатель: Иванов Иван Иванович, …», «Председательствовал: заместитель
        министра Петров П.П.», or on the next line."""
        target, offset = self.lines[index], match.start("rest")
        if not match["rest"].strip() and index + 1 < len(self.lines):
            target, offset = self.lines[index + 1], 0
        text = target.text
        item = ITEM_MARKER.match(text[offset:])
        offset += item.end() if item else 0
        person = PERSON.search(text, offset)
        full = _FULL_NAME.search(text, offset)
        if full and (person is None or person.start() - offset > 3):
            person = full
        return Piece(person[0], [target.span(person.start(), person.end())]) if person else None

    def _participants(self, index: int, match: re.Match[str], end: int) -> int:
        lines = self.lines
        entries: list[tuple[Line, int]] = []
        if match["rest"].strip():
            entries.append((lines[index], match.start("rest")))
        step = index + 1
        while step < end:
            text = lines[step].text
            labels = (_LABEL_AGENDA, _LABEL_CHAIR, _LABEL_SECRETARY, _LABEL_PARTICIPANTS, _END_OF_DECISIONS)
            if any(label.match(text) for label in labels) or marker_end(text) is not None:
                break
            marker = ITEM_MARKER.match(text)
            if marker and marker["num"] and not PERSON_START.match(text[marker.end():].lstrip()):
                break
            if not marker and not PERSON_START.match(text) and not text.lower().startswith("представител"):
                break
            entries.append((lines[step], 0))
            step += 1
        for line, offset in entries:
            self.parts.attendees += [Attendance(name, position) for name, position in _people(line, offset)]
        return step

    def _agenda(self, index: int, match: re.Match[str], end: int) -> int:
        """Agenda items, numbered or on the line after the label; a speaker after an item is not part of it."""
        lines, parts = self.lines, self.parts
        items: list[Piece] = []
        if match["rest"].strip():
            items.append(piece(lines[index], match.start("rest"), len(rstrip_punct(lines[index].text))))
        step = index + 1
        seen: list[str] = []
        while step < end:
            line = lines[step]
            text = line.text
            marker = ITEM_MARKER.match(text)
            if items and _SPEAKER.match(text):
                step += 1  # «Докладчик: Еремина Н.А.» under an item
                continue
            if not marker and not items and marker_end(text) is None and not _END_OF_DECISIONS.match(text) and (
                    len(text) < 400):
                items.append(_whole(line))  # the only item, on the line after «Повестка:»
                step += 1
                break
            if not marker or marker_end(text) is not None or _END_OF_DECISIONS.match(text[marker.end():].lstrip()):
                break
            number = (marker["num"] or marker["letter"] or "").rstrip(".)")
            if number and number in seen:
                break  # the numbering starts again: the items' own headings before their decisions
            seen.append(number)
            start = marker.end()
            stop = len(rstrip_punct(text))
            speaker = _SPEAKER_AFTER_ITEM.search(text)
            if speaker and speaker.start() > start:
                stop = len(rstrip_punct(text[:speaker.start()]))
            items.append(piece(line, start, stop))
            step += 1
        parts.agenda = [Piece(tidy(p.text), p.spans) for p in items]
        return step

    # -- the control clause --

    def _controller(self) -> None:
        """«Контроль за исполнением … возложить на …», «… оставляю за собой»; split by points when it names them
        («пунктов 1 – 3 … возложить на …, контроль за исполнением пункта 4 оставляю за собой»)."""
        parts = self.parts
        for index in range(parts.body_start, len(self.lines)):
            line = self.lines[index]
            text = line.text
            marker = ITEM_MARKER.match(text)
            begin = len(text) - len(text[marker.end() if marker else 0:].lstrip())
            if not CONTROL.match(text, begin):
                continue
            parts.control_lines.add(index)
            starts = [m.start() for m in CONTROL.finditer(text, begin)
                      if m.start() == begin or _CLAUSE_START.search(text, 0, m.start())]
            for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
                who = self._control_who(line, start, end)
                if who is None:
                    continue
                points = _CONTROL_POINTS.search(text, start, end)
                if points and points.start() - start < 60:
                    for number in point_numbers(points["nums"]):
                        parts.point_controllers[number] = who
                elif parts.controller is None:
                    parts.controller = who

    def _control_who(self, line: Line, start: int, end: int) -> Piece | None:
        text = line.text
        own = _CONTROL_SELF.search(text, start, end)
        if own:
            self.parts.controller_is_signatory = True
            signatory = self.parts.signatory
            name = (signatory[1] or signatory[0]) if signatory else None
            return name or Piece(own[0], [line.span(own.start(), own.end())])
        match = _CONTROL_WHO.search(text, start, end)
        if not match:
            return None
        group = next(g for g in ("a", "b", "c") if match[g])
        a, b = strip_end(text, match.start(group), match.end(group))
        return Piece(text[a:b], [line.span(a, b)]) if b > a else None


# --- helpers ---------------------------------------------------------------------------------------------------------


def _whole(line: Line) -> Piece:
    return piece(line, 0, len(rstrip_punct(line.text)))


def marker_end(text: str) -> int | None:
    """Where a «РЕШИЛИ:»-like word that opens a decision part ends, when a line starts with it or ends with it
    and a colon («… и рекомендуют:», «п р и к а з ы в а ю:»); None for any other line."""
    stripped = text.strip()
    if not stripped or (stripped[0].lower() not in _MARKER_INITIALS and not stripped.endswith(":")):
        return None
    lead = len(text) - len(text.lstrip())
    match = _MARKER.match(stripped)
    if match:
        after = stripped[match.end():]
        word = match["word"]
        decision_noun = word.lower().startswith("решение")
        if after.startswith(":") or not after.strip() or (
                word.isupper() and not decision_noun and len(word) > 4 and after[:1] in " ."):
            if decision_noun and not after.startswith(":") and not (word.isupper() and not after.strip()):
                return None  # «Решение республиканского совещания …» is a heading, not «РЕШЕНИЕ:»
            return lead + match.end()
    for match in _MARKER.finditer(stripped, max(0, len(stripped) - 40)):
        if match.start() > 0 and stripped[match.end():].strip() == ":" and not match["word"].lower().startswith(
                "решение"):
            return lead + match.end()
    return None


def find_dates(text: str) -> Iterator[tuple[int, int, date]]:
    """Complete dates in a text («26.12.2020», ««15» января 2024 г.») that exist."""
    for match in _DATE.finditer(text):
        try:
            value = parse_date(match[0].replace("«", "").replace("»", "").replace('"', ""))
        except DateError:
            continue
        yield match.start(), match.end(), value


def point_numbers(text: str) -> list[str]:
    """«1 – 3», «2, 4 и 5», «2.1» as point numbers, ranges expanded."""
    numbers: list[str] = []
    for match in _POINT_RANGE.finditer(text):
        first, last = match[1], match[2]
        if last and first.isdigit() and int(first) < int(last) <= int(first) + 50:
            numbers += [str(n) for n in range(int(first), int(last) + 1)]
        else:
            numbers.append(first)
    return numbers


def type_of(word: str) -> str:
    lowered = " ".join(word.lower().split())
    return next((doc_type for pattern, doc_type in TYPE_WORDS if re.fullmatch(pattern, lowered)), "other")


def is_requisite_line(text: str) -> bool:
    """A line of the date, number or place only («26.12.2020 г. № 339», «г. Москва»)."""
    return not _LETTERS.search(_REQUISITES.sub(" ", text)) or len(text) < 4


def _title_without_requisites(text: str, after: int) -> str:
    """A heading line without the date, number and place joined to it («… организаций от 25.01.2024 г.
    Верхнеозерск»); a number right after the type word («ПРОТОКОЛ № 1 совещания …») stays."""
    words = _LETTERS.search(text, after)
    if not words:
        return text
    cut = _TITLE_REQUISITE.search(text, words.start())
    return text[:cut.start()] if cut else text


@lru_cache(maxsize=1024)
def is_city(word: str) -> bool:
    """A settlement's name by the dictionary (pymorphy3's «Geox»); the country is not a place of signing."""
    return word not in ("Россия", "Москвы") and any("Geox" in p.tag for p in analyzer().parse(word.lower())[:1])


def upper_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 4 else 0.0


def _starts_new_org(text: str) -> bool:
    """«УПРАВЛЕНИЕ ОБРАЗОВАНИЯ» starts a body's name; «АДМИНИСТРАЦИИ МО …» (a genitive) continues one."""
    return "nomn" in cases(text.split()[0].strip("«»\"").lower(), frozenset({"NOUN", "ADJF"}))


def is_position_line(text: str) -> bool:
    """A signature's position («Министр», «И.о.начальника», «Председатель комиссии»), not an addressee
    («Директору школы обеспечить …») nor a label («Председатель:»)."""
    match = _POSITION.match(text)
    if not match or len(text) > _BODY_PARAGRAPH or text.rstrip().endswith(":") or not text[:1].isupper():
        return False
    if match["acting"]:
        return True
    return "nomn" in cases(match["word"].lower(), frozenset({"NOUN", "ADJF", "PRTF"})) and not first_infinitive(
        text[match.end():])


def _role(position: Piece) -> str | None:
    text = position.text.lower()
    if text.startswith(("секретар", "протокол")):
        return "secretary"
    if text.startswith("председател"):
        return "chair"
    return None


def _people(line: Line, offset: int) -> Iterator[tuple[Piece | None, str | None]]:
    """Persons named in a participants' entry, each with the position written after the name; a group
    («представители органов …») as a position without a name."""
    text = line.text
    marker = ITEM_MARKER.match(text[offset:])
    offset += marker.end() if marker else 0
    if "\t" in text[offset:]:
        cells = [c.strip() for c in text[offset:].split("\t")]
        name_cell = next((c for c in cells if PERSON_START.match(c)), None)
        if name_cell:
            start = text.index(name_cell, offset)
            person = PERSON_START.match(name_cell)
            position = "; ".join(c for c in cells if c and c != name_cell) or None
            yield Piece(person[0], [line.span(start, start + len(person[0]))]), position
            return
    found = False
    for entry in re.finditer(r"[^;]+", text[offset:]):
        chunk = entry[0]
        lead = len(chunk) - len(chunk.lstrip(" –—-•"))
        person = _PERSON_HERE.match(chunk, lead)
        if not person:
            continue
        found = True
        base = offset + entry.start()
        rest = chunk[person.end():].strip(" ,–—-.")
        more = [m for m in PERSON.finditer(chunk, person.end()) if rest.startswith(m[0])]
        if more:  # «Иванов И.И., Петров П.П.»: names only
            for other in PERSON.finditer(chunk, person.start()):
                yield Piece(other[0], [line.span(base + other.start(), base + other.end())]), None
            continue
        yield Piece(person[0], [line.span(base + person.start(), base + person.end())]), tidy(rest) or None
    if not found and text[offset:].strip():
        yield None, tidy(rstrip_punct(text[offset:].strip(" –—-•")))


__all__ = ["CONTROL", "DRAFT_MARK", "TYPE_WORDS", "Attendance", "Parts", "find_dates", "is_requisite_line",
           "marker_end", "point_numbers", "read_parts", "type_of"]
