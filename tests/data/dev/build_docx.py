#!/usr/bin/env python3
"""Build the DOCX documents of the development set (deterministic: the same bytes on every run).

    python tests/data/dev/build_docx.py

Writes, next to this script:

- dev07_kedrovsky_plan_gia_tablica.docx — a regional plan of measures as a real Word table
  (№ п/п | Мероприятие | Ответственный | Срок исполнения) with merged section rows;
- dev08_lesogorsk_prikaz_pddtt_avtonumeraciya.docx — a municipal order whose points are numbered by
  Word itself (a numbering definition of our own in numbering.xml, levels "%1." and "%1.%2."):
  the labels 1., 2., 2.1. … are not in the paragraphs' text;
- dev17_verkhneozyorsk_protokol_zamdirektorov_listnumber.docx — a municipal protocol whose decisions
  are paragraphs in Word's built-in «List Number» style (numbered by the style, not typed).

Needs python-docx. The content is synthetic: the bodies and people are invented.
"""

# The documents' text is data: its long lines are kept whole.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


# --- helpers --------------------------------------------------------------------------------------


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
    props.author = "Docflow dev set"
    props.last_modified_by = "Docflow dev set"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    return document


def para(document, text="", *, bold=False, align=None, indent=True, size=None):
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "justify":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent and align in (None, "justify"):
        paragraph.paragraph_format.first_line_indent = Cm(1.25)
    return paragraph


def two_sides(document, left, right):
    """A line with text on the left and on the right (a tab stop at the right margin)."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(16.5), alignment=2)  # right-aligned tab
    paragraph.add_run(f"{left}\t{right}")
    return paragraph


def add_multilevel_numbering(document, num_id=10, abstract_id=10) -> int:
    """A numbering definition of our own: level 0 "%1.", level 1 "%1.%2.", level 2 "%1.%2.%3."."""
    numbering = document.part.numbering_part.element
    levels = []
    for ilvl, text, left in ((0, "%1.", 0), (1, "%1.%2.", 0), (2, "%1.%2.%3.", 0)):
        levels.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:firstLine="709"/></w:pPr></w:lvl>'
        )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:nsid w:val="5A3C1D2E"/><w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>'
    )
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    # abstractNum elements must precede num elements in numbering.xml
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return num_id


def numbered(document, text, num_id, ilvl):
    paragraph = document.add_paragraph()
    paragraph.add_run(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))
    return paragraph


def set_cell(cell, text, *, bold=False, center=False, size=12):
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
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


# --- dev07: a plan of measures in a Word table ------------------------------------------------------

PLAN_ROWS = [
    ("1. Анализ результатов государственной итоговой аттестации в 2023 году",),
    ("1.1.", "Проведение статистического анализа результатов ГИА-2023 в разрезе муниципальных образований и общеобразовательных организаций",
     "РЦОИ (Мамонтов Д.Е.)", "до 15.09.2023"),
    ("1.2.", "Подготовка аналитических материалов по результатам ГИА-2023 для органов местного самоуправления, осуществляющих управление в сфере образования",
     "КГАУ ДПО ККИРО (Полякова Н.С.)", "сентябрь 2023 г."),
    ("1.3.", "Обсуждение результатов ГИА-2023 на заседаниях региональных методических объединений учителей-предметников",
     "КГАУ ДПО ККИРО, РМО", "октябрь – ноябрь 2023 г."),
    ("2. Меры по повышению качества преподавания учебных предметов",),
    ("2.1.", "Организация курсов повышения квалификации учителей-предметников по вопросам подготовки обучающихся к ГИА",
     "КГАУ ДПО ККИРО (Полякова Н.С.)", "в течение 2023/2024 учебного года"),
    ("2.2.", "Проведение региональных тренировочных мероприятий по математике и русскому языку в 9-х и 11-х классах",
     "Министерство, РЦОИ", "февраль 2024 г."),
    ("2.3.", "Организация индивидуальной работы с обучающимися, испытывающими трудности в освоении образовательных программ",
     "ОМСУ, ОО", "постоянно"),
    ("3. Нормативное правовое обеспечение",),
    ("3.1.", "Подготовка приказа о составе государственной экзаменационной комиссии Кедровского края",
     "Отдел общего образования министерства (Гришина Л.А.)", "до 01.12.2023"),
    ("3.2.", "Приведение региональных нормативных правовых актов в соответствие с федеральными нормативными правовыми актами",
     "Отдел общего образования министерства (Гришина Л.А.)", "по мере необходимости"),
    ("4. Обучение лиц, привлекаемых к проведению ГИА",),
    ("4.1.", "Обучение руководителей пунктов проведения экзаменов", "РЦОИ (Мамонтов Д.Е.)", "январь – март 2024 г."),
    ("4.2.", "Обучение организаторов пунктов проведения экзаменов с использованием учебной платформы",
     "РЦОИ, ОМСУ", "до 20.04.2024"),
    ("4.3.", "Обучение членов государственной экзаменационной комиссии", "Министерство (Гришина Л.А.)", "I квартал 2024 г."),
    ("5. Информационное сопровождение ГИА",),
    ("5.1.", "Проведение родительских собраний по вопросам проведения ГИА", "ОМСУ, ОО", "ежеквартально"),
    ("5.2.", "Работа «горячей линии» по вопросам ГИА", "Министерство, РЦОИ", "постоянно"),
    ("5.3.", "Размещение на официальных сайтах информации о сроках и местах подачи заявлений на участие в ГИА",
     "ОМСУ, ОО", "не позднее 1 декабря 2023 г."),
    ("5.4.", "Мониторинг официальных сайтов ОМСУ и ОО по вопросам информирования участников ГИА", "РЦОИ", "ежемесячно"),
    ("6. Контроль за организацией и проведением ГИА",),
    ("6.1.", "Проверка готовности пунктов проведения экзаменов", "ГЭК",
     "не позднее чем за две недели до начала экзаменов"),
    ("6.2.", "Подготовка аналитического отчета о результатах ГИА-2024", "Министерство, РЦОИ, КГАУ ДПО ККИРО", "июль 2024 г."),
]


def build_plan():
    document = new_document()
    for line in ("УТВЕРЖДЕН", "приказом министерства образования", "и науки Кедровского края",
                 "от 12.09.2023 № 1187"):
        paragraph = para(document, line, indent=False)
        paragraph.paragraph_format.left_indent = Cm(9.5)
    para(document)
    para(document, "ПЛАН МЕРОПРИЯТИЙ («ДОРОЖНАЯ КАРТА»)", bold=True, align="center")
    para(document, "по подготовке к проведению государственной итоговой аттестации по образовательным "
                   "программам основного общего и среднего общего образования в Кедровском крае в 2024 году",
         bold=True, align="center")
    para(document)
    table = document.add_table(rows=1, cols=4)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ("№ п/п", "Мероприятие", "Ответственный", "Срок исполнения"), strict=True):
        set_cell(cell, text, bold=True, center=True)
    for row in PLAN_ROWS:
        cells = table.add_row().cells
        if len(row) == 1:
            merged = cells[0].merge(cells[3])
            set_cell(merged, row[0], bold=True, center=True)
        else:
            for cell, text in zip(cells, row, strict=True):
                set_cell(cell, text)
    widths = (Cm(1.5), Cm(8.0), Cm(4.0), Cm(3.0))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    para(document)
    para(document, "Используемые сокращения:", indent=False)
    for line in (
        "ГИА – государственная итоговая аттестация по образовательным программам основного общего и среднего общего образования;",
        "ГЭК – государственная экзаменационная комиссия Кедровского края;",
        "КГАУ ДПО ККИРО – краевое государственное автономное учреждение дополнительного профессионального образования «Кедровский краевой институт развития образования»;",
        "Министерство – министерство образования и науки Кедровского края;",
        "ОМСУ – органы местного самоуправления муниципальных образований Кедровского края, осуществляющие управление в сфере образования;",
        "ОО – общеобразовательные организации Кедровского края;",
        "РМО – региональные методические объединения учителей-предметников;",
        "РЦОИ – региональный центр обработки информации краевого государственного казенного учреждения «Региональный центр информатизации образования».",
    ):
        para(document, line, indent=False, size=12)
    save(document, "dev07_kedrovsky_plan_gia_tablica.docx")


# --- dev08: an order numbered by Word's own numbering -----------------------------------------------


def build_order():
    document = new_document()
    num = add_multilevel_numbering(document)
    for line in ("АДМИНИСТРАЦИЯ ЛЕСОГОРСКОГО МУНИЦИПАЛЬНОГО ОКРУГА", "ЗАРЕЧНОЙ ОБЛАСТИ", "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ"):
        para(document, line, bold=True, align="center")
    para(document)
    para(document, "ПРИКАЗ", bold=True, align="center")
    para(document)
    two_sides(document, "30.08.2024", "№ 245")
    para(document, "г. Лесогорск", align="center")
    para(document)
    para(document, "Об организации работы по профилактике детского дорожно-транспортного травматизма "
                   "в 2024/2025 учебном году", bold=True, align="center")
    para(document)
    para(document, "В целях предупреждения детского дорожно-транспортного травматизма, формирования у "
                   "обучающихся и воспитанников навыков безопасного поведения на дорогах, на основании анализа "
                   "состояния детского дорожно-транспортного травматизма на территории Лесогорского "
                   "муниципального округа за 2023/2024 учебный год", align="justify")
    para(document)
    para(document, "ПРИКАЗЫВАЮ:", bold=True, indent=False)
    numbered(document, "Утвердить план мероприятий по профилактике детского дорожно-транспортного травматизма "
                       "в образовательных организациях Лесогорского муниципального округа на 2024/2025 учебный год "
                       "(прилагается).", num, 0)
    numbered(document, "Руководителям общеобразовательных организаций:", num, 0)
    numbered(document, "назначить приказом по образовательной организации ответственного за работу по профилактике "
                       "детского дорожно-транспортного травматизма в срок до 10 сентября 2024 года;", num, 1)
    numbered(document, "обеспечить проведение «минуток безопасности» на последнем уроке ежедневно;", num, 1)
    numbered(document, "организовать с 2 по 13 сентября 2024 года проведение профилактических мероприятий "
                       "декады «Внимание – дети!»;", num, 1)
    numbered(document, "обновить паспорта дорожной безопасности образовательных организаций до 01.10.2024;", num, 1)
    numbered(document, "обеспечивать взаимодействие с отделением Госавтоинспекции ОМВД России по Лесогорскому "
                       "муниципальному округу при проведении профилактических мероприятий.", num, 1)
    numbered(document, "Руководителям дошкольных образовательных организаций:", num, 0)
    numbered(document, "проводить в группах старшего дошкольного возраста тематические занятия по правилам "
                       "дорожного движения ежемесячно;", num, 1)
    numbered(document, "оформить уголки безопасности дорожного движения в срок до 15 сентября 2024 года.", num, 1)
    numbered(document, "Муниципальному бюджетному учреждению «Центр обеспечения деятельности системы образования» "
                       "(Кравченко О.В.):", num, 0)
    numbered(document, "ежеквартально, до 10 числа месяца, следующего за отчетным кварталом, представлять в управление "
                       "образования сводную информацию о проведенных профилактических мероприятиях;", num, 1)
    numbered(document, "обеспечить в течение десяти рабочих дней со дня подписания настоящего приказа актуализацию "
                       "схем безопасных маршрутов подвоза обучающихся.", num, 1)
    numbered(document, "Ведущему специалисту управления образования Громовой Е.П. обобщать информацию о "
                       "дорожно-транспортных происшествиях с участием несовершеннолетних и доводить ее до руководителей "
                       "образовательных организаций. Срок – постоянно.", num, 0)
    numbered(document, "Контроль за исполнением настоящего приказа оставляю за собой.", num, 0)
    para(document)
    para(document)
    two_sides(document, "Начальник управления образования", "Н.В. Каргополова")
    para(document)
    para(document, "С приказом ознакомлены:", indent=False, size=12)
    para(document, "Кравченко О.В. ______________ «___» __________ 2024 г.", indent=False, size=12)
    para(document, "Громова Е.П. ______________ «___» __________ 2024 г.", indent=False, size=12)
    save(document, "dev08_lesogorsk_prikaz_pddtt_avtonumeraciya.docx")


# --- dev17: a protocol whose decisions use the built-in «List Number» style --------------------------


def build_protocol():
    document = new_document()
    para(document, "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ АДМИНИСТРАЦИИ ГОРОДСКОГО ОКРУГА ВЕРХНЕОЗЕРСК", bold=True, align="center")
    para(document)
    para(document, "ПРОТОКОЛ № 3", bold=True, align="center")
    para(document, "совещания заместителей руководителей общеобразовательных организаций "
                   "по учебно-воспитательной работе", bold=True, align="center")
    para(document)
    two_sides(document, "14.03.2024", "г. Верхнеозерск")
    para(document)
    para(document, "Председатель: Агеева Татьяна Николаевна, заместитель начальника управления образования, "
                   "начальник отдела общего образования.", indent=False)
    para(document, "Секретарь: Лаптева Ольга Владимировна, методист МБУ «Информационно-методический центр».",
         indent=False)
    para(document, "Присутствовали: 27 человек, в том числе:", indent=False)
    for line in (
        "Лаптева Ольга Владимировна – методист МБУ «Информационно-методический центр»;",
        "Новикова Елена Сергеевна – заместитель директора по учебно-воспитательной работе МБОУ «Гимназия № 1»;",
        "Щербаков Илья Андреевич – заместитель директора по учебно-воспитательной работе МБОУ «СОШ № 4»;",
        "заместители руководителей общеобразовательных организаций по учебно-воспитательной работе.",
    ):
        para(document, line, indent=False)
    para(document)
    para(document, "Повестка дня:", bold=True, indent=False)
    para(document, "1. О соответствии рабочих программ учебных предметов федеральным основным "
                   "общеобразовательным программам.", indent=False)
    para(document, "2. О подготовке обучающихся 9-х и 11-х классов к государственной итоговой аттестации.",
         indent=False)
    para(document, "3. О ведении электронных журналов и учете движения обучающихся.", indent=False)
    para(document)
    para(document, "СЛУШАЛИ:", bold=True, indent=False)
    para(document, "1. Агееву Т.Н. о результатах выборочной проверки рабочих программ учебных предметов: в 6 из 18 "
                   "проверенных общеобразовательных организаций рабочие программы по истории и обществознанию не "
                   "приведены в соответствие с федеральными рабочими программами.", align="justify")
    para(document, "2. Лаптеву О.В. о результатах региональных тренировочных мероприятий по математике: доля "
                   "обучающихся 9-х классов, не преодолевших минимальный порог, составила 14,2 процента.",
         align="justify")
    para(document, "3. Новикову Е.С. об опыте организации учета движения обучающихся в электронном журнале.",
         align="justify")
    para(document, "ВЫСТУПИЛИ:", bold=True, indent=False)
    para(document, "Щербаков И.А. предложил провести пробные экзамены в апреле, чтобы успеть скорректировать "
                   "планы итогового повторения.", align="justify")
    para(document)
    para(document, "РЕШИЛИ:", bold=True, indent=False)
    decisions = [
        "Информацию выступающих принять к сведению.",
        "Заместителям руководителей по учебно-воспитательной работе обеспечить проверку рабочих программ учебных "
        "предметов на соответствие федеральным рабочим программам до 22.03.2024.",
        "Руководителям общеобразовательных организаций организовать проведение пробных экзаменов по обязательным "
        "учебным предметам в 9-х и 11-х классах в апреле 2024 года.",
        "Отделу общего образования (Агеева Т.Н.) подготовить методические рекомендации по организации итогового "
        "повторения. Срок исполнения – 1 апреля 2024 г.",
        "Заместителям руководителей по учебно-воспитательной работе организовать посещение уроков учителей, "
        "обучающиеся которых показали низкие результаты, с последующим анализом. Срок: март – май 2024 года.",
        "МБУ «Информационно-методический центр» (Лаптева О.В.) провести в течение 2024 года серию методических "
        "семинаров для учителей математики по подготовке обучающихся к государственной итоговой аттестации.",
        "Руководителям общеобразовательных организаций обеспечивать своевременное заполнение электронных журналов.",
        "Руководителям общеобразовательных организаций ежемесячно, не позднее 3 числа месяца, следующего за "
        "отчетным, представлять в отдел общего образования сведения о движении обучающихся.",
        "Руководителям общеобразовательных организаций в течение десяти рабочих дней утвердить планы-графики "
        "итогового повторения учебного материала в 9-х и 11-х классах.",
        "Заместителям руководителей по учебно-воспитательной работе обсудить итоги совещания на заседаниях "
        "педагогических советов в срок до 29 марта 2024 года.",
    ]
    for text in decisions:
        paragraph = document.add_paragraph(text, style="List Number")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para(document)
    two_sides(document, "Председатель", "Т.Н. Агеева")
    two_sides(document, "Секретарь", "О.В. Лаптева")
    save(document, "dev17_verkhneozyorsk_protokol_zamdirektorov_listnumber.docx")


def main():
    build_plan()
    build_order()
    build_protocol()


if __name__ == "__main__":
    main()
