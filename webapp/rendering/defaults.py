"""The default templates, built from code so that a review reads Python, not zipped XML.

Each template is a python-docx document whose paragraphs and table rows carry docxtpl tags:
`{%p ... %}` and `{%tr ... %}` lines are control lines (docxtpl removes the paragraph or row that holds
them), `{{ ... }}` prints a value. The blocks below are shared: every document type is the same
sequence of requisites (GOST R 7.0.97-2016 section 5), and a block whose data is empty prints nothing.
`v` is the Jinja variable that holds the document: `doc` itself, or `att` for each attachment.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

from webapp.rendering.layout import Margins, first_paragraph, new_book, page_break, paragraph, repeat_header, table
from webapp.rendering.layout import text_width_cm as _width

DOCUMENT_TYPES = ("order", "protocol", "decision", "resolution", "regulation", "plan")
SHEETS = ("approval_sheet", "acknowledgment_sheet", "assignments_report")

# Literal text of the templates follows the typography of webapp.ru.typography too: «№ 339» and
# «Председатель – …» are written with a non-breaking space (\u00a0).


def _tag(book, text: str) -> None:
    paragraph(book, text, "Docflow Tag")


def _draft_mark(book: DocxDocument) -> None:
    """«Проект» at the top right of the first page (GOST R 7.0.97-2016 p. 5.26 lets drafts carry the mark)."""
    header = book.sections[0].first_page_header
    para = header.paragraphs[0]
    para.style = book.styles["Docflow Draft Mark"]
    para.add_run("{% if doc.draft_mark %}Проект{% endif %}")


def _stamp(book, v: str) -> None:
    """«Утверждено приказом ... от ... № ...» in the top right corner of an attachment."""
    _tag(book, f"{{%p for line in {v}.approval_stamp %}}")
    paragraph(book, "{{ line }}", "Docflow Stamp")
    _tag(book, "{%p endfor %}")
    _tag(book, f"{{%p if {v}.approval_stamp %}}")
    paragraph(book, "", "Docflow Stamp")
    _tag(book, "{%p endif %}")


def _letterhead(book, v: str, margins: Margins) -> None:
    """The emblem centred above; two columns side by side (a two-language letterhead), else the lines centred;
    then the document type."""
    _tag(book, f"{{%p if {v}.emblem %}}")
    paragraph(book, f"{{{{ {v}.emblem }}}}", "Docflow Emblem")
    _tag(book, "{%p endif %}")
    _tag(book, f"{{%p if {v}.letterhead|length == 2 %}}")
    half = _width(margins) / 2
    grid = table(book, 1, [half, half])
    for index, heading in ((0, "heading"), (1, "heading_alt")):
        cell = grid.rows[0].cells[index]
        first_paragraph(cell, f"{{%p for line in {v}.letterhead[{index}].lines %}}", "Docflow Tag")
        paragraph(cell, "{{ line }}", "Docflow Letterhead")
        paragraph(cell, "{%p endfor %}", "Docflow Tag")
        paragraph(cell, f"{{%p if {v}.{heading} %}}", "Docflow Tag")
        paragraph(cell, f"{{{{ {v}.{heading} }}}}", "Docflow Doctype")
        paragraph(cell, "{%p endif %}", "Docflow Tag")
        paragraph(cell, "", "Docflow Letterhead")
    _tag(book, "{%p else %}")
    _tag(book, f"{{%p for column in {v}.letterhead %}}")
    _tag(book, "{%p for line in column.lines %}")
    paragraph(book, "{{ line }}", "Docflow Letterhead")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p endfor %}")
    _tag(book, f"{{%p if {v}.heading %}}")
    paragraph(book, f"{{{{ {v}.heading }}}}", "Docflow Doctype")
    _tag(book, "{%p endif %}")
    _tag(book, f"{{%p if {v}.heading_alt %}}")
    paragraph(book, f"{{{{ {v}.heading_alt }}}}", "Docflow Doctype")
    _tag(book, "{%p endif %}")
    _tag(book, "{%p endif %}")


def _requisites(book, v: str, margins: Margins) -> None:
    """The date on the left and «№» on the right of one line; the place centred below. An attachment carries
    its date and number in its approval stamp instead."""
    _tag(book, f"{{%p if ({v}.date_text or {v}.number_text) and not {v}.approval_stamp %}}")
    width = _width(margins)
    grid = table(book, 1, [width / 2, width / 2])
    first_paragraph(grid.rows[0].cells[0], f"{{{{ {v}.date_text }}}}", "Docflow Requisite")
    first_paragraph(grid.rows[0].cells[1], f"{{% if {v}.number_text %}}№\u00a0{{{{ {v}.number_text }}}}{{% endif %}}",
                    "Docflow Requisite Right")
    _tag(book, "{%p endif %}")
    _tag(book, f"{{%p if {v}.place %}}")
    paragraph(book, f"{{{{ {v}.place }}}}", "Docflow Place")
    _tag(book, "{%p endif %}")


def _title(book, v: str) -> None:
    _tag(book, f"{{%p if {v}.title %}}")
    paragraph(book, f"{{{{ {v}.title }}}}", "Docflow Title")
    _tag(book, "{%p endif %}")


def _meeting(book, v: str) -> None:
    for key in ("meeting_time", "venue"):
        _tag(book, f"{{%p if {v}.{key} %}}")
        paragraph(book, f"{{{{ {v}.labels.{key} }}}} {{{{ {v}.{key} }}}}", "Docflow Requisite")
        _tag(book, "{%p endif %}")


def _paragraphs(book, expression: str, style: str = "Normal", expression_field: str = "") -> None:
    """A paragraph per element of a list (of strings, or of dicts printed by one key)."""
    _tag(book, f"{{%p for text in {expression} %}}")
    paragraph(book, f"{{{{ text.{expression_field} }}}}" if expression_field else "{{ text }}", style)
    _tag(book, "{%p endfor %}")


def _participants(book, v: str) -> None:
    """«Председатель – И.О. Фамилия», «Секретарь – И.О. Фамилия» (a document written in the service), then
    «Присутствовали:», «Приглашённые:» one person a line (a printed document keeps its own groups and labels)."""
    _tag(book, f"{{%p if not {v}.as_printed %}}")
    _tag(book, f"{{%p for line in {v}.presiding %}}")
    paragraph(book, "{{ line.label }}\u00a0– {{ line.name }}", "Docflow Requisite")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p endif %}")
    _tag(book, f"{{%p for group in {v}.participant_groups %}}")
    _tag(book, f"{{%p if {v}.as_printed or group.role not in ['chair', 'secretary'] %}}")
    paragraph(book, "{{ group.label }}", "Docflow Label")
    _tag(book, "{%p for person in group.people %}")
    paragraph(book, "– {{ person.line }}")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p endif %}")
    _tag(book, "{%p endfor %}")


def _lines(book, expression: str, var: str = "line") -> None:
    """The flattened tree of points: section headings centred, everything else as numbered paragraphs, each
    followed by its «Срок:» and «Ответственные:» lines when there are any."""
    _tag(book, f"{{%p for {var} in {expression} %}}")
    _tag(book, f"{{%p if {var}.kind == 'heading' %}}")
    paragraph(book, f"{{{{ {var}.full }}}}", "Docflow Section")
    _tag(book, f"{{%p elif {var}.label %}}")
    # The label at the paragraph indent, a space, the text; wrapped lines return to the left margin.
    _kept_if(book, f"{var}.notes", f"{{{{ {var}.label }}}} {{{{ {var}.text }}}}", "Docflow Point Numbered")
    _tag(book, "{%p else %}")
    _kept_if(book, f"{var}.notes", f"{{{{ {var}.full }}}}", "Docflow Point")
    _tag(book, "{%p endif %}")
    # «Срок: до 01.02.2022», «Ответственные: …» on lines of their own, when the point's text does not say them
    # (webapp/rendering/point_notes.py); each but the last kept with the next, as the point is kept with them.
    _tag(book, f"{{%p for note in {var}.notes %}}")
    _kept_if(book, "not loop.last", "{{ note }}", "Docflow Point")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p endfor %}")


def _kept_if(book, condition: str, text: str, style: str) -> None:
    """A paragraph kept on the page of the next one (Word's «не отрывать от следующего», w:keepNext) when the
    condition holds: a point with its «Срок:» / «Ответственные:» lines after it, so a page never starts with
    them away from their point; the same paragraph without it otherwise."""
    _tag(book, f"{{%p if {condition} %}}")
    paragraph(book, text, style).paragraph_format.keep_with_next = True
    _tag(book, "{%p else %}")
    paragraph(book, text, style)
    _tag(book, "{%p endif %}")


def _agenda(book, v: str) -> None:
    """«Повестка дня», then per item: its title and speakers, «СЛУШАЛИ:», «РЕШИЛИ:» and the points."""
    _tag(book, f"{{%p if {v}.agenda %}}")
    paragraph(book, f"{{{{ {v}.labels.agenda }}}}", "Docflow Label Center")
    _tag(book, f"{{%p for item in {v}.agenda %}}")
    paragraph(book, "{{ item.numbered_title }}", "Docflow Point")
    _tag(book, "{%p endfor %}")
    _tag(book, f"{{%p for item in {v}.agenda %}}")
    _tag(book, f"{{%p if {v}.as_printed %}}")
    paragraph(book, "{{ item.heading }}", "Docflow Item")
    _tag(book, "{%p if item.heard %}")
    paragraph(book, f"{{{{ {v}.labels.heard }}}}", "Docflow Label")
    _paragraphs(book, "item.heard")
    _tag(book, "{%p endif %}")
    _tag(book, "{%p if item.discussion %}")
    paragraph(book, f"{{{{ {v}.labels.spoke }}}}", "Docflow Label")
    _paragraphs(book, "item.discussion", expression_field="line")
    _tag(book, "{%p endif %}")
    paragraph(book, "{{ item.decided_label }}", "Docflow Label")
    _tag(book, "{%p else %}")
    # «1. СЛУШАЛИ:» with the speaker and what was heard; nothing is printed that the data does not hold.
    _tag(book, "{%p if item.speakers or item.heard %}")
    paragraph(book, f"{{{{ item.number }}}}. {{{{ {v}.labels.heard }}}}", "Docflow Label")
    _tag(book, "{%p for text in item.heard %}")
    paragraph(book, "{% if loop.first and item.speakers %}{{ item.speakers }}\u00a0– {% endif %}{{ text }}")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p if not item.heard %}")
    paragraph(book, "{{ item.speakers }}")
    _tag(book, "{%p endif %}")
    _tag(book, "{%p endif %}")
    # «ВЫСТУПИЛИ:» only when someone spoke; the item's number goes on the first heading printed.
    _tag(book, "{%p if item.discussion %}")
    paragraph(book, f"{{% if not (item.speakers or item.heard) %}}{{{{ item.number }}}}. {{% endif %}}"
              f"{{{{ {v}.labels.spoke }}}}", "Docflow Label")
    _paragraphs(book, "item.discussion", expression_field="line")
    _tag(book, "{%p endif %}")
    paragraph(book, "{% if not (item.speakers or item.heard or item.discussion) %}{{ item.number }}. {% endif %}"
              "{{ item.decided_label }}", "Docflow Label")
    _tag(book, "{%p endif %}")
    _lines(book, "item.lines", "point")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p endif %}")


def _decisions(book, v: str) -> None:
    _tag(book, f"{{%p if {v}.decision_heading %}}")
    paragraph(book, f"{{{{ {v}.decision_heading }}}}", "Docflow Label")
    _tag(book, "{%p endif %}")
    _lines(book, f"{v}.lines")
    _tag(book, f"{{%p for stage in {v}.stages %}}")
    paragraph(book, "{{ stage.title }}", "Docflow Section")
    _lines(book, "stage.lines", "point")
    _tag(book, "{%p endfor %}")


def _signatures(book, v: str, margins: Margins) -> None:
    """Position on the left, room to sign, «И.О. Фамилия» on the right; one row per signatory, rows apart."""
    _tag(book, f"{{%p if {v}.signatories %}}")
    paragraph(book, "", "Docflow Signature")
    width = _width(margins)
    grid = table(book, 3, [width * 0.5, width * 0.2, width * 0.3])
    first_paragraph(grid.rows[0].cells[0], f"{{%tr for signatory in {v}.signatories %}}", "Docflow Tag")
    first_paragraph(grid.rows[1].cells[0], "{{ signatory.position }}", "Docflow Signature Row")
    first_paragraph(grid.rows[1].cells[1], "", "Docflow Signature Row")
    first_paragraph(grid.rows[1].cells[2], "{{ signatory.name }}", "Docflow Signature Name")
    for cell in grid.rows[1].cells[1:]:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    first_paragraph(grid.rows[2].cells[0], "{%tr endfor %}", "Docflow Tag")
    _tag(book, "{%p endif %}")


def _acknowledgment(book, v: str, margins: Margins) -> None:
    """«С приказом ознакомлены:», then per person: the name, room to sign, the date (a line to fill in when the
    service has none)."""
    _tag(book, f"{{%p if {v}.acknowledgment.people %}}")
    paragraph(book, "", "Docflow Signature")
    paragraph(book, f"{{{{ {v}.acknowledgment.label }}}}", "Docflow Signature")
    width = _width(margins)
    grid = table(book, 3, [width * 0.45, width * 0.25, width * 0.3])
    first_paragraph(grid.rows[0].cells[0], f"{{%tr for person in {v}.acknowledgment.people %}}", "Docflow Tag")
    first_paragraph(grid.rows[1].cells[0], "{{ person.name }}", "Docflow Signature Row")
    first_paragraph(grid.rows[1].cells[1], "", "Docflow Signature Row")
    first_paragraph(grid.rows[1].cells[2], "{% if person.date %}{{ person.date }}{% else %}"
                    "«___» ____________ 20___ г.{% endif %}", "Docflow Signature Name")
    first_paragraph(grid.rows[2].cells[0], "{%tr endfor %}", "Docflow Tag")
    _tag(book, "{%p endif %}")


def _executor(book, v: str) -> None:
    """Отметка об исполнителе: the author's name and phone at the foot, in small type."""
    _tag(book, f"{{%p if {v}.executor.name %}}")
    paragraph(book, f"{{{{ {v}.executor.name }}}}", "Docflow Executor")
    _tag(book, f"{{%p if {v}.executor.phone %}}")
    paragraph(book, f"{{{{ {v}.executor.phone }}}}", "Docflow Executor Line")
    _tag(book, "{%p endif %}")
    _tag(book, "{%p endif %}")


def _body(book, v: str, margins: Margins, title_first: bool) -> None:
    """Everything from the approval stamp to the acknowledgment, in the order GOST prints requisites."""
    _stamp(book, v)
    _letterhead(book, v, margins)
    if title_first:
        _title(book, v)
        _requisites(book, v, margins)
    else:
        _requisites(book, v, margins)
        _title(book, v)
    _meeting(book, v)
    _paragraphs(book, f"{v}.preamble")
    _participants(book, v)
    _agenda(book, v)
    _decisions(book, v)
    _paragraphs(book, f"{v}.closing")
    _signatures(book, v, margins)
    _acknowledgment(book, v, margins)
    _executor(book, v)


def _attachments(book, margins: Margins) -> None:
    """Each attachment (an approved Положение, a plan) on a new page, with its approval stamp."""
    _tag(book, "{%p for att in doc.attachments %}")
    page_break(book)
    _body(book, "att", margins, title_first=True)
    _tag(book, "{%p endfor %}")


def _attendance_sheet(book) -> None:
    """A protocol with many attendees: their list on a page of its own, «Приложение к протоколу от … № …» in the
    top right corner, one numbered person a line with the position."""
    _tag(book, "{%p if doc.attendance_sheet %}")
    page_break(book)
    _tag(book, "{%p for line in doc.attendance_sheet.stamp %}")
    paragraph(book, "{{ line }}", "Docflow Stamp")
    _tag(book, "{%p endfor %}")
    paragraph(book, "{{ doc.attendance_sheet.title }}", "Docflow Title")
    _paragraphs(book, "doc.attendance_sheet.people", "Docflow Point", expression_field="line")
    _tag(book, "{%p endif %}")


def document_template(doc_type: str, margins: Margins) -> DocxDocument:
    """An order prints date and number before its title («Об ...»); the other types name themselves first."""
    book = new_book(margins)
    _draft_mark(book)
    _body(book, "doc", margins, title_first=doc_type != "order")
    _attachments(book, margins)
    _attendance_sheet(book)
    return book


def _sheet_heading(book, title: str) -> None:
    paragraph(book, title, "Docflow Doctype")
    # a reference to a document: «Приказ от 01.02.2026 № 12» (date before number)
    paragraph(book, "{{ doc.type_title }}{% if doc.date_text %} от {{ doc.date_text }}{% endif %}"
              "{% if doc.number %} №\u00a0{{ doc.number }}{% endif %}", "Docflow Label Center")
    paragraph(book, "«{{ doc.title }}»", "Docflow Title")


def _data_table(book, margins: Margins, heads: list[str], cells: list[str], widths: list[float],
                loop: str, width: float | None = None) -> None:
    """A bordered 12 pt table across the text block (or `width` cm): a header row repeated on each page, then one
    row per item of `loop`."""
    total = sum(widths)
    width = width or _width(margins)
    grid = table(book, 4, [w * width / total for w in widths], borders=True)
    repeat_header(grid.rows[0])
    for cell, head in zip(grid.rows[0].cells, heads, strict=True):
        first_paragraph(cell, head, "Docflow Table Head")
    first_paragraph(grid.rows[1].cells[0], f"{{%tr for row in {loop} %}}", "Docflow Tag")
    for cell, text in zip(grid.rows[2].cells, cells, strict=True):
        first_paragraph(cell, text, "Docflow Table Text")
    first_paragraph(grid.rows[3].cells[0], "{%tr endfor %}", "Docflow Tag")


def approval_sheet_template(margins: Margins) -> DocxDocument:
    """Лист согласования: who approved, with what decision and remark, when; one table per round."""
    book = new_book(margins)
    _sheet_heading(book, "Лист согласования")
    _tag(book, "{%p for round in rounds %}")
    paragraph(book, "Круг согласования {{ round.number }}{% if round.mode %} ({{ round.mode }}){% endif %}",
              "Docflow Label")
    _data_table(book, margins, ["№", "Должность", "Фамилия, инициалы", "Решение, замечания", "Подпись", "Дата"],
                ["{{ row.number }}", "{{ row.position }}", "{{ row.name }}",
                 "{{ row.decision }}{% if row.comment %}: {{ row.comment }}{% endif %}", "", "{{ row.date }}"],
                [1, 3.6, 3.6, 4.4, 2.4, 2.6], "round.steps")
    _tag(book, "{%p endfor %}")
    _tag(book, "{%p if not rounds %}")
    paragraph(book, "Согласование не проводилось.")
    _tag(book, "{%p endif %}")
    return book


def acknowledgment_sheet_template(margins: Margins) -> DocxDocument:
    """Лист ознакомления: № , name, position, date and a blank column for the handwritten signature."""
    book = new_book(margins)
    _sheet_heading(book, "Лист ознакомления")
    _data_table(book, margins, ["№", "Фамилия, инициалы", "Должность", "Дата ознакомления", "Подпись"],
                ["{{ row.number }}", "{{ row.name }}", "{{ row.position }}", "{{ row.date }}", ""],
                [1, 4.5, 5, 3, 3], "people")
    return book


def assignments_report_template(margins: Margins) -> DocxDocument:
    """Справка о ходе исполнения поручений на дату: totals, then one row per assignment, on landscape A4 so that
    six columns hold their longest words (a date, «республиканского», «персонифицированную») unbroken."""
    book = new_book(margins)
    section = book.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    paragraph(book, "СПРАВКА", "Docflow Doctype")
    paragraph(book, "о ходе исполнения поручений по состоянию на {{ as_of }}"
              "{% if subtitle %} {{ subtitle }}{% endif %}", "Docflow Title")
    paragraph(book, "Всего поручений: {{ total }}, исполнено: {{ done }}, просрочено: {{ overdue }}.")
    _data_table(book, margins, ["№ п/п", "Документ, пункт", "Поручение", "Ответственный", "Срок", "Состояние"],
                ["{{ row.number }}", "{{ row.document }}{% if row.point %}, п. {{ row.point }}{% endif %}",
                 "{{ row.action }}", "{{ row.responsible }}", "{{ row.deadline }}",
                 "{{ row.status }}{% if row.days_overdue %}, просрочено на {{ row.days_overdue }} дн.{% endif %}"],
                [1.2, 5.2, 7.4, 5.6, 2.6, 3.6], "rows", width=(section.page_width - section.left_margin
                                                              - section.right_margin) / 360000)
    _tag(book, "{%p if signer %}")
    paragraph(book, "", "Docflow Signature")
    paragraph(book, "{{ signer }}", "Docflow Signature")
    _tag(book, "{%p endif %}")
    return book


BUILDERS: dict[str, Callable[[Margins], DocxDocument]] = {
    **{doc_type: (lambda margins, t=doc_type: document_template(t, margins)) for doc_type in DOCUMENT_TYPES},
    "approval_sheet": approval_sheet_template,
    "acknowledgment_sheet": acknowledgment_sheet_template,
    "assignments_report": assignments_report_template,
}


def build(name: str, margins: Margins | None = None) -> bytes:
    """The default template `name` (a document type or a sheet) as DOCX bytes."""
    book = BUILDERS[name](margins or Margins())
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
