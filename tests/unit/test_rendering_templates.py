"""The default templates: GOST page and type, every tag known to the documented context, sheets from plain dicts."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docxtpl import DocxTemplate

from tests.fidelity import docx_text
from webapp.rendering import defaults, engine
from webapp.rendering.layout import Margins
from webapp.rendering.samples import DOCUMENT_VARIABLES, SHEET_VARIABLES, lookup, sample_for

ALL = [*defaults.DOCUMENT_TYPES, *defaults.SHEETS]


@pytest.mark.parametrize("name", ALL)
def test_every_tag_of_a_default_template_is_in_the_documented_context(name):
    template = defaults.build(name)
    sample = sample_for(name)
    undeclared = DocxTemplate(io.BytesIO(template)).get_undeclared_template_variables(engine.make_environment())
    assert undeclared <= set(sample), f"{name} uses variables the context does not have: {undeclared - set(sample)}"
    rendered = engine.render(template, sample)  # StrictUndefined: a misspelt attribute would raise here
    text = docx_text(rendered)
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("name", ALL)
def test_every_documented_variable_has_a_sample(name):
    for path, description in SHEET_VARIABLES.get(name, DOCUMENT_VARIABLES):
        assert description
        assert lookup(sample_for(name), path) is not None, path


def test_page_and_type_follow_gost():
    book = docx.Document(io.BytesIO(defaults.build("order")))
    section = book.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.left_margin, section.top_margin, section.right_margin,
                                  section.bottom_margin)] == [20, 20, 10, 20]
    normal = book.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fmt = normal.paragraph_format
    assert round(fmt.first_line_indent.cm, 2) == 1.25 and fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert book.styles["Docflow Table Text"].font.size == Pt(12)
    assert book.styles["Docflow Doctype"].font.all_caps and book.styles["Docflow Doctype"].font.bold
    # page numbers from page 2: the first page has its own (empty of numbers) header
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml


def test_margins_are_configurable():
    book = docx.Document(io.BytesIO(defaults.build("protocol", Margins(left=30, right=15))))
    assert round(book.sections[0].left_margin.mm) == 30 and round(book.sections[0].right_margin.mm) == 15


def _header_text(data: bytes) -> str:
    book = docx.Document(io.BytesIO(data))
    return book.sections[0].first_page_header.paragraphs[0].text


def test_draft_mark_only_on_drafts():
    sample = sample_for("order")
    assert _header_text(engine.render(defaults.build("order"), sample)) == ""
    sample["doc"]["draft_mark"] = True
    assert _header_text(engine.render(defaults.build("order"), sample)) == "Проект"


def test_order_layout_letterhead_requisites_signature_and_attachment():
    sample = sample_for("order")
    data = engine.render(defaults.build("order"), sample)
    book = docx.Document(io.BytesIO(data))
    letterhead, requisites, signature = book.tables[0], book.tables[1], book.tables[2]
    assert "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ" in letterhead.cell(0, 0).text and "ПРИКАЗ" in letterhead.cell(0, 0).text
    assert "УПРАВЛЕНИЕЗИ" in letterhead.cell(0, 1).text and "ЖАКАРУ" in letterhead.cell(0, 1).text
    assert requisites.cell(0, 0).text == "26.12.2020" and requisites.cell(0, 1).text == "№\u00a0339"
    assert (signature.cell(0, 0).text, signature.cell(0, 1).text, signature.cell(0, 2).text) == (
        "И.о. начальника", "", "С.П. Бочкарева")  # the middle column is the room to sign
    texts = [p.text for p in book.paragraphs]
    assert texts.index("Об утверждении положения о муниципальной методической службе") < texts.index("ПРИКАЗЫВАЮ:")
    # A numbered point: its label at the 1.25 cm paragraph indent, a space, the text; wrapped lines go back to
    # the left margin (no hanging indent, no tab stop).
    point = next(p for p in book.paragraphs
                 if p.text == "1.2.1. Создать муниципальную методическую службу в срок до 1 февраля 2022 года.")
    fmt = point.style.paragraph_format
    assert round(fmt.first_line_indent.cm, 2) == 1.25 and not (fmt.left_indent or 0)
    assert list(fmt.tab_stops) == []
    assert "Утверждено приказом" in texts and "от 26.12.2020 № 339" in texts  # the attachment's stamp
    assert '<w:br w:type="page"/>' in book.element.xml


@pytest.mark.parametrize(("as_printed", "present", "absent"), [
    (True, ["Председательствовал:", "– Цулая Лариса Владимировна, начальник отдела", "Повестка дня:",
            "1. О реализации проекта (Цулая Л.В.)", "СЛУШАЛИ:", "РЕШИЛИ:", "1.1. Принять информацию к сведению."],
     ["Председатель\u00a0– Л.В. Цулая"]),
    # Written in the service: the chair and secretary on one line each, «1. СЛУШАЛИ:» with the speaker and what
    # was heard, and the agenda item's title not repeated before it.
    (False, ["Председатель\u00a0– Л.В. Цулая", "Секретарь\u00a0– Е.Н. Матвейчук", "Повестка дня:",
             "1. О реализации проекта", "1. СЛУШАЛИ:",
             "Цулая Л.В.\u00a0– Цулая Л.В. рассказала о ходе реализации проекта.", "РЕШИЛИ:",
             "1.1. Принять информацию к сведению."],
     ["Председательствовал:", "1. О реализации проекта (Цулая Л.В.)"]),
])
def test_protocol_prints_chair_agenda_heard_and_decided(as_printed, present, absent):
    sample = sample_for("protocol")
    for doc in (sample["doc"], *sample["doc"]["attachments"]):
        doc["as_printed"] = as_printed
    data = engine.render(defaults.build("protocol"), sample)
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    for line in present:
        assert line in texts
    for line in absent:
        assert line not in texts


def test_values_are_escaped_not_interpreted():
    sample = sample_for("order")
    sample["doc"]["title"] = "О <w:p> & {{ doc.number }} «кавычках»"
    data = engine.render(defaults.build("order"), sample)
    assert "О <w:p> & {{ doc.number }} «кавычках»" in [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_approval_sheet_from_plain_dicts():
    context = {"doc": {"type_title": "Приказ", "number": "12", "date_text": "01.02.2026", "title": "О плане"},
               "rounds": [{"number": 1, "mode": "последовательно", "steps": [
                   {"number": 1, "position": "Юрист", "name": "Сидоров А.В.", "decision": "Возвращено на доработку",
                    "comment": "Уточнить срок", "date": "02.02.2026 10:00"}]},
                   {"number": 2, "mode": "последовательно", "steps": [
                       {"number": 1, "position": "Юрист", "name": "Сидоров А.В.", "decision": "Согласовано",
                        "comment": "", "date": "03.02.2026 11:00"}]}]}
    text = docx_text(engine.render(defaults.build("approval_sheet"), context))
    assert "Лист согласования" in text and "Приказ от 01.02.2026 №\u00a012" in text and "Подпись" in text
    assert "Круг согласования 1" in text and "Круг согласования 2" in text
    assert "Возвращено на доработку: Уточнить срок" in text and "03.02.2026 11:00" in text


def test_acknowledgment_sheet_and_report_from_plain_dicts():
    doc = {"type_title": "Приказ", "number": "12", "date_text": "01.02.2026", "title": "О плане"}
    people = [{"number": i, "name": f"Сотрудник {i}", "position": "специалист", "date": ""} for i in range(1, 4)]
    text = docx_text(engine.render(defaults.build("acknowledgment_sheet"), {"doc": doc, "people": people}))
    assert "Лист ознакомления" in text and "Сотрудник 3" in text
    rows = [{"number": 1, "document": "Протокол № 1", "point": "1.2.2", "action": "Создать службу",
             "responsible": "Органы управления", "deadline": "01.02.2022", "status": "новое", "days_overdue": 28,
             "done": False}]
    report = {"as_of": "01.03.2022", "subtitle": "", "signer": "", "rows": rows, "total": 1, "done": 0, "overdue": 1}
    text = docx_text(engine.render(defaults.build("assignments_report"), report))
    assert "о ходе исполнения поручений по состоянию на 01.03.2022" in text
    assert "Протокол № 1, п. 1.2.2" in text and "новое, просрочено на 28 дн." in text


def _parts(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # docProps carry a timestamp: compare the Word parts
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("word/")}


@pytest.mark.parametrize("name", ALL)
def test_the_templates_in_doc_templates_are_up_to_date(name):
    from pathlib import Path

    committed = Path(__file__).parents[2] / "doc_templates" / f"{name}.docx"
    assert committed.exists(), "run python doc_templates/build.py"
    assert _parts(committed.read_bytes()) == _parts(defaults.build(name)), "run python doc_templates/build.py"
