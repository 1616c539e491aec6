"""Word's automatic numbering (numbering.xml and the paragraph styles that carry numbering), computed in document
order as Word shows it: "1.", "2.1.", "а)", "IV", a bullet as "-".

How Word counts (ECMA-376 §17.9, and what Word itself does where the standard is loose):
- the running count belongs to the abstract definition (w:abstractNum), so several w:num pointing at one abstract
  continue one sequence; a w:num's w:lvlOverride/w:startOverride restarts that level the first time the w:num is
  used at that level (this is how "Restart numbering" is stored);
- a level restarts whenever a higher level is used, unless its w:lvlRestart says after which level (0: never);
- an abstract definition with w:numStyleLink takes its levels from the definition of that numbering style;
- a paragraph's list comes from its own w:numPr, else from its style (and the styles it is based on); a style that
  names a list but no level takes the level whose w:pStyle is that style; numId 0 means "not numbered".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LEVELS = 9
MAX_LINKS = 8  # style and definition links followed before giving up on a loop

# Word's "а, б, в" skips the letters that are never used as list labels.
RUSSIAN = "абвгдежзиклмнопрстуфхцчшщэюя"
LATIN = "abcdefghijklmnopqrstuvwxyz"
ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
PLACEHOLDER = re.compile(r"%([1-9])")


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    if element is None:
        return default
    return element.get(W + "val", default)


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _on(element: etree._Element | None) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return element is not None and _val(element, "true") not in ("0", "false", "off")


@dataclass(frozen=True)
class Level:
    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: one-based level after which this one restarts; 0 never
    legal: bool = False  # w:isLgl: every level shown in decimal
    style: str | None = None  # w:pStyle: the paragraph style that selects this level


@dataclass(frozen=True)
class Instance:
    """A w:num: the abstract definition it uses and its per-level overrides."""

    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # w:startOverride, or the start of an overriding w:lvl
    levels: dict[int, Level] = field(default_factory=dict)  # whole w:lvl overrides


@dataclass(frozen=True)
class Style:
    based_on: str | None
    num_id: str | None
    ilvl: int | None


def parse_level(lvl: etree._Element) -> Level:
    return Level(
        start=_int(_val(lvl.find(W + "start")), 0) or 0,
        fmt=_val(lvl.find(W + "numFmt"), "decimal") or "decimal",
        text=_val(lvl.find(W + "lvlText"), "") or "",
        restart=_int(_val(lvl.find(W + "lvlRestart"))),
        legal=_on(lvl.find(W + "isLgl")),
        style=_val(lvl.find(W + "pStyle")),
    )


def format_number(value: int, fmt: str) -> str:
    """One counter as Word shows it in the given w:numFmt; formats rare in Russian paperwork fall back to decimal."""
    if fmt in ("bullet", "none"):
        return ""
    if fmt in ("lowerLetter", "upperLetter", "russianLower", "russianUpper") and value > 0:
        alphabet = LATIN if fmt.endswith("Letter") else RUSSIAN
        # Past the last letter Word doubles it: y, z, aa, bb, ...
        letter = alphabet[(value - 1) % len(alphabet)] * ((value - 1) // len(alphabet) + 1)
        return letter.upper() if fmt in ("upperLetter", "russianUpper") else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        out = ""
        for number, numeral in ROMAN:
            while value >= number:
                out += numeral
                value -= number
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "decimalZero" and 0 <= value < 10:
        return f"0{value}"
    return str(value)


class Numbering:
    """The numbering definitions of one document and the counters, which advance as paragraphs are labelled in
    document order."""

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None):
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNumId -> numbering style whose definition it uses
        self.instances: dict[str, Instance] = {}
        self.styles: dict[str, Style] = {}
        self.default_style: str | None = None
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)
        self.restart()

    def _read_numbering(self, root: etree._Element) -> None:
        for abstract in root.iterfind(W + "abstractNum"):
            key = abstract.get(W + "abstractNumId")
            if key is None:
                continue
            levels = {}
            for lvl in abstract.iterfind(W + "lvl"):
                ilvl = _int(lvl.get(W + "ilvl"))
                if ilvl is not None and 0 <= ilvl < LEVELS:
                    levels[ilvl] = parse_level(lvl)
            self.abstracts[key] = levels
            link = _val(abstract.find(W + "numStyleLink"))
            if link:
                self.style_links[key] = link
        for num in root.iterfind(W + "num"):
            num_id, abstract = num.get(W + "numId"), _val(num.find(W + "abstractNumId"))
            if num_id is None or abstract is None:
                continue
            starts, levels = {}, {}
            for override in num.iterfind(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"))
                if ilvl is None or not 0 <= ilvl < LEVELS:
                    continue
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    levels[ilvl] = parse_level(lvl)
                    starts[ilvl] = levels[ilvl].start
                start = _int(_val(override.find(W + "startOverride")))
                if start is not None:
                    starts[ilvl] = start
            self.instances[num_id] = Instance(abstract, starts, levels)

    def _read_styles(self, root: etree._Element) -> None:
        for style in root.iterfind(W + "style"):
            style_id = style.get(W + "styleId")
            if style_id is None:
                continue
            num_pr = style.find(f"{W}pPr/{W}numPr")
            self.styles[style_id] = Style(
                based_on=_val(style.find(W + "basedOn")),
                num_id=_val(num_pr.find(W + "numId")) if num_pr is not None else None,
                ilvl=_int(_val(num_pr.find(W + "ilvl"))) if num_pr is not None else None,
            )
            if style.get(W + "type") == "paragraph" and _on_attr(style.get(W + "default")):
                self.default_style = style_id

    def restart(self) -> None:
        """Counters back to nothing (headers and footers are counted apart from the body)."""
        self.counters: dict[str, list[int | None]] = {}
        self.used: set[tuple[str, int]] = set()

    # --- which list and level a paragraph is in ----------------------------------------------------------------

    def list_of(self, paragraph: etree._Element) -> tuple[str, int] | None:
        """(numId, level) of a paragraph, from its own properties or its style's; None when it is not numbered."""
        p_pr = paragraph.find(W + "pPr")
        num_id: str | None = None
        ilvl: int | None = None
        style_id = self.default_style
        if p_pr is not None:
            num_pr = p_pr.find(W + "numPr")
            if num_pr is not None:
                num_id = _val(num_pr.find(W + "numId"))
                ilvl = _int(_val(num_pr.find(W + "ilvl")))
            style_id = _val(p_pr.find(W + "pStyle"), style_id)
        style_num, style_ilvl = self._style_numbering(style_id)
        if num_id is None:
            num_id = style_num
            if ilvl is None:
                ilvl = style_ilvl
        if num_id is None or num_id == "0" or num_id not in self.instances:
            return None
        if ilvl is None and style_id is not None:
            ilvl = self._level_of_style(num_id, style_id)
        ilvl = ilvl if ilvl is not None and 0 <= ilvl < LEVELS else 0
        return num_id, ilvl

    def _level_of_style(self, num_id: str, style_id: str) -> int | None:
        """The level linked to the style (w:pStyle in the level), or to the nearest style it is based on."""
        levels = sorted(self._levels(num_id).items())
        for linked in self._style_chain(style_id):
            found = next((i for i, level in levels if level.style == linked), None)
            if found is not None:
                return found
        return None

    def _style_chain(self, style_id: str | None) -> list[str]:
        chain: list[str] = []
        while style_id is not None and style_id not in chain and len(chain) < MAX_LINKS * 4:
            chain.append(style_id)
            style = self.styles.get(style_id)
            style_id = style.based_on if style is not None else None
        return chain

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        for linked in self._style_chain(style_id):
            style = self.styles.get(linked)
            if style is not None and style.num_id is not None:
                return style.num_id, style.ilvl
        return None, None

    def _abstract_of(self, num_id: str) -> str | None:
        """The abstract definition that holds the levels, through numbering-style links."""
        abstract = self.instances[num_id].abstract
        for _ in range(MAX_LINKS):
            link = self.style_links.get(abstract)
            if link is None:
                return abstract
            style = self.styles.get(link)
            target = self.instances.get(style.num_id) if style is not None and style.num_id else None
            if target is None or target.abstract == abstract:
                return abstract
            abstract = target.abstract
        return abstract

    def _levels(self, num_id: str) -> dict[int, Level]:
        abstract = self._abstract_of(num_id)
        levels = dict(self.abstracts.get(abstract, {})) if abstract is not None else {}
        levels.update(self.instances[num_id].levels)
        return levels

    # --- the label --------------------------------------------------------------------------------------------

    def label(self, paragraph: etree._Element) -> str | None:
        """The paragraph's number as Word shows it ("2.1.", "б)", "-" for a bullet), advancing the counters; None
        when the paragraph is not numbered or its level shows nothing."""
        found = self.list_of(paragraph)
        if found is None:
            return None
        return self.advance(*found)

    def advance(self, num_id: str, ilvl: int) -> str | None:
        levels = self._levels(num_id)
        level = levels.get(ilvl)
        if level is None:
            return None
        key = self._abstract_of(num_id) or num_id
        counters = self.counters.setdefault(key, [None] * LEVELS)
        instance = self.instances[num_id]
        if (num_id, ilvl) not in self.used:
            self.used.add((num_id, ilvl))
            if ilvl in instance.starts:
                counters[ilvl] = instance.starts[ilvl] - 1
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for higher in range(ilvl):
            # A level skipped on the way down ("1." then "1.1.1.") shows its start and counts as used, so the next
            # paragraph at that level is "1.2." (LibreOffice does the same when it imports Word's lists).
            if counters[higher] is None:
                counters[higher] = levels[higher].start if higher in levels else 0
        for deeper in range(ilvl + 1, LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            # lvlRestart names a level (one-based) at or above which a use restarts this one; one at or below this
            # level itself is ignored, as the standard says.
            if restart is None or restart > deeper:
                counters[deeper] = None
            elif restart != 0 and ilvl < restart:
                counters[deeper] = None
        if level.fmt == "bullet":
            return "-"

        def shown(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            if index > ilvl:
                return ""
            other = levels.get(index, Level())
            return format_number(counters[index] or 0, "decimal" if level.legal and other.fmt != "none" else other.fmt)

        label = PLACEHOLDER.sub(shown, level.text).strip()
        return label or None


def _on_attr(value: str | None) -> bool:
    return value is not None and value not in ("0", "false", "off")
