"""Russian typography for printed documents: non-breaking spaces, dashes and nested quotes.

Pure functions on text, applied when a document is rendered; the stored text is never changed. The rules:

- «№ 339», «№339» → «№ 339» with a non-breaking space (the number never starts a line);
- initials stay with the surname: «А.М. Суртаева», «Суртаева А.М.», «А. М. Суртаева»;
- a date holds together: «1 февраля 2022 г.», «1 февраля 2022 года», «2020 г.», «2015–2016 гг.»;
- an abbreviated place word stays with its name: «г. Элиста», «ул. Чехова, д. 12», «п. 3»;
- a number stays with its unit: «100 руб.», «5 тыс. руб.», «15 %»;
- a range of years or times takes an en dash: «2015-2016» → «2015–2016», «10.00-17.00» → «10.00–17.00»;
- a dash between words is an en dash with a non-breaking space before it: «план - график» is not touched
  (a hyphen written without spaces), «Председатель - Цулая» → «Председатель – Цулая»;
- quotes are «ёлочки», and a quote inside a quote „лапки“: «Центр «Точка роста»» → «Центр „Точка роста“»;
  straight quotes "…" become «…».
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

NBSP = "\u00a0"
EN_DASH = "\u2013"

MONTHS = ("января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
          "январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь")
UPPER = "А-ЯЁ"
LOWER = "а-яё"

_SPACE = r"[ \t]+"
RULES: list[tuple[re.Pattern[str], str]] = [
    # «№ 339», «№339», «№№ 1, 2»
    (re.compile(r"(№+)[ \t]*(?=[\w_])"), rf"\1{NBSP}"),
    # initials: «А. М.» and «А.М. Суртаева»
    (re.compile(rf"(?<![{UPPER}{LOWER}])([{UPPER}]\.){_SPACE}(?=[{UPPER}]\.)"), rf"\1{NBSP}"),
    (re.compile(rf"(?<![{UPPER}{LOWER}])([{UPPER}]\.){_SPACE}(?=[{UPPER}][{LOWER}])"), rf"\1{NBSP}"),
    # «Суртаева А.М.»
    (re.compile(rf"([{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?){_SPACE}(?=[{UPPER}]\.\s?[{UPPER}]\.(?!\s*[{UPPER}][{LOWER}]))"),
     rf"\1{NBSP}"),
    # dates: «1 февраля», «февраля 2022», «2022 г.», «2022 года»
    (re.compile(rf"(?<!\d)(\d{{1,2}}){_SPACE}(?=(?:{MONTHS})\b)", re.I), rf"\1{NBSP}"),
    (re.compile(rf"\b((?:{MONTHS})){_SPACE}(?=\d{{4}})", re.I), rf"\1{NBSP}"),
    (re.compile(rf"(\d|_){_SPACE}(?=(?:гг?\.|года|году|годах|годов)(?![{LOWER}]))"), rf"\1{NBSP}"),
    # units: «100 руб.», «5 тыс. руб.», «15 %»
    (re.compile(rf"(\d){_SPACE}(?=(?:тыс\.|млн|млрд|руб\.|коп\.|%))"), rf"\1{NBSP}"),
    (re.compile(rf"((?:тыс\.|млн\.?|млрд\.?)){_SPACE}(?=руб)"), rf"\1{NBSP}"),
    # ranges of years and of times
    (re.compile(r"(?<!\d)((?:1[89]|20)\d\d)\s*[-‐−]\s*((?:1[89]|20)\d\d)(?!\d)"), rf"\1{EN_DASH}\2"),
    (re.compile(r"(?<![\d.:])(\d{1,2}[.:]\d\d)\s*[-‐−]\s*(\d{1,2}[.:]\d\d)(?![\d.:])"), rf"\1{EN_DASH}\2"),
    # an abbreviated place word stays with its name: «г. Элиста», «с. Усть-Кокса», «ул. Чехова», «д. 12»
    (re.compile(rf"(?<![{UPPER}{LOWER}])(г|с|пос|ул|пр|пер|д|п|пп|ст|ч|стр)\.{_SPACE}(?=[{UPPER}\d])"),
     rf"\1.{NBSP}"),
    # a dash between words: an en dash held to the word before it
    (re.compile(r"(\S)[ \t]+[-‐–—][ \t]+"), rf"\1{NBSP}{EN_DASH} "),
]


def _quotes(text: str) -> str:
    """Straight quotes to «…», and a quote opened inside another to „…“."""
    if '"' in text:
        text = re.sub(r'(^|[\s(\[{„«-])"', r"\1«", text)
        text = text.replace('"', "»")
    if "«" not in text:
        return text
    out = []
    depth = 0
    for char in text:
        if char == "«":
            depth += 1
            out.append("«" if depth == 1 else "„")
        elif char == "»" and depth > 0:
            out.append("»" if depth == 1 else "“")
            depth -= 1
        else:
            out.append(char)
    return "".join(out)


def typeset(text: str) -> str:
    """The text as it should be printed (see the module's rules); idempotent."""
    if not text:
        return text
    text = _quotes(text)
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def typeset_all(value: Any) -> Any:
    """Every string in a template context (dicts and lists walked, other values kept)."""
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, dict):
        return {key: typeset_all(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [typeset_all(inner) for inner in value]
    return value


_NAME = re.compile(rf"^\s*(?P<surname>[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?)\s+"
                   rf"(?P<first>[{UPPER}])(?:[{LOWER}]+|\.)\s*(?:(?P<middle>[{UPPER}])(?:[{LOWER}]+|\.))?\s*$")
_INITIALS_FIRST = re.compile(rf"^\s*(?P<first>[{UPPER}])\.\s*(?:(?P<middle>[{UPPER}])\.)?\s*"
                             rf"(?P<surname>[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?)\s*$")


def initials_first(name: str) -> str:
    """«Цулая Лариса Владимировна», «Цулая Л.В.», «Л.В.Цулая» → «Л.В. Цулая», as signatures and protocols print
    a person; anything else (a position, a group) comes back as it was."""
    match = _NAME.match(name) or _INITIALS_FIRST.match(name)
    if match is None:
        return name.strip()
    initials = match["first"] + "." + (match["middle"] + "." if match["middle"] else "")
    return f"{initials} {match['surname']}"


@lru_cache(maxsize=4096)
def grouped(number: int) -> str:
    """A number in groups of three digits, a non-breaking space between them, as Russian text writes it:
    146882 → «146 882» (Babel's Russian format). Kept per number: Babel takes 12 µs a call, and a page of counts
    (a department's dashboard: about 160) formats the same few numbers again and again."""
    from babel.numbers import format_decimal

    return format_decimal(number, locale="ru")
