"""Page, styles and small OOXML helpers for templates laid out per GOST R 7.0.97-2016."""

from __future__ import annotations

from dataclasses import dataclass

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 14  # GOST R 7.0.97-2016 p. 5.1: 12-14 pt; 14 is the common choice for the text
TABLE_PT = 12  # smaller type is allowed in tables
INDENT = Cm(1.25)  # first-line (paragraph) indent
# GOST R 7.0.97: a line of a multi-line requisite runs at most 12 cm in the lengthwise (продольное) layout and
# 7.5 cm in the corner (угловое) one (8 cm in the 2025 edition, as its commentators report; 7.5 meets both).
# The title is centred within 12 cm; the гриф утверждения is a 7.5 cm block flush with the right margin.
TITLE_WIDTH_CM = 12.0
STAMP_WIDTH_CM = 7.5
EMBLEM_HEIGHT_MM = 15.0  # the coat of arms above the letterhead (15-17 mm high in practice)


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres (GOST R 7.0.97-2016 p. 5.4: at least 20 left, top, bottom and 10 right)."""

    left: float = 20
    top: float = 20
    right: float = 10
    bottom: float = 20

    @classmethod
    def from_config(cls, value: dict | None) -> Margins:
        value = value or {}
        return cls(**{key: float(value[key]) for key in ("left", "top", "right", "bottom") if key in value})


def _fonts(rpr, size: int | None = None, bold: bool | None = None, caps: bool = False) -> None:
    """Times New Roman for every script: Cyrillic text is looked up under hAnsi and cs as well."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if bold is not None:
        element = OxmlElement("w:b")
        if not bold:
            element.set(qn("w:val"), "0")
        rpr.append(element)
    if caps:
        rpr.append(OxmlElement("w:caps"))
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            element = OxmlElement(tag)
            element.set(qn("w:val"), str(size * 2))
            rpr.append(element)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU")
    lang.set(qn("w:eastAsia"), "ru-RU")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def _paragraph_style(book: DocxDocument, name: str, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=INDENT,
                     left=None, size: int = BODY_PT, bold: bool = False, caps: bool = False,
                     space_before: int = 0, space_after: int = 0, keep_next: bool = False):
    style = book.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = book.styles["Normal"]
    style.quick_style = True
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = first_line
    fmt.left_indent = left
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    fmt.keep_with_next = keep_next
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.all_caps = caps
    return style


def setup_styles(book: DocxDocument, margins: Margins) -> None:
    """Normal is the text of a document; the others are named for the requisite they lay out."""
    width = text_width_cm(margins)
    title_indent = Cm(max(0.0, (width - TITLE_WIDTH_CM) / 2))
    normal = book.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    _fonts(rpr, size=BODY_PT)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = INDENT
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True
    center, left, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph_style(book, "Docflow Letterhead", align=center, first_line=Cm(0), size=TABLE_PT)
    _paragraph_style(book, "Docflow Doctype", align=center, first_line=Cm(0), bold=True, caps=True,
                     space_before=6, space_after=6, keep_next=True)
    _paragraph_style(book, "Docflow Requisite", align=left, first_line=Cm(0))
    _paragraph_style(book, "Docflow Requisite Right", align=right, first_line=Cm(0))
    _paragraph_style(book, "Docflow Place", align=center, first_line=Cm(0), space_after=6)
    title = _paragraph_style(book, "Docflow Title", align=center, first_line=Cm(0), left=title_indent, bold=True,
                             space_before=6, space_after=12, keep_next=True)
    title.paragraph_format.right_indent = title_indent
    _paragraph_style(book, "Docflow Label", align=left, first_line=Cm(0), space_before=6, keep_next=True)
    _paragraph_style(book, "Docflow Label Center", align=center, first_line=Cm(0), space_before=6, keep_next=True)
    section = _paragraph_style(book, "Docflow Section", align=center, first_line=Cm(0), bold=True, space_before=6,
                               keep_next=True)
    section.base_style = book.styles["Heading 2"]  # a section of a regulation or plan is in the navigation pane
    _paragraph_style(book, "Docflow Point")
    # A numbered or bulleted point: the label at the 1.25 cm paragraph indent, a space, the text; wrapped lines
    # return to the left margin («по границам полей»), so a label of any length («1.2.1.1.», «12.10.3.») fits.
    _paragraph_style(book, "Docflow Point Numbered")
    _paragraph_style(book, "Docflow Item", bold=True, space_before=6, keep_next=True)
    _paragraph_style(book, "Docflow Stamp", align=left, first_line=Cm(0), left=Cm(max(0.0, width - STAMP_WIDTH_CM)))
    _paragraph_style(book, "Docflow Emblem", align=center, first_line=Cm(0), space_after=6, keep_next=True)
    _paragraph_style(book, "Docflow Draft Mark", align=right, first_line=Cm(0))
    _paragraph_style(book, "Docflow Signature", align=left, first_line=Cm(0))
    _paragraph_style(book, "Docflow Signature Name", align=right, first_line=Cm(0), space_before=24)
    _paragraph_style(book, "Docflow Signature Row", align=left, first_line=Cm(0), space_before=24)
    _paragraph_style(book, "Docflow Executor", align=left, first_line=Cm(0), size=TABLE_PT, space_before=36,
                     keep_next=True)
    _paragraph_style(book, "Docflow Executor Line", align=left, first_line=Cm(0), size=TABLE_PT)
    _paragraph_style(book, "Docflow Table Text", align=left, first_line=Cm(0), size=TABLE_PT)
    _paragraph_style(book, "Docflow Table Head", align=center, first_line=Cm(0), size=TABLE_PT, bold=True)
    _paragraph_style(book, "Docflow Page Number", align=center, first_line=Cm(0), size=TABLE_PT)
    _paragraph_style(book, "Docflow Tag", align=left, first_line=Cm(0), size=TABLE_PT)
    # Word itself falls back to Calibri in tables unless the table style says otherwise.
    _fonts(book.styles["Normal Table"].element.get_or_add_rPr(), size=TABLE_PT)


def setup_page(book: DocxDocument, margins: Margins) -> None:
    """A4 portrait; numbers from page 2 centred at the top (a different first-page header leaves page 1 bare)."""
    section = book.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(margins.left), Mm(margins.right)
    section.top_margin, section.bottom_margin = Mm(margins.top), Mm(margins.bottom)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.style = book.styles["Docflow Page Number"]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    number._p.append(field)


APPLICATION = "Docflow"
APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           f'<Application>{APPLICATION}</Application><DocSecurity>0</DocSecurity></Properties>').encode()
STALE_PACKAGE_PARTS = ("/metadata/thumbnail",)  # python-docx's blank thumbnail.jpeg
STALE_DOCUMENT_PARTS = ("/stylesWithEffects", "/customXml")  # Word 2010's copy of the styles, an empty item
WORD_2013 = "15"  # compatibilityMode: no «compatibility mode» bar in Word 2013 and later


def clean_package(book: DocxDocument) -> None:
    """Drop the parts python-docx's default document carries that a generated file should not: the thumbnail,
    stylesWithEffects (which Word checks against styles.xml), the customXml item; say the service made it."""
    package = book.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith(STALE_PACKAGE_PARTS):
            package.rels.pop(rid)
        elif rel.reltype.endswith("/extended-properties"):
            rel.target_part._blob = APP_XML  # noqa: SLF001 - a plain part: its bytes are all there is
    for rid, rel in list(book.part.rels.items()):
        if rel.reltype.endswith(STALE_DOCUMENT_PARTS):
            book.part.rels.pop(rid)
    for setting in book.settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), WORD_2013)


def set_doc_defaults(book: DocxDocument) -> None:
    """docDefaults equal to the body text (Times New Roman 14, single spacing, no space after), so a paragraph
    or table without a style looks like the rest instead of Calibri 11."""
    styles = book.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    _fonts(rpr, size=BODY_PT)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    ppr = ppr_default.find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)


def set_headings(book: DocxDocument) -> None:
    """Word's own Heading 1 and 2 in the document's type (the navigation pane lists what uses them)."""
    for name in ("Heading 1", "Heading 2"):
        style = book.styles[name]
        rpr = style.element.get_or_add_rPr()
        for child in list(rpr):
            rpr.remove(child)
        _fonts(rpr, size=BODY_PT, bold=True)
        fmt = style.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.first_line_indent = Cm(0)
        fmt.space_before, fmt.space_after = Pt(6), Pt(0)
        fmt.keep_with_next = True


QUICK_STYLES = frozenset({"Normal", "Heading 1", "Heading 2", "Docflow Doctype", "Docflow Title", "Docflow Point",
                          "Docflow Point Numbered", "Docflow Section", "Docflow Label", "Docflow Signature"})


def trim_gallery(book: DocxDocument) -> None:
    """Only the styles an author types with stay in Word's quick style gallery."""
    for style in book.styles:
        style.quick_style = style.name in QUICK_STYLES
    for latent in book.styles.latent_styles:
        latent.quick_style = False


def new_book(margins: Margins) -> DocxDocument:
    book = new_docx()
    clean_package(book)
    set_doc_defaults(book)
    set_headings(book)
    setup_styles(book, margins)
    trim_gallery(book)
    setup_page(book, margins)
    props = book.core_properties
    props.author, props.title, props.comments, props.subject = APPLICATION, "", "", ""
    props.language, props.identifier, props.last_modified_by = "ru-RU", "", APPLICATION
    return book


def paragraph(book_or_cell, text: str = "", style: str | None = None, bold: bool = False) -> Paragraph:
    para = book_or_cell.add_paragraph(style=style)
    if text:
        run = para.add_run(text)
        if bold:
            run.bold = True
    return para


def first_paragraph(cell, text: str, style: str) -> Paragraph:
    """A new cell already holds one empty paragraph: use it, so no blank line is left behind."""
    para = cell.paragraphs[0]
    para.style = style
    if text:
        para.add_run(text)
    return para


def page_break(book: DocxDocument) -> Paragraph:
    para = book.add_paragraph(style="Docflow Tag")
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    run = OxmlElement("w:r")
    run.append(br)
    para._p.append(run)
    return para


def _borders(table: Table, visible: bool) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            element.set(qn("w:sz"), "4")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                                 "w:tblDescription", "w:tblPrChange")  # Word insists on the schema's order


def table(book: DocxDocument, rows: int, widths_cm: list[float], borders: bool = False) -> Table:
    """A fixed-layout table as wide as the text block; without borders it only positions requisites."""
    grid = book.add_table(rows=rows, cols=len(widths_cm))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False  # a fixed layout: columns keep the widths given
    _borders(grid, borders)
    if not borders:  # a layout table: its text lines up with the margins like the paragraphs around it
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:w"), "0")
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        grid._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                              "w:tblPrChange")
    for row in grid.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for column, width in zip(grid.columns, widths_cm, strict=True):
        column.width = Cm(width)
    return grid


def repeat_header(row) -> None:
    """A table row repeated at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def text_width_cm(margins: Margins) -> float:
    return round(21.0 - (margins.left + margins.right) / 10, 2)
