"""Text as DOCX/PDF extraction leaves it, made into logical lines: wrapped lines joined, hyphenation undone,
page debris dropped; every character keeps its offset in the original text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .morph import analyzer

# Marks that open a list item or a numbered point: a line starting with one is never a continuation.
ITEM_MARKER = re.compile(
    r"^(?:(?P<num>\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}[.)])(?=\s*[^\s\d.,:;%)\-–—])"
    r"|(?P<letter>[а-яёa-z]\))(?=\s*\S)"
    r"|(?P<roman>[IVX]{1,5}\.)(?=\s*[А-ЯЁA-Z«\"])"
    r"|(?P<bullet>[-–—•·▪◦○●■□►➢❖✓*])(?=\s*\S))"
)
# Lines that begin a labelled part of a document; they start a new logical line whatever precedes them.
_LABEL = re.compile(
    r"^(?:(?:ответственн\w*(?:\s+исполнител\w*)?|исполнител[ьи]|срок(?:и)?(?:\s+(?:исполнения|выполнения"
    r"|представления|реализации))?)\s*[:–—-]"
    r"|контроль\s+(?:за|над)|председател\w*\s*(?:[:–—-]|$)|председательствовал|секретар[ьи](?:\s+\w+)?\s*(?:[:–—-]|$)"
    r"|присутствовал|приглаш[её]нн?ы|повестка|слушали|решили|решение\s*:|постановили|выступили|голосовали"
    r"|приказываю|постановляю|распоряжаюсь|приложение(?:\s+(?:№\s*)?\d+)?\s*(?:[:.]|$)|утвержд[её]н[аоы]?\s*(?:$|:|приказом"
    r"|постановлением|распоряжением|решением)|согласовано|с\s+приказом\s+ознакомлен|место\s+проведения"
    r"|время\s+проведения|дата\s+проведения)",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?\d{1,3}(?:\s*[-–—])?$|^(?:стр\.?|страница|лист)\s*\d{1,3}(?:\s*(?:из|/)\s*\d{1,3})?$"
    r"|^\d{1,3}\s*(?:из|/)\s*\d{1,3}$",
    re.IGNORECASE,
)
# Words that end a line without finishing the phrase: the next line continues it whatever its case.
_OPEN_WORDS = frozenset({
    "в", "во", "до", "от", "с", "со", "по", "на", "к", "ко", "и", "или", "а", "для", "за", "при", "о", "об", "не",
    "из", "у", "без", "над", "под", "через", "между", "также", "№", "как", "что", "чем",
})
# Abbreviations whose dot does not end a sentence.
_ABBREVIATIONS = frozenset({
    "г", "гг", "др", "т.д", "т.п", "т.е", "т.ч", "ст", "п", "пп", "ч", "им", "ул", "д", "с", "обл", "руб", "тыс",
    "млн", "см", "рис", "табл", "прил", "стр", "каб", "корп", "пр", "пер", "пос", "р-н", "мкр", "кв", "наб", "ед",
})
_MONTHS_GENITIVE = frozenset({
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
    "декабря",
})
_WIDE_GAP = re.compile(r" {5,}| *\t[ \t]*")
_SPACES = re.compile(r"[ \u00a0\u2007\u202f\u2002\u2003\u2009]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\ufeff\u2060]")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_MARKDOWN_BOLD = re.compile(r"\*\*|__")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
# «П Р И К А З», «п р и к а з ы в а ю»: letters spaced out for emphasis.
_SPACED_LETTERS = re.compile(r"(?<![\w.])(?:[А-ЯЁ] ){3,}[А-ЯЁ](?![\w.])|(?<![\w.])(?:[а-яё] ){3,}[а-яё](?![\w.])")
# Characters any step of _normalise acts on; a line without them only loses its outer spaces.
_SPECIAL = re.compile(r"[\u00ad\u200b-\u200d\ufeff\u2060\ue000-\uf8ff\u00a0\u2007\u202f\u2002\u2003\u2009\t*_#|]|  "
                      r"|(?<![\w.])(?:[А-ЯЁа-яё] ){3}[А-ЯЁа-яё](?![\w.])")
# A table row written with «|» between its cells (as many systems export tables to text, Markdown among them):
# outer bars, or at least two bars inside. Its cells become TAB-separated, as a DOCX table's are.
_PIPE_ROW = re.compile(r"^\|.*\|$|^[^|]*\|[^|]*\|")
_PIPE_EDGES = re.compile(r"^\|[ \t]?|[ \t]?\|$")
_PIPE = re.compile(r"[ \t]*\|[ \t]*")
# «|---|:---|», «+-----+-----+»: a rule between a table's rows, no text of its own.
_TABLE_RULE = re.compile(r"^[|+]?(?:[ \t]*:?-{2,}:?[ \t]*[|+])+[ \t]*(?::?-{2,}:?)?[ \t]*$|^[|+][-=+| \t:]*[|+]$")
_RUNNING_HEADER_LENGTH = 120
# Lines that open a paragraph of their own: «1 этап: …», «2 уровень: …», «Цель: …», a subject line «О …».
_NEW_PARAGRAPH = re.compile(r"(?:\d{1,3}|[IVX]{1,4})\s+[а-яё]+\s*:|[А-ЯЁ][а-яё]+(?:\s+[а-яё]+){0,2}\s*:\s*\S"
                            r"|(?:О|Об|Обо)\s+[а-яё]")
_WRAPPED_WIDTH = 100
_LINES_TO_MEASURE = 8
_NOT_WRAPPED = 10_000  # lines of wrapped (PDF) text are shorter than this at 70 % of their usual width


@dataclass
class Line:
    """One logical line: its text and, for each character, the offset it came from in the original text."""

    text: str
    pos: Sequence[int]  # a range while the line is its original text unchanged
    blank_before: bool = False
    physical: int = 1  # how many physical lines were joined into it
    widths: list[int] = field(default_factory=list)

    def span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """The original text's offsets of text[start:end]."""
        end = len(self.text) if end is None else end
        if end <= start:
            anchor = self.pos[min(start, len(self.pos) - 1)] if self.pos else 0
            return anchor, anchor
        return self.pos[start], self.pos[end - 1] + 1

    @property
    def is_table_row(self) -> bool:
        return "\t" in self.text


@dataclass
class _Physical:
    text: str
    pos: Sequence[int]
    page_break: bool = False  # a form feed came before it


def _substitute(text: str, pos: Sequence[int], pattern: re.Pattern[str],
                replace: Callable[[re.Match[str]], str]) -> tuple[str, Sequence[int]]:
    """Apply a substitution, keeping the offsets: inserted characters take the offset of the match's start."""
    if not pattern.search(text):
        return text, pos
    pieces: list[str] = []
    offsets: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(text[last:match.start()])
        offsets.extend(pos[last:match.start()])
        new = replace(match)
        if new == match[0]:
            offsets.extend(pos[match.start():match.end()])
        elif new and len(new) <= match.end() - match.start() and match[0].startswith(new[:1]):
            offsets.extend(pos[match.start():match.start() + len(new)])
        else:
            anchor = pos[match.start()] if match.start() < len(pos) else (pos[-1] + 1 if pos else 0)
            offsets.extend([anchor] * len(new))
        pieces.append(new)
        last = match.end()
    if not pieces:
        return text, pos
    pieces.append(text[last:])
    offsets.extend(pos[last:])
    return "".join(pieces), offsets


def _physical_lines(text: str) -> list[_Physical]:
    lines: list[_Physical] = []
    page_break = False
    for match in re.finditer(r"[^\r\n\f]*(?:\r\n|\r|\n|\f|$)", text):
        raw = match[0]
        if not raw:
            break
        body = raw.rstrip("\r\n\f")
        start = match.start()
        line_text, pos = _normalise(body, range(start, start + len(body)))
        lines.append(_Physical(line_text, pos, page_break))
        page_break = raw.endswith("\f")
    return lines


def _normalise(text: str, pos: Sequence[int]) -> tuple[str, Sequence[int]]:
    if text.lstrip()[:1] in ("|", "+") and _TABLE_RULE.match(text.strip()):
        return "", []
    if not _SPECIAL.search(text):
        start, end = len(text) - len(text.lstrip()), len(text.rstrip())
        return text[start:end], pos[start:end]
    text, pos = _substitute(text, pos, _INVISIBLE, lambda m: "")
    text, pos = _substitute(text, pos, _PRIVATE_USE, lambda m: "•")
    text, pos = _substitute(text, pos, _MARKDOWN_BOLD, lambda m: "")
    text, pos = _substitute(text, pos, _WIDE_GAP, lambda m: "\t")
    text, pos = _substitute(text, pos, _SPACES, lambda m: " ")
    # strip
    start, end = 0, len(text)
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    text, pos = text[start:end], pos[start:end]
    heading = _MARKDOWN_HEADING.match(text)
    if heading:
        text, pos = text[heading.end():], pos[heading.end():]
    if "|" in text:
        text, pos = _pipe_row(text, pos)
    text, pos = _substitute(text, pos, re.compile(r" ?\t ?"), lambda m: "\t")
    text, pos = _substitute(text, pos, _SPACED_LETTERS, lambda m: m[0].replace(" ", ""))
    return text, pos


def _pipe_row(text: str, pos: Sequence[int]) -> tuple[str, Sequence[int]]:
    """A «|»-separated table row as TAB-separated cells (an empty first or last cell kept as an empty cell)."""
    if not _PIPE_ROW.search(text):
        return text, pos
    text, pos = _substitute(text, pos, _PIPE_EDGES, lambda m: "")
    return _substitute(text, pos, _PIPE, lambda m: "\t")


def _drop_page_debris(lines: list[_Physical]) -> list[_Physical]:
    """Page numbers, and running headers or footers repeated at page boundaries."""
    boundaries: list[int] = []
    kept: list[_Physical | None] = list(lines)
    for index, line in enumerate(lines):
        if line.page_break:
            boundaries.append(index)
        if _PAGE_NUMBER.match(line.text):
            kept[index] = None
            boundaries.append(index)
    if not boundaries:
        return lines
    near: dict[int, str] = {}
    for boundary in boundaries:
        for step in (-1, 1):
            found, index = 0, boundary
            while found < 2 and 0 <= index + step < len(lines):
                index += step
                candidate = kept[index]
                if candidate is None or not candidate.text:
                    continue
                found += 1
                if len(candidate.text) <= _RUNNING_HEADER_LENGTH:
                    near[index] = re.sub(r"\d+", "#", candidate.text.lower())
    counts = Counter(near.values())
    for index, key in near.items():
        if counts[key] >= 2 and not ITEM_MARKER.match(lines[index].text):
            kept[index] = None
    return [line for line in kept if line is not None]


@lru_cache(maxsize=4096)
def _known(word: str) -> bool:
    return analyzer().word_is_known(word.lower())


def _dehyphenate(left: str, right: str) -> bool:
    """Whether «профес-» + «сиональный» is one word split at the line end (True) or a compound to keep."""
    head = re.search(r"([^\W\d_]+)-$", left)
    tail = re.match(r"([^\W\d_]+)", right)
    if not head or not tail or tail[1][0].isupper():
        return False
    first, second = head[1], tail[1]
    if _known(first) and _known(second):
        return False
    return _known(first + second)


def _typical_width(lines: list[_Physical]) -> int:
    """The width most lines of the text reach; a handful of lines tells nothing about wrapping."""
    widths = sorted(len(line.text) for line in lines if line.text and "\t" not in line.text)
    if len(widths) < _LINES_TO_MEASURE:
        return _NOT_WRAPPED
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))]


def _last_word(text: str) -> str:
    words = text.split()
    return words[-1].lower() if words else ""


def _ends_with_abbreviation(text: str) -> bool:
    word = _last_word(text).rstrip(".").lstrip("(«\"")
    if not word:
        return False
    return word in _ABBREVIATIONS or bool(re.fullmatch(r"[а-яёa-z]|[а-яё]\.[а-яё]", word)) or bool(
        re.search(r"\d\.\d", word))


def _is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _joins(previous: str, last_width: int, line: str, full: int) -> bool:
    """Whether line continues the logical line that ends with previous."""
    if not previous or not line or "\t" in previous or "\t" in line:
        return False
    if ITEM_MARKER.match(line) or (not line[0].islower() and _LABEL.match(line)):
        return False
    if _NEW_PARAGRAPH.match(line):
        return False
    end = previous[-1]
    first = line[0]
    if previous.count("«") > previous.count("»"):
        return True  # a quoted name never ends inside its quotes
    if end in ":;!?":
        return False
    if end == ".":
        return (first.islower() or first.isdigit() or first in "№«(") and _ends_with_abbreviation(previous)
    if previous.endswith("-") and not previous.endswith(" -"):
        return True
    if first.islower():
        return True
    if _is_upper_line(line) and not _is_upper_line(previous):
        return False
    if end in ",–—-" or _last_word(previous) in _OPEN_WORDS or _last_word(previous) in _MONTHS_GENITIVE:
        return True
    if first in "«(\"“":
        return (end.isalnum() or end in "»\")") and not re.match(r"[«\"“]\d", line)  # «15» января: a date line
    if len(line) < full * 0.5 and len(line.split()) <= 3 and line[-1].isalnum():
        return False  # a short capitalised line on its own («Москва», «Реализация») is not a wrapped sentence
    # A capital after a line that ends mid-phrase continues it only where lines are wrapped at a fixed width (PDF);
    # text with a paragraph per line (DOCX) never wraps, so there a capital starts a new paragraph.
    return full <= _WRAPPED_WIDTH and last_width >= full and (end.isalnum() or end in "»\")")


def clean(text: str) -> list[Line]:
    """The text's logical lines: one paragraph, list item, heading or table row each, in reading order."""
    physical = _drop_page_debris(_physical_lines(text))
    full = int(_typical_width(physical) * 0.7)
    result: list[Line] = []
    blank = False
    for line in physical:
        if not line.text:
            blank = True
            continue
        current = result[-1] if result else None
        if current is not None and _joins(current.text, current.widths[-1], line.text, full):
            _append(current, line)
        else:
            result.append(Line(line.text, line.pos, blank, 1, [len(line.text)]))
        blank = False
    return result


def _append(current: Line, line: _Physical) -> None:
    previous = current.text
    if previous.endswith("-") and _dehyphenate(previous, line.text):
        current.text, current.pos = previous[:-1] + line.text, [*current.pos[:-1], *line.pos]
    elif previous.endswith("-") and not previous.endswith(" -") or re.search(r"\d\.$", previous) and (
            re.match(r"\d{4}", line.text)):
        current.text, current.pos = previous + line.text, [*current.pos, *line.pos]
    else:
        joint = current.pos[-1] + 1
        current.text, current.pos = previous + " " + line.text, [*current.pos, joint, *line.pos]
    current.physical += 1
    current.widths.append(len(line.text))


__all__ = ["ITEM_MARKER", "Line", "clean"]
