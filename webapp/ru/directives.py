"""One directive of a decision read: its framing verb, addressee, verb, action and deadline phrase, each with the
offsets it came from («Рекомендовать органам …, осуществляющим …, в срок до 1 марта 2024 г. представить …»)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from .cleanup import Line
from .dates import DateError, alternation, genitive_months
from .deadlines import NONE, ONGOING, PERIODIC, Deadline, find_deadline, parse_deadline, strip_deadline
from .morph import ACCUSATIVE, DATIVE, accusative_to_nominative, parses, to_nominative

Span = tuple[int, int]

# Verbs that frame a directive («Рекомендовать руководителям обеспечить …»); the duty is the next verb.
FRAMING = frozenset({"рекомендовать", "поручить", "предложить", "просить", "обязать"})
RECOMMENDING = frozenset({"рекомендовать", "предложить", "просить"})

SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:вич|вна|ична|инична|ич|оглы|кызы)"
FULL_NAME = rf"{SURNAME}\s+[А-ЯЁ][а-яё]+\s+{PATRONYMIC}"
SHORT_NAME = rf"(?:{SURNAME}\s?{INITIALS}|{INITIALS}\s?{SURNAME})"
PERSON = re.compile(rf"(?<![\w.])(?:{FULL_NAME}|{SHORT_NAME})(?![\w])")
PERSON_START = re.compile(rf"^(?:{FULL_NAME}|{SHORT_NAME})(?![\w])")

# «(далее – АУ ДПО «Институт развития образования»)» defines a short name; it is part of no field.
DALEE = re.compile(r"\s*\((?:далее|далее\s+по\s+тексту|далее\s+также)\s*[-–—]?\s*[^()]*\)|\s*\(-?далее-?[^()]*\)",
                   re.IGNORECASE)
_LABELLED_RESPONSIBLE = re.compile(
    r"(?:^|(?<=[\s.;,(]))(?:отв\.\s*|(?:ответственн(?:ый|ая|ые|ое)(?:\s+(?:исполнител[ьи]|за\s+исполнение))?"
    r"|исполнител[ьи])(?![а-яё])\s*[:–—-]\s*)(?P<who>[^;)]+?)\s*(?=$|[;)]|\.\s+[А-ЯЁ]|\.$)",
    re.IGNORECASE,
)
# «… провести семинар (Петров П.П.)», «… (отдел образования)»: who a directive's last brackets name
_BRACKETED = re.compile(
    rf"\((?P<who>(?:[^()]*?\b)?{SHORT_NAME}(?:\s*,\s*{SHORT_NAME})*"
    r"|(?:[А-ЯЁ]{2,}|(?i:отдел|управлени|комитет|департамент|министерств|администраци|центр|учреждени"
    r"|руководител|заместител|директор|начальник|специалист|методист)\w*)\b[^()]*)\)\s*[.;]?\s*$")
# Where an addressee ends before its verb: an adverbial or a deadline opens («во взаимодействии с …»).
_ADVERBIAL = re.compile(
    r"(?:во\s+взаимодействии|совместно\s+с|при\s+участии|с\s+участием|в\s+целях|в\s+рамках|в\s+пределах"
    r"|в\s+соответствии|на\s+основании|в\s+связи|в\s+ходе|по\s+итогам|по\s+результатам|при\s+[а-яё]+нии"
    r"|в\s+срок|не\s+позднее|в\s+течение|в\s+период|до\s+\d|с\s+\d|ежегодно|ежемесячно|ежеквартально"
    r"|еженедельно|ежедневно|постоянно|незамедлительно)\b",
    re.IGNORECASE,
)
# Words that say a deadline is meant («в установленный срок», «к началу …»): when deadlines.py reads none of
# them, they are kept as text for a person to turn into a date.
_DEADLINE_HINT = re.compile(
    r"\b(?:в\s+(?:установленный\s+)?срок|сроки?\s*[:–—-]|не\s+позднее|не\s+позже|до\s+(?:конца|начала|окончания"
    r"|завершения|момента|дня|даты)|к\s+(?:началу|концу|окончанию|следующему|моменту|дате|дню|очередному)"
    r"|в\s+течение|по\s+окончании|по\s+завершении|после\s+(?:окончания|завершения|получения|утверждения))",
    re.IGNORECASE,
)
_CLAUSE_STOP = re.compile(r"[,;.)](?:\s|$)|$")
_LABEL_BEFORE = re.compile(r"(?:^|(?<=[\s.;,(]))срок\w*(?:\s+\w+)?\s*[:–—-]?\s*$", re.IGNORECASE)
# What may open a directive before its addressee or verb and is part of neither: «Также просим …»,
# «Дополнительно сообщаем, что …».
_LEAD = re.compile(
    r"(?:(?:также|дополнительно|кроме\s+того|вместе\s+с\s+тем),?\s+)?"
    r"(?:(?:просим|прошу)(?:\s+вас)?\s+|(?:сообщаем|информируем|напоминаем|уведомляем|обращаем\s+внимание),?\s+(?:что|на\s+то,?"
    r"\s+что)\s+)",
    re.IGNORECASE,
)
_DOCUMENT_WORD = re.compile(r"(?:приказ|распоряжени|постановлени|письм|решени|протокол|закон|указ|положени"
                            r"|концепци|программ|стратеги|план|регламент|порядк|кодекс)\w*", re.IGNORECASE)
_MONTHS = alternation(genitive_months())
_DAY_DATE = re.compile(rf"\d{{1,2}}\s+(?:{_MONTHS})|\d{{1,2}}\.\d{{1,2}}", re.IGNORECASE)
_WHEN = rf"(?:\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}|[«\"]?\d{{1,2}}[»\"]?\s+(?:{_MONTHS})\s+\d{{4}})"
_YEAR_WORD = r"(?:\s*(?:г\.|года|год|г\b))?"
# A reference to another document: «от 6 августа 2020 г. № Р-76», «№ 273-ФЗ».
_REFERENCE = re.compile(
    rf"\bот\s+{_WHEN}{_YEAR_WORD}(?:\s*(?:№|N)\s*[\w/.\-]+)?|(?:№|N(?=\s*\d))\s*[\w/.\-]+(?:\s+от\s+{_WHEN}{_YEAR_WORD})?",
    re.IGNORECASE,
)
# What mask() blanks out: a quoted name (one level of quotes inside it), a reference to another document.
_MASKED = re.compile(rf"(?P<quoted>«[^«»]*(?:«[^«»]*»[^«»]*)*(?:»|$))|{_REFERENCE.pattern}", re.IGNORECASE)
_LATIN_NUMBER = re.compile(r"\bN\s*\d")
_NOT_SPACE = re.compile(r"\S")
_BLANKED = re.compile(r"_[_ ]*_|_")
# A calendar date or period named without its year («до 20 ноября», «в марте», «II квартал», «в течение учебного
# года»): the year comes from the document's date, and a person should know it did.
_CALENDAR_WORDS = re.compile(rf"\d{{1,2}}\s+(?:{_MONTHS})|\d{{1,2}}\.\d{{1,2}}(?!\.\d)|квартал|полугоди|учебн"
                             rf"|январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр",
                             re.IGNORECASE)
_TRAILING_DATE = re.compile(rf"(?<![\w.])(?P<date>{_WHEN}{_YEAR_WORD})\s*[.;]?\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_TOKENS = re.compile(
    r"(?P<quoted>«[^«»]*(?:«[^«»]*»[^«»]*)*(?:»|$)|\"[^\"]*(?:\"|$)|“[^”]*(?:”|$)|„[^“”]*(?:[“”]|$))"
    r"|(?P<initial>[А-ЯЁA-Z]\.)|(?P<word>[^\W\d_]+(?:-[^\W\d_]+)*)|(?P<open>\()|(?P<close>\))|(?P<comma>,)|(?P<other>\S)")
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_ABBREVIATION_END = re.compile(r"(?:^|[\s\d.])(?:г|гг|т\.д|т\.п|т\.е|др|[А-ЯЁ])$")
_NAME_CLASSES = frozenset({"NOUN", "ADJF", "PRTF", "NPRO"})
UNREAD = "Срок не распознан, сохранён как текст: «{}». Укажите дату."
NEEDS_DATE = "Срок зависит от даты документа, а она не найдена: укажите дату вручную."
YEAR_GUESSED = "Год срока не указан в тексте: взят по дате документа."
BARE_DATE = "Срок взят из даты в конце пункта: проверьте."
EVENT = "Срок привязан к событию («{}»): укажите дату, когда она станет известна."


class Token(NamedTuple):
    """A word, an initial, a quoted name, a bracket, a comma or another mark, as ru.morph's Token (a tuple: a
    line's tokens are made by the thousand)."""

    kind: str
    text: str
    start: int
    end: int


# --- text with its origin ------------------------------------------------------------------------------------------


@dataclass
class Piece:
    """Text found in the document with the original spans it came from (and, for an addressee, its case)."""

    text: str
    spans: list[Span]
    case: str = DATIVE


def piece(line: Line, start: int, end: int) -> Piece:
    start, end = trim(line.text, start, end)
    return Piece(line.text[start:end], [line.span(start, end)] if end > start else [])


def join_pieces(pieces: list[Piece]) -> Piece:
    return Piece(tidy(" ".join(p.text for p in pieces)), [s for p in pieces for s in p.spans])


def trim(text: str, start: int, end: int, strip: str = " \t") -> tuple[int, int]:
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def strip_end(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop spaces and the punctuation that only closed a list item or a sentence; the dot of an initial or an
    abbreviation («Суртаеву А.М.», «2024 г.») stays, and a closing bracket whose opening one is cut off goes."""
    start, end = trim(text, start, end, " \t,;:.–—-")
    if end < len(text) and text[end] == "." and _ABBREVIATION_END.search(text, start, end):
        end += 1
    if end > start and text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end):
        start, end = trim(text, start, end - 1, " \t,;:.–—-")
    return start, end


def tidy(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def rstrip_punct(text: str) -> str:
    """Without the punctuation that ends an item; the dot of «2024 г.», «и т.д.» stays."""
    stripped = text.rstrip(" \t.;,:")
    if text[len(stripped):].startswith(".") and _ABBREVIATION_END.search(stripped):
        return stripped + "."
    return stripped


def lower_first(text: str) -> str:
    """«Концепцию …» after a heading's verb («разработать:») as «концепцию …»; an abbreviation keeps its case."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# --- words -----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def line_tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a whole line, as ru.morph.tokenize makes them (a quoted name is one token), in one pass of
    one regular expression: a line's items and headings are read from parts of it."""
    return tuple(Token(match.lastgroup or "other", match[0], match.start(), match.end())
                 for match in _TOKENS.finditer(text))


class _Word(NamedTuple):
    pos: str | None  # the most probable reading's class
    lemma: str
    finite: bool  # a finite verb in the indicative
    readings: tuple[tuple[str, str], ...]  # (class, case) of every reading that has a case


@lru_cache(maxsize=16384)
def _word(word: str) -> _Word:
    """What the dictionary says of a word, as plain strings and tuples of them: this cache holds nothing the garbage
    collector has to walk again and again (pymorphy3's Parse objects would be), in a process that runs for long."""
    readings = parses(word)
    if not readings:
        return _Word(None, word, False, ())
    first = readings[0]
    return _Word(first.tag.POS, first.normal_form, first.tag.POS == "VERB" and first.tag.mood == "indc",
                 tuple((str(p.tag.POS), str(p.tag.case)) for p in readings if p.tag.case))


def top_class(word: str) -> str | None:
    """The most probable word class of a word («INFN», «NOUN», …)."""
    return _word(word.lower()).pos


def cases(word: str, classes: frozenset[str] = _NAME_CLASSES) -> frozenset[str]:
    """The cases a word may be in as a member of the given word classes."""
    return frozenset(case for pos, case in _word(word.lower()).readings if pos in classes)


def lemma(word: str) -> str:
    return _word(word.lower()).lemma


def is_infinitive(word: str) -> bool:
    return _word(word.lower()).pos == "INFN"


def is_finite(word: str) -> bool:
    """A finite verb in the indicative («составляет», «отмечают»); not «Бондарь» read as an imperative."""
    return _word(word.lower()).finite


def forget_texts() -> None:
    """Memos keyed by a line's text serve one document: emptied after it, they neither grow with the process nor
    leave work for the garbage collector (the word-level ones stay: words recur from document to document)."""
    for memo in (line_tokens, mask, is_statement, addressee_like, starts_in):
        memo.cache_clear()


def first_infinitive(text: str) -> str | None:
    """The first verb in the infinitive that is not a framing one («рекомендовать»)."""
    return next((w for w in _WORD.findall(text) if is_infinitive(w) and w.lower() not in FRAMING), None)


@lru_cache(maxsize=2048)
def is_statement(text: str) -> bool:
    """A sentence whose verb is finite or a short participle («Резолюция принята …», «отмечают»)."""
    depth = 0
    for token in line_tokens(text):
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth = max(0, depth - 1)
        elif token.kind == "word" and depth == 0 and top_class(token.text) in ("VERB", "PRTS"):
            return True
    return False


# --- addressees ------------------------------------------------------------------------------------------------------


def addressee_token(token: Token, case: str = DATIVE) -> bool:
    """Whether a word can open an addressee: a body or person in the dative, an abbreviation («ОИВ», «АУ ДПО»), a
    quoted name, an initial."""
    if token.kind in ("quoted", "initial"):
        return True
    if token.kind != "word":
        return False
    word = token.text
    if len(word) >= 2 and word.isupper() and not re.fullmatch(r"[IVX]+", word):
        return True
    if top_class(word) in ("PREP", "CONJ", "INFN", "VERB", "ADVB", "PRCL"):
        return False
    return case in cases(word)


@lru_cache(maxsize=2048)
def addressee_like(text: str, strict: bool) -> bool:
    """Whether a heading names who is addressed: a body in the dative, an abbreviation or quoted name, a person.
    Strictly, only a capitalised word that can be nothing but a dative («Министерству …», «Руководителям …»)."""
    text = DALEE.sub("", text).strip()
    if not text or first_infinitive(text) or len(text) > 400:
        return False
    tokens = line_tokens(text)
    if not tokens:
        return False
    first = tokens[0]
    if first.kind == "word" and first.text.lower() in ("всем", "каждому") and len(tokens) > 1:
        first = tokens[1]
    if strict:
        found = cases(first.text) if first.kind == "word" else frozenset()
        return first.text[:1].isupper() and "datv" in found and "nomn" not in found
    if any(is_finite(t.text) for t in tokens if t.kind == "word"):
        return False
    if first.kind == "quoted" or (first.kind == "word" and len(first.text) >= 2 and first.text.isupper()):
        return True
    return bool(PERSON_START.match(text)) or addressee_token(first)


def responsible_piece(line: Line, start: int, end: int, case: str = DATIVE) -> Piece:
    """The addressee as written, without «(далее – …)»; its spans skip what was left out."""
    text = line.text
    spans: list[Span] = []
    parts: list[str] = []
    position = start
    for match in DALEE.finditer(text, start, end):
        a, b = trim(text, position, match.start())
        if b > a:
            spans.append(line.span(a, b))
            parts.append(text[a:b])
        position = match.end()
    a, b = strip_end(text, position, end)
    if b > a:
        spans.append(line.span(a, b))
        parts.append(text[a:b])
    return Piece(tidy(" ".join(parts)), spans, case)


@lru_cache(maxsize=2048)
def starts_in(text: str, case: str = DATIVE) -> bool:
    """Whether a name as written starts in the case (an addressee) rather than the nominative (a table cell)."""
    word = _FIRST_WORD.match(text)
    if not word:
        return False
    first = word[0]
    if first.isupper() and len(first) >= 2:
        return False
    return case in cases(first) and "nomn" not in cases(first)


@lru_cache(maxsize=4096)
def nominative(written: str, case: str = DATIVE) -> str:
    """The responsible's name in the nominative, capitalised: «органам … , осуществляющим …» → «Органы …,
    осуществляющие …» (after «Обязать», from the accusative); a name already in the nominative (a table cell,
    «ОИВ») stays as it is."""
    result = written
    if starts_in(written, case):
        result = accusative_to_nominative(written) if case == ACCUSATIVE else to_nominative(written)
    return result[:1].upper() + result[1:] if result[:1].islower() else result


# --- deadlines -------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def mask(text: str) -> str:
    """The text with quoted names and references to other documents («от 6 августа 2020 г. № Р-76») blanked
    out, keeping every offset: a date there is never a deadline."""
    if "«" not in text and "№" not in text and "от " not in text and "N" not in text:
        return text
    pieces: list[str] = []
    position = 0
    for match in _MASKED.finditer(text):
        raw = match[0]
        if match["quoted"] is None and raw[:2].lower() == "от" and "№" not in raw and not _LATIN_NUMBER.search(raw):
            if not _DOCUMENT_WORD.search(text, max(0, match.start() - 80), match.start()):
                continue  # «от» and a date alone is a document's only when a document is named before it
        pieces += [text[position:match.start()], _NOT_SPACE.sub("_", raw)]
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


class Due(NamedTuple):
    """A deadline found for an assignment: what it means, the phrase as written, where it is, a doubt."""

    deadline: Deadline
    text: str | None
    spans: list[Span]
    doubt: str | None = None


class DeadlineReader:
    """Reads deadline phrases against the document's date; without one, tells a phrase that needs it («до 1
    марта») by reading it against two different dates: it is kept as text, never guessed."""

    PROBES = (date(2001, 3, 15), date(2002, 10, 20))

    def __init__(self, reference: date | None) -> None:
        self.reference = reference

    def find(self, sentence: str) -> tuple[Deadline | None, str | None]:
        """The deadline phrase in a sentence (None when there is none), and a doubt about it."""
        return self._read(find_deadline, sentence, whole=False)

    def parse(self, text: str) -> tuple[Deadline | None, str | None]:
        """A deadline given on its own (a table cell, a «Срок:» line)."""
        return self._read(parse_deadline, text, whole=True)

    def _read(self, read: Callable[[str, date], Deadline], text: str,
              whole: bool) -> tuple[Deadline | None, str | None]:
        try:
            if self.reference:
                found = read(text, self.reference)
                return (found if found.text or whole else None), self._doubt(found)
            first = read(text, self.PROBES[0])
            if not first.text and not whole:
                return None, None
            second = read(text, self.PROBES[1]) if first.due or first.start else first
        except DateError as error:
            return None, str(error)
        if (first.due, first.start) != (second.due, second.start):
            return replace(first, due=None, start=None), NEEDS_DATE
        return first, self._doubt(first, year=False)

    @staticmethod
    def _doubt(found: Deadline, year: bool = True) -> str | None:
        """Why a person should look at a deadline read: it hangs on an event («к следующему заседанию»), its words
        did not read («Срок: по согласованию»), or it had no year and took the document's («до 20 ноября»)."""
        if getattr(found, "anchor", None):
            return EVENT.format(found.text)
        if getattr(found, "unrecognised", False):
            return UNREAD.format(found.text)
        if not year or not (found.due or found.start) or re.search(r"\d{4}", found.text):
            return None
        return YEAR_GUESSED if _CALENDAR_WORDS.search(found.text) else None


# --- one directive ---------------------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A directive read: who (an addressee before the verb, or a label), the action, the deadline phrase."""

    body_start: int  # where the directive's words start, after a framing verb and a leading deadline
    body_end: int  # where they end, before «Ответственный: …»
    responsible: Piece | None = None
    labelled: Piece | None = None  # «Ответственный: …»
    bracketed: Piece | None = None  # «(Иванов И.И.)» ending the directive
    framing: str | None = None
    recommendation: bool = False
    verb_start: int | None = None
    first_verb: str | None = None
    action_end: int = 0
    action_text: str = ""
    action_spans: list[Span] = field(default_factory=list)
    due: Due | None = None
    phrase: tuple[int, int] | None = None  # where the deadline phrase is in the line
    unread: tuple[str, list[Span]] | None = None  # words that look like a deadline but did not read
    plain: str = ""


def analyse(line: Line, start: int, end: int, reader: DeadlineReader) -> Parsed:
    """Read one directive: [framing verb] [addressee] [deadline] verb … [deadline] [Ответственный: …]."""
    text = line.text
    start, end = strip_end(text, start, end)
    parsed = Parsed(start, end, plain=text[start:end])
    if end <= start:
        return parsed
    masked = mask(text[:end])
    body_end = _cut_labelled(parsed, line, start, end)
    lead = _LEAD.match(text, start)
    if lead:
        start = lead.end()
    tokens = [t for t in line_tokens(text) if start <= t.start and t.end <= body_end]
    position = 0
    if tokens and tokens[0].kind == "word" and tokens[0].text.lower() in FRAMING:
        parsed.framing = tokens[0].text.lower()
        parsed.recommendation = parsed.framing in RECOMMENDING
        position = 1
    verb_index, finite = _verb(tokens, position)
    if verb_index is not None:
        parsed.verb_start = tokens[verb_index].start
        parsed.first_verb = tokens[verb_index].text
    else:
        parsed.first_verb = first_infinitive(text[start:body_end])
    phrase = parsed.phrase = _deadline(parsed, line, masked, start, body_end, reader)
    # a leading deadline («В срок до 1 марта отделу … подготовить») is not part of the addressee
    if phrase and position < len(tokens) and phrase[0] <= tokens[position].start < phrase[1]:
        while position < len(tokens) and (tokens[position].start < phrase[1] or tokens[position].kind == "comma"):
            position += 1
    parsed.body_start = tokens[position].start if position < len(tokens) else start
    if verb_index is not None and not finite and verb_index > position:
        _addressee(parsed, line, tokens, position, tokens[verb_index].start, phrase)
    elif verb_index is None and parsed.framing is not None and position < len(tokens):
        # «Рекомендовать органам …:» as a heading: the framing verb's addressee runs to its end
        stop = phrase[0] if phrase and phrase[0] > tokens[position].start else body_end
        _addressee(parsed, line, tokens, position, stop, None)
    _action(parsed, line, start, body_end, tokens, position, phrase)
    # deadline-like words that did not read, when nothing did; outside the addressee («Комиссии … к началу
    # учебного года» is its name)
    if phrase is None:
        _unread_hint(parsed, line, masked, parsed.body_end if parsed.responsible else start, body_end)
    if parsed.responsible is None and parsed.labelled is None:
        bracket = _BRACKETED.search(text, start, body_end)
        if bracket:
            parsed.bracketed = Piece(bracket["who"], [line.span(bracket.start("who"), bracket.end("who"))])
    return parsed


def _cut_labelled(parsed: Parsed, line: Line, start: int, end: int) -> int:
    """Cut «Ответственный: …» off the end of a directive; where the directive's own words end."""
    text = line.text
    label = _LABELLED_RESPONSIBLE.search(text, start, end)
    if not label or label.start() <= start:
        return end
    who_start, who_end = strip_end(text, label.start("who"), label.end("who"))
    if who_end <= who_start or re.search(r"\w", text[label.end("who"):end]):
        return end  # «Отделу (ответственный: Иванов И.И.) подготовить …»: inside the text, part of the addressee
    parsed.labelled = Piece(text[who_start:who_end], [line.span(who_start, who_end)])
    body_end = label.start()
    return body_end - 1 if text[body_end - 1] == "(" else body_end


def _verb(tokens: list[Token], position: int) -> tuple[int | None, bool]:
    """The first infinitive outside brackets, and whether a finite verb came before it outside a relative clause
    («ОИВ, в которых оснащенность … составляет …, разработать»: the addressee's own clause)."""
    depth = 0
    relative = False
    finite = False
    for index in range(position, len(tokens)):
        token = tokens[index]
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth = max(0, depth - 1)
        elif token.kind == "comma" and depth == 0:
            following = [t.text.lower() for t in tokens[index + 1:index + 3] if t.kind == "word"]
            relative = any(w.startswith(("котор", "чь")) or w in ("где", "куда", "откуда") for w in following)
        elif token.kind == "word" and depth == 0:
            if is_infinitive(token.text) and token.text.lower() not in FRAMING:
                return index, finite
            finite = finite or (is_finite(token.text) and not relative)
    return None, finite


def _deadline(parsed: Parsed, line: Line, masked: str, start: int, end: int,
              reader: DeadlineReader) -> tuple[int, int] | None:
    """The phrase deadlines.py ranks best. One before the verb may belong to a name («Комиссии по приемке … к
    началу учебного года провести … с 1 по 9 августа»): a phrase with a day after the verb wins then."""
    verb = parsed.verb_start
    if verb is None:
        found, doubt, place = _find(reader, masked, start, end)
    else:
        # the words after the verb first: they hold the deadline most often, and the addressee before them can
        # only slow the reader down («администрации города» looks like «года» to its quick test)
        found, doubt, place = _find(reader, masked, verb, end)
        if not (place and (_DAY_DATE.search(found.text) or found.kind in (PERIODIC, ONGOING))):
            before, before_doubt, before_place = _find(reader, masked, start, verb)
            if before_place and (place is None or _rank(before) > _rank(found)):
                found, doubt, place = before, before_doubt, before_place
            elif place is None and before_doubt:
                doubt = before_doubt
    if found is None and doubt is None:
        # «… провести классные часы 2 сентября 2024 года.»: a date ending a directive is when to do it
        bare = _TRAILING_DATE.search(masked, start, end)
        if bare:
            found, _ = reader.parse(bare["date"])
            place, doubt = (bare.start("date"), bare.end("date")), BARE_DATE
    if found is None or place is None:
        if doubt:  # a date that does not exist («до 31.02.2024»): the phrase is kept, the date left to a person
            removed = _removed_phrase(masked[start:end])
            if removed is not None:
                p_start, p_end = start + removed[0], start + removed[1]
                phrase_text = line.text[p_start:p_end]
                parsed.due = Due(Deadline(NONE, text=phrase_text), phrase_text, [line.span(p_start, p_end)], doubt)
                return p_start, p_end
        return None
    p_start, p_end = place
    label = _LABEL_BEFORE.search(line.text, start, p_start)
    if label and label.start() < p_start:
        p_start = label.start()  # «Срок – 29 февраля 2024 г.»: the label is part of the phrase as written
    parsed.due = Due(found, line.text[p_start:p_end], [line.span(p_start, p_end)], doubt)
    return p_start, p_end


def _rank(found: Deadline) -> tuple[bool, int]:
    """As deadlines.py ranks phrases: a dated one before one hanging on an event, then the longer."""
    return getattr(found, "anchor", None) is None, len(found.text)


def _find(reader: DeadlineReader, masked: str, start: int,
          end: int) -> tuple[Deadline | None, str | None, tuple[int, int] | None]:
    """The deadline phrase in masked[start:end] and where it is. The reader gets the text with each blanked
    stretch as one «_»: its patterns take time in proportion to the text's length, and a long reference or
    quoted title holds nothing for them."""
    pieces: list[str] = []
    positions: list[int] = []
    position = start
    for run in _BLANKED.finditer(masked, start, end):
        pieces += [masked[position:run.start()], "_"]
        positions += [*range(position, run.start()), run.start()]
        position = run.end()
    pieces.append(masked[position:end])
    positions += range(position, end)
    text = "".join(pieces)
    found, doubt = reader.find(text)
    if found is None or not found.text:
        return found, doubt, None
    local = text.find(found.text)
    if local < 0:
        return found, doubt, None
    return found, doubt, (positions[local], positions[local + len(found.text) - 1] + 1)


def _removed_phrase(sentence: str) -> tuple[int, int] | None:
    """Where the deadline phrase strip_deadline takes out of a sentence is (it also finds a phrase whose date
    does not exist, which find_deadline refuses)."""
    stripped = strip_deadline(sentence, DeadlineReader.PROBES[0])
    if stripped == sentence:
        return None
    head = 0
    while head < min(len(sentence), len(stripped)) and sentence[head] == stripped[head]:
        head += 1
    tail = 0
    while tail < min(len(sentence), len(stripped)) - head and sentence[-1 - tail] == stripped[-1 - tail]:
        tail += 1
    start, end = trim(sentence, head, len(sentence) - tail, " ,;:.")
    return (start, end) if end > start else None


def _unread_hint(parsed: Parsed, line: Line, masked: str, start: int, end: int) -> None:
    """Words that look like a deadline («в установленный срок», «к началу …») but were not read as one."""
    text = line.text
    for hint in _DEADLINE_HINT.finditer(masked, start, end):
        stop = _CLAUSE_STOP.search(text, hint.start(), end)
        h_start, h_end = strip_end(text, hint.start(), min(stop.start() if stop else end, hint.start() + 100))
        if h_end - h_start > len(hint[0].strip()):
            parsed.unread = (tidy(text[h_start:h_end]), [line.span(h_start, h_end)])
            return


def _addressee(parsed: Parsed, line: Line, tokens: list[Token], position: int, stop: int,
               phrase: tuple[int, int] | None) -> None:
    """«Рекомендовать органам … обеспечить», «Отделу … (Иванова И.И.) в срок до … подготовить»: the words
    before the verb are the addressee when they start with a dative (after «обязать», an accusative)."""
    first = tokens[position]
    # «Поручить отделу …», «Рекомендовать органам …», but «Обязать руководителей …», «Просить глав …»
    case = ACCUSATIVE if parsed.framing in ("обязать", "просить") else DATIVE
    if not addressee_token(first, case):
        return
    r_start, r_end = strip_end(line.text, first.start, _addressee_end(line.text, tokens, position, stop, phrase))
    if r_start < r_end <= r_start + 400:
        parsed.responsible = responsible_piece(line, r_start, r_end, case)
        parsed.body_start, parsed.body_end = r_start, r_end


def _addressee_end(text: str, tokens: list[Token], position: int, stop: int,
                   phrase: tuple[int, int] | None) -> int:
    """Where the addressee ends: before the verb, a deadline or an adverbial («во взаимодействии с …»); an
    adverbial inside the addressee's own clause («…, осуществляющим контроль при проведении …,») does not end it."""
    end = phrase[0] if phrase and tokens[position].start < phrase[0] < stop else stop
    depth = 0
    clause = False
    for index in range(position + 1, len(tokens)):
        token = tokens[index]
        if token.start >= end:
            break
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth = max(0, depth - 1)
        elif token.kind == "comma" and depth == 0:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            clause = following is not None and following.kind == "word" and (
                top_class(following.text) == "PRTF" or following.text.lower() in ("которые", "которым", "в"))
        elif token.kind == "word" and depth == 0 and not clause and _ADVERBIAL.match(text, token.start):
            return token.start
    return end


def _action(parsed: Parsed, line: Line, start: int, body_end: int, tokens: list[Token], position: int,
            phrase: tuple[int, int] | None) -> None:
    """The action: from the verb after an addressee; from the framing verb when no addressee follows it
    («Рекомендовать при создании … руководствоваться»); else from the object a passive directive starts with
    («Положение … разместить»). A deadline phrase at its end is left out; one inside it stays."""
    text = line.text
    if parsed.responsible is not None:
        action_start = parsed.verb_start if parsed.verb_start is not None else parsed.body_end
    elif parsed.framing is not None:
        action_start = tokens[0].start  # the framing verb: a recommendation to no one named stays one
    else:
        action_start = tokens[position].start if position < len(tokens) else start
        word = tokens[position] if position < len(tokens) else None
        if parsed.verb_start is not None and word is not None and word.kind == "word" and top_class(word.text) in (
                "PREP", "ADVB", "CONJ", "PRCL"):
            action_start = parsed.verb_start  # «В целях … обеспечить …»: an adverbial is not the action's object
    action_end = body_end
    if phrase and action_start <= phrase[0] < action_end and not re.search(r"\w", text[phrase[1]:action_end]):
        action_end = phrase[0]
    a_start, a_end = strip_end(text, action_start, action_end)
    parsed.action_end = a_end
    pieces = [(a_start, a_end)]
    for match in DALEE.finditer(text, a_start, a_end):
        head = pieces.pop()
        pieces += [(head[0], match.start()), (match.end(), head[1])]
    pieces = [trim(text, a, b) for a, b in pieces]
    pieces = [(a, b) for a, b in pieces if b > a]
    parsed.action_text = tidy(" ".join(text[a:b] for a, b in pieces)).strip(" ,;:")
    parsed.action_spans = [line.span(a, b) for a, b in pieces]


__all__ = [
    "DALEE", "FRAMING", "FULL_NAME", "PERSON", "PERSON_START", "SHORT_NAME", "UNREAD", "DeadlineReader", "Due",
    "Parsed", "Piece", "addressee_like", "analyse", "cases", "first_infinitive", "is_statement", "join_pieces",
    "lemma", "lower_first", "mask", "nominative", "piece", "responsible_piece", "rstrip_punct", "starts_in",
    "strip_end", "tidy", "top_class", "trim", "forget_texts", "is_infinitive", "is_finite",
]
