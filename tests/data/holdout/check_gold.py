#!/usr/bin/env python3
"""Check the held-out set's gold annotation against its documents.

    python tests/data/holdout/check_gold.py [tests/data/holdout.gold.jsonl]

Also checks the development set (tests/data/dev/check_gold.py runs this with dev.gold.jsonl). The point
labels it knows include this set's:
lettered items «а)» under a numbered question or point («1.б», «III.1.а»), decisions numbered anew
under Roman-numbered sections («II.3»), and the first cell of a pipe table («| 1.1. | … |»).

Every line must parse and carry exactly the corpus schema; every file must
exist; dates must be valid ISO dates and agree with the deadline kind; every
action, responsible body and deadline phrase must occur in its document (after
the document's page numbers and running headers are dropped and words
hyphenated at line ends are joined); for DOCX files the points must be labels
that Word shows (automatic numbering is computed here) or that the text or a
table's first column carries. Prints a summary; exits 1 on any error.
Needs python-docx for the DOCX files.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_GOLD = HERE.parent / "holdout.gold.jsonl"

DOC_KEYS = ["file", "doc_type", "title", "number", "date", "place", "status_mark", "chair", "secretary",
            "participants", "agenda", "assignments"]
ASSIGNMENT_KEYS = ["point", "responsible", "responsible_nominative", "action", "deadline_text", "deadline",
                   "start", "deadline_kind", "controller"]
DOC_TYPES = {"protocol", "resolution", "decision", "order", "regulation", "plan", "other"}
KINDS = {"by", "from", "period", "periodic", "ongoing", "none"}
PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?\d{1,3}(?:\s*[-–—])?\s*$|^\s*Страница\s+\d+\s+из\s+\d+\s*$", re.I)
DEFINED = re.compile(r"\s*\(далее\s*[-–—]?\s*[^()]*\)")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- reading documents ----------------------------------------------------------------------------


def read_txt(path: Path) -> str:
    data = path.read_bytes()
    encoding = "cp1251" if "cp1251" in path.name else "utf-8"
    return data.decode(encoding)


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _numbering(document):
    """numId -> (abstract levels {ilvl: (start, fmt, text)}, start overrides)."""
    part = document.part.numbering_part
    root = part.element
    abstracts = {}
    for absn in root.findall(f"{W}abstractNum"):
        levels = {}
        for lvl in absn.findall(f"{W}lvl"):
            ilvl = int(lvl.get(f"{W}ilvl"))
            start = lvl.find(f"{W}start")
            fmt = lvl.find(f"{W}numFmt")
            text = lvl.find(f"{W}lvlText")
            levels[ilvl] = (int(start.get(f"{W}val")) if start is not None else 1,
                            fmt.get(f"{W}val") if fmt is not None else "decimal",
                            text.get(f"{W}val") if text is not None else "")
        abstracts[absn.get(f"{W}abstractNumId")] = levels
    nums = {}
    for num in root.findall(f"{W}num"):
        absid = num.find(f"{W}abstractNumId").get(f"{W}val")
        overrides = {}
        for ov in num.findall(f"{W}lvlOverride"):
            so = ov.find(f"{W}startOverride")
            if so is not None:
                overrides[int(ov.get(f"{W}ilvl"))] = int(so.get(f"{W}val"))
        nums[num.get(f"{W}numId")] = (absid, abstracts.get(absid, {}), overrides)
    return nums


def _num_pr(paragraph):
    """(numId, ilvl) from the paragraph or its style chain, or None."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
        ilvl = ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0
        return str(ppr.numPr.numId.val), int(ilvl)
    style = paragraph.style
    while style is not None:
        sppr = style.element.pPr
        if sppr is not None and sppr.numPr is not None and sppr.numPr.numId is not None:
            ilvl = sppr.numPr.ilvl.val if sppr.numPr.ilvl is not None else 0
            return str(sppr.numPr.numId.val), int(ilvl)
        style = style.base_style
    return None


def read_docx(path: Path) -> tuple[str, set[str]]:
    """The document's text (paragraphs, table rows as TAB-separated cells) and the labels Word shows."""
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    nums = _numbering(document)
    counters: dict[str, dict[int, int]] = collections.defaultdict(dict)
    labels: set[str] = set()
    lines: list[str] = []

    def label_of(paragraph) -> str | None:
        found = _num_pr(paragraph)
        if not found or found[0] not in nums or found[0] == "0":
            return None
        num_id, ilvl = found
        absid, levels, overrides = nums[num_id]
        if ilvl not in levels:
            return None
        # Word counts per abstract list; levels below the current one restart.
        count = counters[absid]
        start = overrides.get(ilvl, levels[ilvl][0])
        count[ilvl] = count.get(ilvl, start - 1) + 1
        for deeper in [k for k in count if k > ilvl]:
            del count[deeper]
        text = levels[ilvl][2]
        for k, (lstart, fmt, _) in levels.items():
            value = count.get(k, overrides.get(k, lstart))
            shown = _to_roman(value) if fmt == "upperRoman" else str(value)
            text = text.replace(f"%{k + 1}", shown)
        return text

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            paragraph = Paragraph(child, document)
            label = label_of(paragraph)
            if label:
                labels.add(label.rstrip(".)"))
                lines.append(f"{label} {paragraph.text}")
            else:
                lines.append(paragraph.text)
        elif child.tag == f"{W}tbl":
            table = Table(child, document)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    if not cells or cell._tc is not cells[-1][0]:
                        cells.append((cell._tc, cell.text))
                lines.append("\t".join(text for _, text in cells))
                first = cells[0][1].strip().rstrip(".")
                if re.fullmatch(r"\d+(?:\.\d+)*", first):
                    labels.add(first)
    return "\n".join(lines), labels


# --- normalising ------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """Drop page numbers and running headers (lines repeated on three or more pages), join hyphenation."""
    text = text.replace("\r\n", "\n").replace("\f", "\n").replace("\u00ad", "")
    lines = text.split("\n")
    counts = collections.Counter(line.strip() for line in lines if len(line.strip()) > 15)
    kept = [line for line in lines
            if not PAGE_NUMBER.match(line) and not (counts.get(line.strip(), 0) >= 3 and "\t" not in line)]
    return "\n".join(kept)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def letters(text: str) -> str:
    """Only letters and digits, lower case: hyphens, spaces and line breaks do not matter."""
    return re.sub(r"[^0-9a-zа-я]", "", text.lower().replace("ё", "е"))


def point_in_text(point: str, text: str) -> bool:
    """A point is printed at a line's start (or in a pipe table's first cell) as «2.1.» or «2.1»; or is
    «1)» / «б)» under a numbered item «4.»; or «2.» under a Roman-numbered section «II.»."""
    if re.search(rf"(?m)^\s*(?:\|\s*)?{re.escape(point)}\.?[\s\t|]", text):
        return True
    parts = point.split(".")
    if len(parts) < 2:
        return False
    last = parts[-1]
    if re.fullmatch(r"[а-я]", last):
        found = re.search(rf"(?m)^\s*{last}\)\s", text) is not None
        parts = parts[:-1]
    elif re.fullmatch(r"\d+", last):
        found = re.search(rf"(?m)^\s*{last}(?:\.|\))\s", text) is not None
        parts = parts[:-1]
    else:
        return False
    # every higher label must be printed at a line's start too (a Roman section «III.», a number «1.»)
    for label in parts:
        if not re.search(rf"(?m)^\s*{re.escape(label)}\.\s", text):
            return False
    return found


# --- checks -------------------------------------------------------------------------------------


def iso(value, errors, where):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.append(f"{where}: not an ISO date: {value!r}")
        return None


def check(gold_path: Path) -> int:
    errors: list[str] = []
    kinds = collections.Counter()
    n_docs = n_assign = 0
    seen = set()
    for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{gold_path.name}:{n}"
        try:
            gold = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON: {exc}")
            continue
        n_docs += 1
        if list(gold) != DOC_KEYS:
            errors.append(f"{where}: keys {list(gold)} are not the schema's {DOC_KEYS}")
        name = gold.get("file")
        where = f"{where} {name}"
        if name in seen:
            errors.append(f"{where}: file annotated twice")
        seen.add(name)
        folder = gold_path.parent / gold_path.name.removesuffix(".gold.jsonl")  # dev.gold.jsonl -> dev/
        path = folder / str(name)
        if not path.is_file():
            errors.append(f"{where}: no such file in {folder}")
            continue
        labels: set[str] = set()
        if path.suffix == ".docx":
            raw, labels = read_docx(path)
        else:
            raw = read_txt(path)
        text = clean(raw)
        # A responsible body is annotated without the «(далее – …)» that defines its short name.
        flat = letters(text) + "|" + letters(DEFINED.sub("", text))
        plain = squash(text)
        if gold.get("doc_type") not in DOC_TYPES:
            errors.append(f"{where}: doc_type {gold.get('doc_type')!r}")
        iso(gold.get("date"), errors, f"{where} date")
        for field in ("number", "place", "chair", "secretary", "status_mark"):
            value = gold.get(field)
            if value is not None and letters(value) not in flat:
                errors.append(f"{where}: {field} {value!r} not in the document")
        for field in ("participants", "agenda"):
            for value in gold.get(field) or []:
                if letters(value) not in flat:
                    errors.append(f"{where}: {field} item {value[:60]!r} not in the document")
        for i, a in enumerate(gold.get("assignments") or [], 1):
            n_assign += 1
            at = f"{where} #{i} ({a.get('point')})"
            if list(a) != ASSIGNMENT_KEYS:
                errors.append(f"{at}: keys {list(a)} are not the schema's")
            kind = a.get("deadline_kind")
            kinds[kind] += 1
            if kind not in KINDS:
                errors.append(f"{at}: deadline_kind {kind!r}")
            action = a.get("action") or ""
            if not action:
                errors.append(f"{at}: empty action")
            elif squash(action) not in plain and letters(action) not in flat:
                errors.append(f"{at}: action not in the document: {action[:80]!r}")
            for field in ("responsible", "deadline_text", "controller"):
                value = a.get(field)
                if value is not None and letters(value) not in flat:
                    errors.append(f"{at}: {field} {value!r} not in the document")
            if (a.get("responsible") is None) != (a.get("responsible_nominative") is None):
                errors.append(f"{at}: responsible and responsible_nominative must both be set or both null")
            deadline = iso(a.get("deadline"), errors, f"{at} deadline")
            start = iso(a.get("start"), errors, f"{at} start")
            if kind == "by" and start is not None:
                errors.append(f"{at}: 'by' with a start")
            if kind == "from" and (start is None or deadline is not None):
                errors.append(f"{at}: 'from' needs a start and no deadline")
            if kind == "period" and not (start and deadline and start <= deadline):
                errors.append(f"{at}: 'period' needs start <= deadline")
            if kind in ("periodic", "ongoing", "none") and (deadline or start):
                errors.append(f"{at}: {kind!r} with a date")
            if kind in ("by", "from", "period", "periodic") and not a.get("deadline_text"):
                errors.append(f"{at}: {kind!r} without deadline_text")
            if kind == "none" and a.get("deadline_text"):
                errors.append(f"{at}: 'none' with a deadline_text")
            point = a.get("point")
            if point is not None and path.suffix == ".docx" and point not in labels:
                errors.append(f"{at}: point {point!r} is not a label Word shows ({sorted(labels)[:12]}...)")
            elif point is not None and path.suffix != ".docx" and not point_in_text(point, text):
                errors.append(f"{at}: point {point!r} is not a label in the text")
    for error in errors:
        print("ERROR", error)
    mix = ", ".join(f"{k}={kinds[k]}" for k in sorted(kinds))
    print(f"documents={n_docs} assignments={n_assign} kinds: {mix}")
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_GOLD))
