"""DOCX files as plain text: the first section's headers and footers (where a letterhead often sits), then the body
in document order, with Word's numbering, tables as TAB-separated rows and text boxes after the paragraph that
anchors them.

The archive is checked by webapp.archives (zip bombs, DOCTYPE/ENTITY in any XML part, member names) and refused
with macros before any XML parser runs; the parser itself resolves no entities and reads no network or DTD.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from webapp.archives import Limits, UnsafeArchive, check_archive, is_zip
from webapp.sources.base import Note, Source, SourceError, clean, no_text, plural, unknown_type
from webapp.sources.numbering import Numbering

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Word's "Strict Open XML" spelling of the same vocabularies.
STRICT = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main": W_NS,
    "http://purl.oclc.org/ooxml/officeDocument/relationships":
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/math": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}

MACRO_TYPES = re.compile(rb"macroEnabled", re.I)
# Field results Word computes for the page (a header's "2"), not the document's words.
PAGE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES"}
SKIPPED = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "delText", W + "instrText", W + "footnoteReference",
           W + "endnoteReference", W + "commentReference", W + "proofErr", W + "bookmarkStart", W + "bookmarkEnd"}
CONTAINERS = {W + "hyperlink", W + "ins", W + "moveTo", W + "smartTag", W + "customXml", W + "bdo", W + "dir"}

# A document of a few hundred pages is far below every figure; archives.Limits' defaults are for one document too.
LIMITS = Limits()
CORRUPT = ("Файл DOCX повреждён: архив документа не читается (возможно, файл загружен не полностью). "
           "Откройте его в Word, сохраните заново и загрузите снова.",
           "The DOCX file is damaged: its archive cannot be read (perhaps the upload was cut short). "
           "Open it in Word, save it again and upload it again.")
MACROS = ("Документ содержит макросы (файл DOCM или DOCX с макросами); такие файлы не принимаются. "
          "Сохраните его в Word как «Документ Word (.docx)» без макросов и загрузите снова.",
          "The document contains macros (a DOCM, or a DOCX with macros); such files are refused. Save it "
          "in Word as a plain \"Word Document (.docx)\" and upload it again.")
# What zipfile, zlib and lxml raise on a damaged archive that passed the directory checks (RuntimeError covers
# RecursionError, from a pathological nesting of elements).
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, NotImplementedError,
              RuntimeError, etree.XMLSyntaxError, UnicodeError)


def read(data: bytes) -> Source:
    """A DOCX file's text; SourceError for anything that is not a sane, macro-free Word document."""
    if not is_zip(data):
        raise SourceError(*CORRUPT)
    try:
        names = check_archive(data, LIMITS)
    except UnsafeArchive as exc:
        raise SourceError(exc.reason, _english(exc.reason)) from exc
    except UNREADABLE as exc:  # a member whose data is damaged (a bad CRC, a broken deflate stream)
        raise SourceError(*CORRUPT) from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            package = Package(archive, names)
            package.refuse_other_kinds()
            return DocumentReader(package).read()
    except SourceError:
        raise
    except UNREADABLE as exc:
        raise SourceError(*CORRUPT) from exc


def _english(reason: str) -> str:
    """archives.UnsafeArchive speaks Russian only; its English by the check that failed."""
    if "zip-бомб" in reason or "слишком вел" in reason:
        return "The archive unpacks to far more than its size: it looks like a zip bomb, and is refused."
    if "DOCTYPE" in reason:
        return "An XML part of the file declares a DOCTYPE or ENTITY; such files are refused (XXE protection)."
    if "слишком много частей" in reason:
        return "The archive has too many parts."
    if "имя части" in reason:
        return "The archive has a part with an unsafe name."
    return "The archive is damaged or unsafe and is refused."


# --- the package ----------------------------------------------------------------------------------------------

class Package:
    """The parts of a checked archive, each read no further than the archive limits and parsed safely."""

    def __init__(self, archive: zipfile.ZipFile, names: set[str]):
        self.archive = archive
        self.names = names

    def raw(self, name: str) -> bytes | None:
        if name not in self.names:
            return None
        with self.archive.open(name) as member:
            data = member.read(LIMITS.max_member_bytes + 1)
        if len(data) > LIMITS.max_member_bytes:
            raise SourceError(*CORRUPT)
        return data

    def xml(self, name: str | None) -> etree._Element | None:
        data = self.raw(name) if name else None
        if data is None:
            return None
        try:
            # A parser per part: lxml parsers are not to be shared between threads.
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise SourceError(f"Файл DOCX повреждён: часть {name} не читается ({exc.msg}).",
                              f"The DOCX file is damaged: its part {name} cannot be read ({exc.msg}).") from exc
        return _transitional(root)

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target part name); external targets left out."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out = {}
        if root is None:
            return out
        for rel in root.iter(PACKAGE_RELS + "Relationship"):
            target, rel_id = rel.get("Target"), rel.get("Id")
            if not target or not rel_id or rel.get("TargetMode") == "External":
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel_id] = (rel.get("Type", "").rsplit("/", 1)[-1], name)
        return out

    def main_part(self) -> str | None:
        for rel_type, name in self.relationships("").values():
            if rel_type == "officeDocument" and name in self.names:
                return name
        return "word/document.xml" if "word/document.xml" in self.names else None

    def refuse_other_kinds(self) -> None:
        """Macros, and office files that are not Word documents, each with its own message."""
        if any(name.lower().endswith("vbaproject.bin") for name in self.names):
            raise SourceError(*MACROS)
        types = self.raw("[Content_Types].xml") or b""
        if MACRO_TYPES.search(types):
            raise SourceError(*MACROS)
        if "mimetype" in self.names:
            mimetype = (self.raw("mimetype") or b"")[:100]
            if b"opendocument.text" in mimetype:
                raise SourceError("Это документ OpenDocument (ODT), а не DOCX. Откройте его в LibreOffice или Word, "
                                  "сохраните как «Документ Word (.docx)» и загрузите снова.",
                                  "This is an OpenDocument text (ODT), not a DOCX. Open it in LibreOffice or Word, "
                                  "save it as a Word document (.docx) and upload it again.")
            raise unknown_type("документ OpenDocument", "an OpenDocument file")
        if self.main_part() is None:
            if "xl/workbook.xml" in self.names:
                raise unknown_type("таблица Excel (XLSX)", "an Excel workbook (XLSX)")
            if "ppt/presentation.xml" in self.names:
                raise unknown_type("презентация PowerPoint (PPTX)", "a PowerPoint presentation (PPTX)")
            if "[Content_Types].xml" not in self.names:
                raise unknown_type("ZIP-архив, а не документ Word", "a ZIP archive, not a Word document")
            raise SourceError("Файл повреждён или это не документ Word: в архиве нет word/document.xml.",
                              "The file is damaged or not a Word document: the archive has no word/document.xml.")


def _transitional(root: etree._Element) -> etree._Element:
    """Strict Open XML names rewritten to the usual ones, so one reader serves both."""
    if not any(ns in STRICT for ns in root.nsmap.values()):
        return root
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        if qname.namespace in STRICT:
            element.tag = etree.QName(STRICT[qname.namespace], qname.localname).text
        for attr in list(element.attrib):
            name = etree.QName(attr)
            if name.namespace in STRICT:
                element.set(etree.QName(STRICT[name.namespace], name.localname).text, element.attrib.pop(attr))
    return root


# --- the text ---------------------------------------------------------------------------------------------------

@dataclass
class Field:
    code: str = ""
    in_result: bool = False
    hidden: bool = False


@dataclass
class Tally:
    tables: list[tuple[int, int]] = field(default_factory=list)  # rows, widest row in cells
    numbered: int = 0
    text_boxes: int = 0
    hidden_runs: int = 0
    deleted: int = 0
    header_lines: int = 0
    alt_chunks: int = 0  # imported HTML or RTF kept as is inside the package: not read


class DocumentReader:
    """One pass over a document's parts in reading order, with the numbering counters and the field state."""

    def __init__(self, package: Package):
        self.package = package
        self.main = package.main_part()
        self.rels = package.relationships(self.main)
        by_type = {rel_type: name for rel_type, name in self.rels.values()}
        self.numbering = Numbering(
            package.xml(by_type.get("numbering") or _present(package, "word/numbering.xml")),
            package.xml(by_type.get("styles") or _present(package, "word/styles.xml")),
        )
        self.fields: list[Field] = []
        self.tally = Tally()
        self.table_depth = 0

    def read(self) -> Source:
        document = self.package.xml(self.main)
        body = document.find(W + "body") if document is not None else None
        if body is None:
            raise SourceError("Файл DOCX повреждён: в документе нет основного текста (w:body).",
                              "The DOCX file is damaged: the document has no body (w:body).")
        lines = self.headers_and_footers(body)
        self.tally.header_lines = len(lines)
        self.numbering.restart()
        self.fields = []
        lines += self.blocks(body, top=True)
        text = "\n".join(lines)
        if not text.strip():
            raise no_text()
        return Source(text=text, kind="docx", notes=self.notes())

    def headers_and_footers(self, body: etree._Element) -> list[str]:
        section = _first_section(body)
        if section is None:
            return []
        first_page = _on(section.find(W + "titlePg"))
        order = (["first"] if first_page else []) + ["default", "even"]
        lines: list[str] = []
        for kind in ("headerReference", "footerReference"):
            refs = {ref.get(W + "type", "default"): ref.get(R + "id") for ref in section.iterfind(W + kind)}
            for ref_type in order:
                rel = self.rels.get(refs.get(ref_type) or "")
                part = self.package.xml(rel[1]) if rel else None
                if part is None:
                    continue
                self.fields = []
                for line in self.blocks(part, top=False):
                    if line not in lines:
                        lines.append(line)
        return lines

    # Block level: paragraphs and tables, through content controls and other wrappers.

    def blocks(self, container: etree._Element, top: bool = False) -> list[str]:
        lines: list[str] = []
        for element in _children(container):
            if element.tag == W + "p":
                lines.extend(self.paragraph(element))
            elif element.tag == W + "tbl":
                lines.extend(self.table(element, top))
            elif element.tag == W + "altChunk":
                self.tally.alt_chunks += 1
        return lines

    def paragraph(self, paragraph: etree._Element) -> list[str]:
        """The paragraph's line (with its number) and the lines of text boxes anchored in it."""
        label = self.numbering.label(paragraph)
        parts: list[str] = []
        boxes: list[str] = []
        self.inline(paragraph, parts, boxes)
        text = clean("".join(parts))
        # A field whose code or page-number result has not ended with its paragraph is broken: it must not hide
        # the rest of the document.
        self.fields = [f for f in self.fields if f.in_result and not f.hidden]
        lines = []
        if text:
            if label:
                self.tally.numbered += 1
                text = f"{label} {text}"
            lines.append(text)
        return lines + boxes

    def inline(self, element: etree._Element, parts: list[str], boxes: list[str]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                if tag in (W + "del", W + "moveFrom"):
                    self.tally.deleted += 1
                continue
            if tag == W + "r":
                self.run(child, parts, boxes)
            elif tag in CONTAINERS:
                self.inline(child, parts, boxes)
            elif tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.inline(content, parts, boxes)
            elif tag == W + "fldSimple":
                code = (child.get(W + "instr") or "").split()
                if not code or code[0].upper() not in PAGE_FIELDS:
                    self.inline(child, parts, boxes)
            elif tag == MC + "AlternateContent":
                self.inline(_alternative(child), parts, boxes)
            elif tag in (M + "oMath", M + "oMathPara"):
                if self.visible():
                    parts.append("".join(t.text or "" for t in child.iter(M + "t")))

    def run(self, run: etree._Element, parts: list[str], boxes: list[str]) -> None:
        hidden = _on(run.find(f"{W}rPr/{W}vanish"))
        if hidden:
            self.tally.hidden_runs += 1
        for child in run:
            tag = child.tag
            if tag == W + "fldChar":
                self.field_char(child.get(W + "fldCharType"))
            elif tag == W + "instrText":
                if self.fields and not self.fields[-1].in_result:
                    self.fields[-1].code += child.text or ""
            elif hidden or not self.visible():
                continue
            elif tag == W + "t":
                parts.append(child.text or "")
            elif tag in (W + "tab", W + "ptab", W + "br", W + "cr"):
                parts.append(" ")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag == W + "sym":
                char = _int16(child.get(W + "char"))
                if char is not None and char < 0xF000:  # symbol fonts' private code points say nothing as text
                    parts.append(chr(char))
            elif tag in (W + "drawing", W + "pict", MC + "AlternateContent", W + "object"):
                boxes.extend(self.text_boxes(child))

    def field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(Field())
        elif kind == "separate" and self.fields:
            current = self.fields[-1]
            current.in_result = True
            words = current.code.split()
            current.hidden = bool(words) and words[0].upper() in PAGE_FIELDS
        elif kind == "end" and self.fields:
            self.fields.pop()

    def visible(self) -> bool:
        """Text outside field codes and outside the results of page-number fields."""
        return all(f.in_result and not f.hidden for f in self.fields)

    def text_boxes(self, element: etree._Element) -> list[str]:
        lines: list[str] = []
        for content in _text_box_contents(element):
            self.tally.text_boxes += 1
            saved, self.fields = self.fields, []
            lines.extend(self.blocks(content))
            self.fields = saved
        return lines

    def table(self, table: etree._Element, top: bool) -> list[str]:
        """One line per row, cells separated by TAB; a nested table's rows go into its cell, space-separated."""
        self.table_depth += 1
        try:
            lines, widest = [], 0
            for row in _children(table, W + "tr"):
                cells = []
                for cell in _children(row, W + "tc"):
                    props = cell.find(W + "tcPr")
                    if props is not None and _continues(props.find(W + "hMerge")):
                        continue
                    if props is not None and _continues(props.find(W + "vMerge")):
                        cells.append("")  # the merged cell's text is in the row where it starts
                        continue
                    cells.append(clean(" ".join(self.blocks(cell))))
                if any(cells):
                    lines.append("\t".join(cells))
                    widest = max(widest, len(cells))
            if top and self.table_depth == 1:
                self.tally.tables.append((len(lines), widest))
            if self.table_depth > 1:
                return [line.replace("\t", " ") for line in lines]
            return lines
        finally:
            self.table_depth -= 1

    def notes(self) -> tuple[Note, ...]:
        notes = []
        if self.tally.header_lines:
            notes.append(Note(f"колонтитулы: {self.tally.header_lines} {plural(self.tally.header_lines, 'строка')}",
                              f"headers and footers: {self.tally.header_lines} line(s)"))
        for index, (rows, cells) in enumerate(self.tally.tables, start=1):
            prefix = "таблица" if len(self.tally.tables) == 1 else f"таблица {index}"
            notes.append(Note(f"{prefix}: {rows} {plural(rows, 'строка')}, {cells} {plural(cells, 'столбец')}",
                              f"table{'' if len(self.tally.tables) == 1 else f' {index}'}: {rows} row(s), "
                              f"{cells} column(s)"))
        if self.tally.numbered:
            notes.append(Note(f"нумерация Word: {self.tally.numbered} {plural(self.tally.numbered, 'абзац')}",
                              f"Word numbering: {self.tally.numbered} paragraph(s)"))
        if self.tally.text_boxes:
            notes.append(Note(f"надписи (текстовые поля): {self.tally.text_boxes}",
                              f"text boxes: {self.tally.text_boxes}"))
        if self.tally.hidden_runs:
            notes.append(Note("скрытый текст пропущен", "hidden text left out"))
        if self.tally.alt_chunks:
            notes.append(Note(f"встроенные фрагменты другого формата (altChunk) не прочитаны: {self.tally.alt_chunks}",
                              f"embedded chunks of another format (altChunk) not read: {self.tally.alt_chunks}"))
        if self.tally.deleted:
            notes.append(Note("в документе есть непринятые исправления: удалённый текст пропущен, вставленный включён",
                              "the document has tracked changes: deleted text left out, inserted text kept"))
        return tuple(notes)


# --- helpers ------------------------------------------------------------------------------------------------------

def _children(element: etree._Element, tag: str | None = None):
    """Child elements through the wrappers that may sit around paragraphs, tables, rows and cells."""
    for child in element:
        if child.tag in (W + "sdt",):
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in (W + "customXml", W + "ins", W + "moveTo"):
            yield from _children(child, tag)
        elif child.tag == MC + "AlternateContent":
            yield from _children(_alternative(child), tag)
        elif tag is None or child.tag == tag:
            yield child


def _alternative(element: etree._Element) -> etree._Element:
    """The first choice of markup-compatibility content (Word writes the same text in the fallback)."""
    choice = element.find(MC + "Choice")
    if choice is None:
        choice = element.find(MC + "Fallback")
    return choice if choice is not None else etree.Element("empty")


def _text_box_contents(element: etree._Element):
    """The outermost w:txbxContent under a drawing, each once (one choice of markup-compatibility content)."""
    if element.tag == W + "txbxContent":
        yield element
        return
    if element.tag == MC + "AlternateContent":
        yield from _text_box_contents(_alternative(element))
        return
    for child in element:
        if isinstance(child.tag, str):
            yield from _text_box_contents(child)


def _first_section(body: etree._Element) -> etree._Element | None:
    for section in body.iter(W + "sectPr"):
        parent = section.getparent()
        if parent is body or (parent is not None and parent.tag == W + "pPr"
                              and parent.getparent() is not None and parent.getparent().tag == W + "p"):
            return section
    return None


def _present(package: Package, name: str) -> str | None:
    return name if name in package.names else None


def _on(element: etree._Element | None) -> bool:
    return element is not None and element.get(W + "val", "true") not in ("0", "false", "off")


def _continues(merge: etree._Element | None) -> bool:
    """A w:vMerge or w:hMerge that continues the cell before it (no value, or "continue")."""
    return merge is not None and merge.get(W + "val", "continue") == "continue"


def _int16(value: str | None) -> int | None:
    try:
        return int(value, 16) if value else None
    except ValueError:
        return None
