"""«Срок: …» and «Ответственные: …» after a point's text, unless the text (or what leads into it) says them already.

GOST R 7.0.97-2016 lets a распорядительный document name a point's executors and deadline either in its text
(«Органам местного самоуправления … в срок до 1 февраля 2022 года создать …») or on lines of their own after it
(«Срок: до 01.02.2022», «Ответственные: …»). A secretary types them in the point's fields; imported documents
carry them in their text. The rule, applied to every point of every document type (pure: plain data in, plain
data out):

- **What leads into a point** is its ancestors in the tree (the addressee block «Министерству …:», «3.3. АУ ДПО …
  в срок до … разработать:»), the stage of a plan it belongs to (its title and period), and, for a point with no
  number, the nearest earlier sibling whose text ends with a colon (a flat list under «Управлению образования:»,
  as an import without numbering leaves it); a numbered sibling ends that lead-in.
- **The bodies are stated** when every responsible body is named in the point's text or in what leads into it,
  by any of its names (full, short, aliases, dative), in any grammatical case: the name's words, stemmed by
  Snowball's Russian stemmer, stand one after another in the text («Органам местного самоуправления …»
  names «Органы местного самоуправления …»). Otherwise the whole list is printed, the lead first; naming only
  some of them in the text would make a partial line read as if the others were not responsible. They are
  stated too when a point leading into it printed the same bodies on its own line.
- **The deadline is stated** when the typed deadline stands in the text (compared without case, spacing and
  the «в срок» / «Срок:» before it), when the text writes the due date (or a «from» point's start) out
  («1 февраля 2022», «01.02.2022»), or when every word of a deadline with no single date («ежеквартально до
  5 числа», «2015 – 2016 гг») is in the text in its order; or when a point leading into it printed the same
  deadline.
- **What is printed**: a deadline that fixes a date by itself as «до ДД.ММ.ГГГГ» (or «с ДД.ММ.ГГГГ»); one that
  hangs on the document's date («в течение 10 дней», «до 1 сентября»), a period, a periodic or standing duty or an
  event as typed («ежеквартально до 5 числа»), without a «в срок» / «Срок:» of its own. Bodies by the names the
  service shows («Школа № 1, Школа № 2»; «;» between them when a name holds a comma).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from webapp.ru.dates import DateError, format_date_short, genitive_months
from webapp.ru.deadlines import BY, FROM, parse_deadline
from webapp.ru.search_terms import lexemes

DEADLINE_LABEL = "Срок:"
RESPONSIBLE_LABELS = ("Ответственный:", "Ответственные:")

# «в срок до …», «Срок: …», «срок исполнения – …» typed before the deadline itself
_LEADING = re.compile(r"^\s*(?:в\s+срок\b|срок(?:\s+исполнения)?\s*[:\-–—]?)\s*", re.I)
_SPACE = re.compile(r"[\s\u00a0]+")
_DASHES = str.maketrans({"—": "–", "-": "–", "−": "–"})


@dataclass(frozen=True)
class BodyNames:
    """One responsible body: the name printed, and every name the text may use for it."""

    shown: str
    spellings: tuple[str, ...]


@dataclass(frozen=True)
class Deadline:
    """A point's deadline as stored: the text typed, its kind and dates (webapp.ru.deadlines)."""

    text: str = ""
    kind: str = ""
    due: date | None = None
    start: date | None = None

    @property
    def key(self) -> tuple:
        return (_normal(self.text), self.kind, self.due, self.start)


@dataclass(frozen=True)
class Lead:
    """What leads into the points under or after it: its text, and what its own note lines printed."""

    texts: tuple[str, ...]
    bodies: frozenset[str] = frozenset()  # names printed on its «Ответственные:» line
    deadline: tuple | None = None  # Deadline.key printed on its «Срок:» line


@dataclass
class Notes:
    deadline: str = ""  # what follows «Срок:», "" when nothing is printed
    responsible: str = ""  # what follows «Ответственные:», "" when nothing is printed
    lines: list[str] = field(default_factory=list)  # the lines the default templates print after the point


def _normal(text: str) -> str:
    text = _SPACE.sub(" ", (text or "").lower().replace("ё", "е").translate(_DASHES))
    return _LEADING.sub("", text).strip(" .;,")


@lru_cache(maxsize=4096)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(lexemes(text))


def _same_word(a: str, b: str) -> bool:
    """Stems of one word in two cases: Snowball leaves «орга» of «органы» and «орган» of «органам»."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and not short.isdigit() and long.startswith(short) and len(long) - len(short) <= 2


def _contains(words: Sequence[str], run: Sequence[str]) -> bool:
    """Whether `run` stands in `words` one word after another."""
    if not run or len(run) > len(words):
        return False
    return any(all(_same_word(words[start + i], wanted) for i, wanted in enumerate(run))
               for start in range(len(words) - len(run) + 1))


def _in_order(words: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether every word of `wanted` is in `words`, in its order (others may stand between)."""
    position = 0
    for word in wanted:
        while position < len(words) and not _same_word(words[position], word):
            position += 1
        if position == len(words):
            return False
        position += 1
    return bool(wanted)


def names_body(texts: Iterable[str], body: BodyNames) -> bool:
    """Whether one of the texts names the body by any of its names, in any case."""
    runs = [_stems(name) for name in body.spellings if name]
    return any(_contains(_stems(text), run) for text in texts if text for run in runs)


@lru_cache(maxsize=512)
def _date_pattern(day: date) -> re.Pattern[str]:
    months = [name for name, number in genitive_months().items() if number == day.month]
    written = "|".join(re.escape(name) for name in months)
    return re.compile(rf"(?<!\d)0?{day.day}(?:\s+(?:{written})\b|\.0?{day.month}\.(?:{day.year}|{day.year % 100:02d})"
                      rf"(?!\d))", re.I)


def states_deadline(texts: Iterable[str], deadline: Deadline) -> bool:
    """Whether one of the texts says the deadline already (see the module's rule)."""
    typed = _normal(deadline.text)
    day = {BY: deadline.due, FROM: deadline.start}.get(deadline.kind)
    wanted = [stem for stem in _stems(typed) if stem not in {"в", "срок", "до"}] if day is None else []
    for text in texts:
        if not text:
            continue
        plain = _SPACE.sub(" ", text.replace("ё", "е").translate(_DASHES)).lower()
        if typed and typed in plain:
            return True
        if day is not None and _date_pattern(day).search(plain):
            return True
        if wanted and _in_order(_stems(plain), wanted):
            return True
    return False


# Two references far apart: a deadline that reads the same date against both names it by itself.
_REFERENCES = (date(2001, 3, 1), date(2013, 9, 15))


@lru_cache(maxsize=4096)
def _fixed(text: str, kind: str) -> date | None:
    """The date the typed deadline fixes by itself, whatever the document's date; None when it depends on it."""
    try:
        read = [parse_deadline(text, reference) for reference in _REFERENCES]
    except DateError:
        return None
    days = {(r.due if kind == BY else r.start) if r.kind == kind and r.anchor is None else None for r in read}
    return days.pop() if len(days) == 1 else None


def _as_typed(text: str) -> str:
    """The typed deadline without its own «в срок» / «Срок:», a capital of an ordinary first word lowered."""
    text = _LEADING.sub("", _SPACE.sub(" ", text).strip()).rstrip(" .;,")
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        text = text[0].lower() + text[1:]
    return text


def deadline_words(deadline: Deadline) -> str:
    """What «Срок:» is followed by: «до 01.02.2022», «с 01.09.2021», or the deadline as typed."""
    if not deadline.text:
        return ""
    if deadline.kind in (BY, FROM):
        stored = deadline.due if deadline.kind == BY else deadline.start
        fixed = _fixed(deadline.text, deadline.kind)
        if stored is not None and fixed == stored:
            return f"{'до' if deadline.kind == BY else 'с'} {format_date_short(stored)}"
    return _as_typed(deadline.text)


def _joined(names: list[str]) -> str:
    return ("; " if any("," in name for name in names) else ", ").join(names)


def point_notes(text: str, bodies: Sequence[BodyNames], deadline: Deadline, leads: Sequence[Lead]) -> Notes:
    """The note lines of one point, given what leads into it (outermost first)."""
    notes = Notes()
    texts = [text, *(t for lead in leads for t in lead.texts)]
    if deadline.text and not any(lead.deadline == deadline.key for lead in leads) \
            and not states_deadline(texts, deadline):
        notes.deadline = deadline_words(deadline)
    shown = [body.shown for body in bodies]
    printed_above = any(lead.bodies and lead.bodies == frozenset(shown) for lead in leads)
    if bodies and not printed_above and not all(names_body(texts, body) for body in bodies):
        notes.responsible = _joined(shown)
    if notes.deadline:
        notes.lines.append(f"{DEADLINE_LABEL} {notes.deadline}")
    if notes.responsible:
        notes.lines.append(f"{RESPONSIBLE_LABELS[len(bodies) > 1]} {notes.responsible}")
    return notes


def lead_of(text: str, notes: Notes, bodies: Sequence[BodyNames], deadline: Deadline) -> Lead:
    """What a point passes on to the points it leads into."""
    return Lead(texts=(text,),
                bodies=frozenset(body.shown for body in bodies) if notes.responsible else frozenset(),
                deadline=deadline.key if notes.deadline else None)


def opens_list(text: str) -> bool:
    """A point whose text ends with a colon leads into the unnumbered points after it."""
    return text.rstrip().endswith(":")
