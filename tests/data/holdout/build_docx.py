#!/usr/bin/env python3
"""Build the DOCX document of the held-out set (deterministic: the same bytes on every run).

    python tests/data/holdout/build_docx.py

Writes, next to this script:

- hold11_krasnolessky_minkult_prikaz_avtonumeraciya.docx — a regional order whose points are numbered
  by Word itself, two levels («1.», «2.1.»). The numbering is a definition of our own in numbering.xml
  that is linked to two paragraph styles («Пункт приказа» for level 0, «Подпункт приказа» for level 1):
  the paragraphs carry only their style, no numbering of their own, and the labels are not in their
  text. An unnumbered note paragraph stands between two numbered ones and does not break the count.
  An attached list is a real Word table.

Needs python-docx. The content is synthetic: the bodies and people are invented.
"""

# The document's text is data: its long lines are kept whole.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 1, 19, 0, 0, 0)
NUM_ID = 21
ABSTRACT_ID = 21


def new_document() -> docx.Document:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    props = document.core_properties
    props.author = "Docflow holdout set"
    props.last_modified_by = "Docflow holdout set"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    return document


def para(document, text="", *, bold=False, align=None, indent=True, style=None):
    paragraph = document.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            paragraph.paragraph_format.first_line_indent = Cm(1.25)
    return paragraph


def two_sides(document, left, right):
    """A line with text on the left and on the right (a right-aligned tab stop at the margin)."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(16.5), alignment=2)
    paragraph.add_run(f"{left}\t{right}")
    return paragraph


def add_style_linked_numbering(document) -> tuple[str, str]:
    """Our own two-level list («%1.», «%1.%2.») whose levels are linked to two paragraph styles.

    Returns the names of the two styles. A paragraph in the first style is a point «N.», one in the
    second a sub-point «N.M.»; neither carries a numPr of its own.
    """
    styles = document.styles
    point = styles.add_style("Пункт приказа", WD_STYLE_TYPE.PARAGRAPH)
    point.base_style = styles["Normal"]
    sub = styles.add_style("Подпункт приказа", WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = styles["Normal"]
    for style, ilvl in ((point, 0), (sub, 1)):
        ppr = style.element.get_or_add_pPr()
        ppr.insert(0, parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{NUM_ID}"/></w:numPr>'
        ))
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    numbering = document.part.numbering_part.element
    levels = []
    for ilvl, text, style in ((0, "%1.", point.style_id), (1, "%1.%2.", sub.style_id)):
        levels.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            f'<w:pStyle w:val="{style}"/><w:suff w:val="space"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="709"/></w:pPr></w:lvl>'
        )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{ABSTRACT_ID}">'
        f'<w:nsid w:val="3B7E20C4"/><w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>'
    )
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="{ABSTRACT_ID}"/></w:num>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return point.name, sub.name


def set_cell(cell, text, *, bold=False, center=False):
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(12)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def save(document, name):
    """Save with fixed zip timestamps so that the bytes do not change between runs."""
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    (HERE / name).write_bytes(out.getvalue())


# --- hold11: a regional order numbered by Word through its styles -----------------------------------


def build_hold11():
    document = new_document()
    point, sub = add_style_linked_numbering(document)

    para(document, "МИНИСТЕРСТВО КУЛЬТУРЫ КРАСНОЛЕССКОГО КРАЯ", bold=True, align="center")
    para(document, "")
    para(document, "ПРИКАЗ", bold=True, align="center")
    para(document, "")
    two_sides(document, "19.01.2026", "№ 24-п")
    para(document, "г. Краснолесск", align="center")
    para(document, "")
    para(document, "Об организации работы по модернизации муниципальных библиотек Краснолесского края в 2026 году", bold=True, align="center")
    para(document, "")
    para(document, "В соответствии с государственной программой Краснолесского края «Развитие культуры и туризма», в целях создания в муниципальных образованиях Краснолесского края современных библиотечных пространств и повышения доступности библиотечных услуг для населения")
    para(document, "")
    para(document, "ПРИКАЗЫВАЮ:", bold=True, indent=False)
    para(document, "")

    para(document, "Утвердить перечень муниципальных библиотек Краснолесского края, подлежащих модернизации в 2026 году (приложение).", style=point)
    para(document, "Отделу культурно-досуговой деятельности и библиотечного дела министерства (Сметанина Е.Ю.):", style=point)
    para(document, "обеспечить заключение соглашений о предоставлении субсидий бюджетам муниципальных образований Краснолесского края на модернизацию муниципальных библиотек до 15 февраля 2026 года;", style=sub)
    para(document, "осуществлять мониторинг хода модернизации муниципальных библиотек;", style=sub)
    para(document, "провести в первом полугодии 2026 года выездные консультации для руководителей муниципальных библиотек.", style=sub)
    para(document, "Краевому государственному бюджетному учреждению культуры «Краснолесская краевая научная библиотека» (Орлов П.Н.):", style=point)
    para(document, "организовать повышение квалификации специалистов модернизируемых библиотек в марте – апреле 2026 года;", style=sub)
    para(document, "оказывать методическую помощь муниципальным библиотекам по вопросам модернизации;", style=sub)
    para(document, "представлять в министерство информацию о ходе модернизации ежемесячно, не позднее 3 числа месяца, следующего за отчетным.", style=sub)
    para(document, "Форма информации о ходе модернизации доводится до муниципальных образований отделом культурно-досуговой деятельности и библиотечного дела министерства.")
    para(document, "Рекомендовать главам муниципальных образований Краснолесского края, бюджетам которых предоставляются субсидии на модернизацию муниципальных библиотек:", style=point)
    para(document, "обеспечить завершение ремонтных работ в помещениях библиотек до 1 ноября 2026 года;", style=sub)
    para(document, "по завершении ремонта обеспечить оснащение библиотек мебелью и оборудованием в соответствии с модельным стандартом;", style=sub)
    para(document, "обеспечить открытие модернизированных библиотек не позднее 1 декабря текущего года;", style=sub)
    para(document, "с 1 марта 2026 года размещать информацию о ходе работ в региональной информационной системе «Культура Краснолесья».", style=sub)
    para(document, "Отделу правовой и кадровой работы министерства (Бекетов А.А.) направить копию настоящего приказа в прокуратуру Краснолесского края в течение семи дней со дня его подписания.", style=point)
    para(document, "Контроль за исполнением настоящего приказа возложить на заместителя министра культуры Краснолесского края Ганиеву Л.Ш.", style=point)

    para(document, "")
    para(document, "")
    two_sides(document, "Министр", "В.В. Подгорный")

    # the attached list: a page break, then a real Word table
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    para(document, "Приложение", align="right")
    para(document, "к приказу министерства культуры", align="right")
    para(document, "Краснолесского края", align="right")
    para(document, "от 19.01.2026 № 24-п", align="right")
    para(document, "")
    para(document, "ПЕРЕЧЕНЬ", bold=True, align="center")
    para(document, "муниципальных библиотек Краснолесского края, подлежащих модернизации в 2026 году", bold=True, align="center")
    para(document, "")
    rows = [
        ("№ п/п", "Муниципальное образование", "Наименование библиотеки", "Объем субсидии, тыс. рублей"),
        ("1", "Медвежинский муниципальный округ", "Центральная библиотека МБУК «Медвежинская централизованная библиотечная система»", "10 000,0"),
        ("2", "Кедрачевский муниципальный район", "Библиотека-филиал № 3 с. Верхние Кедрачи", "5 000,0"),
        ("3", "Город Усть-Ягольск", "Центральная городская детская библиотека", "10 000,0"),
        ("4", "Лосевский муниципальный округ", "Модельная библиотека с. Лосево", "5 000,0"),
    ]
    table = document.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            set_cell(table.cell(r, c), value, bold=(r == 0), center=(r == 0 or c == 0))
    save(document, "hold11_krasnolessky_minkult_prikaz_avtonumeraciya.docx")


if __name__ == "__main__":
    build_hold11()
