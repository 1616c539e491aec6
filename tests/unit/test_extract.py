"""Unit tests of webapp.ru.extract: documents read into the extraction schema, scored on the sample documents and
the development set (tests/extraction_score.py is the corpus scorer's logic), and each rule on a short made-up
document."""

import ast
import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.extraction_score import load, score
from webapp.ru.extract import DOC_TYPES, Extraction, extract
from webapp.sources import read_source

DATA = Path(__file__).resolve().parent.parent / "data"


def _texts(folder: str, gold: dict[str, dict], raw: bool) -> dict[str, str]:
    texts = {}
    for name in gold:
        path = DATA / folder / name
        if path.exists():
            data = path.read_bytes()
            texts[name] = data.decode("utf-8") if raw else read_source(name, data).text
    return texts


# --- the samples and the development set, scored ---------------------------------------------------------------------

def _assert_scores(folder: str, raw: bool, count: int, f1: float, responsible: float, deadline: float,
                   kind: float, meta: float) -> None:
    """Extract every document of a folder with gold annotations and hold the corpus scorer's figures to bars."""
    gold = load(DATA / f"{folder}.gold.jsonl")
    texts = _texts(folder, gold, raw)
    assert len(texts) == len(gold) == count
    result = score(gold, {name: extract(text, name).as_dict() for name, text in texts.items()})
    report = result.report()
    assert result.f1 >= f1, report
    assert result.responsible >= responsible, report
    assert result.deadline >= deadline, report
    assert result.kind >= kind, report
    assert result.meta >= meta, report


@pytest.mark.parametrize("raw", [True, False], ids=["as-extracted", "through-read_source"])
def test_seeds_meet_the_targets(raw: bool) -> None:
    """The issue's targets on the five sample documents."""
    _assert_scores("seeds", raw, 5, f1=0.97, responsible=0.93, deadline=0.97, kind=0.95, meta=0.95)


def test_development_set() -> None:
    """The development set (tests/data/dev, 20 documents written by another engineer while this module was
    built): rules were developed against it, not written for its files; the bars are below what it measured at
    the time (all 1.000) so that a change in deadlines.py or in the set itself does not break the build silently
    but shows here."""
    _assert_scores("dev", False, 20, f1=0.95, responsible=0.93, deadline=0.93, kind=0.93, meta=0.95)


def test_held_out_set() -> None:
    """The held-out set (tests/data/holdout, 12 documents written blind by someone who had not seen this module).
    It scored F1 0.890 the first time; the tables written with «|» and the Roman sections it showed were then
    taught (0.992), so it is no longer blind for those shapes. The bars sit below the figures measured, to catch
    a regression, not to pretend the extraction is perfect."""
    _assert_scores("holdout", False, 12, f1=0.95, responsible=0.95, deadline=0.93, kind=0.93, meta=0.95)


# --- made-up documents, one per kind ---------------------------------------------------------------------------------

ORDER = """АДМИНИСТРАЦИЯ ГОРОДА ТВЕРИ
УПРАВЛЕНИЕ ОБРАЗОВАНИЯ

ПРИКАЗ

05.02.2024                                                     № 77-п
г. Тверь

О проведении муниципального конкурса «Лучший урок»

В целях выявления и поддержки талантливых педагогов
ПРИКАЗЫВАЮ:
1. Провести муниципальный конкурс «Лучший урок» с 1 по 20 марта 2024 года.
2. Утвердить положение о конкурсе (приложение).
3. Отделу общего образования (Смирнова Е.В.):
а) разработать критерии оценки конкурсных работ в срок до 15.02.2024;
б) обеспечивать информационное сопровождение конкурса.
4. Руководителям общеобразовательных организаций обеспечить участие педагогов в конкурсе.
Срок: до 1 марта 2024 г.
5. Назначить ответственным за проведение конкурса методиста Орлова П.П.
6. Контроль за исполнением настоящего приказа оставляю за собой.

Начальник управления образования                        И.А. Кравцова

С приказом ознакомлены:
Е.В. Смирнова
П.П. Орлов
"""

PROTOCOL = """ПРОТОКОЛ № 5
заседания комиссии по делам несовершеннолетних

12.03.2024                                   г. Тверь

Председатель: Смирнов Олег Петрович – заместитель главы администрации
Секретарь: Кузнецова Анна Сергеевна
Присутствовали:
Иванов И.И. – начальник отдела образования;
Петрова Мария Ивановна – директор МОУ СОШ № 1;
представители органов системы профилактики.

Повестка дня:
1. О подготовке к летней оздоровительной кампании.
Докладчик: Иванов И.И.
2. О профилактике правонарушений.

1. СЛУШАЛИ: Иванова И.И. – о ходе подготовки к летней кампании.
РЕШИЛИ:
1.1. Информацию принять к сведению.
1.2. Отделу образования (Иванов И.И.) подготовить план летней кампании до 15.04.2024.
1.3. Органам местного самоуправления, осуществляющим управление в сфере образования, обеспечить охват детей отдыхом
ежемесячно до 5 числа.
2. СЛУШАЛИ: Петрову М.И. – о профилактике правонарушений.
РЕШИЛИ:
2.1. Руководителям школ провести профилактические беседы в течение апреля 2024 года.
2.2. Рекомендовать ОМВД России по г. Твери усилить патрулирование в вечернее время.

Председатель                                         О.П. Смирнов
Секретарь                                            А.С. Кузнецова
"""

RESOLUTION = """ПРОЕКТ

РЕЗОЛЮЦИЯ
августовской конференции педагогических работников

Участники конференции отмечают, что в районе созданы условия для развития образования.
Участники конференции РЕКОМЕНДУЮТ:
Отделу образования, отделу культуры администрации района:
— обеспечить проведение совместных мероприятий в течение 2024/2025 учебного года;
— продолжить реализацию программы «Культурный норматив школьника на 2024–2026 годы».
Поручить МКУ «ИМЦ» (Соколова Е.Е.) организовать методическое сопровождение молодых педагогов.
Резолюция принята единогласно.
"""

LETTER = """ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ
ЯРОСЛАВСКОЙ ОБЛАСТИ
ул. Советская, д. 7, г. Ярославль, 150000
тел. (4852) 40-18-56

10.10.2024 № 24-1234/24

Руководителям органов местного самоуправления, осуществляющих управление в сфере образования

Об участии в региональном конкурсе

Департамент образования Ярославской области информирует о проведении регионального конкурса «Педагог года». Просим:
- довести информацию до сведения руководителей образовательных организаций;
- направить заявки участников в срок до 1 ноября 2024 года.

Директор департамента                                  И.В. Лободина
"""

PLAN = """ПРОГРАММА
развития системы наставничества в Лесном районе

Цель программы: создание условий для профессионального роста молодых педагогов.
Задачи:
1. Обеспечить сопровождение молодых педагогов.
2. Создать систему поощрения наставников.

I этап (2024 год) – подготовительный:
- разработка нормативной базы наставничества (отдел образования);
- формирование базы наставников.
II этап (2025–2026 годы) – основной:
Организационное обеспечение.
- проведение конкурса «Наставник года»;
- организация стажировок молодых педагогов.

Ожидаемые результаты:
- рост числа молодых педагогов, закрепившихся в профессии.
"""

TABLE = ("УТВЕРЖДАЮ\nДиректор школы\n____________ Н.Н. Орлова\n«30» августа 2024 г.\n"
         "ПЛАН\nработы методического объединения на 2024/2025 учебный год\n"
         "№\tСодержание работы\tСроки\tИсполнители\n"
         "1. Организационная работа\n"
         "1.1\tЗаседание МО по утверждению плана работы\tсентябрь 2024 г.\tРуководитель МО\n"
         "1.2\tПроведение предметной недели\tпо согласованию\tУчителя-предметники\n"
         "2. Методическая работа\n"
         "2.1\tВзаимопосещение уроков\tпостоянно\tВсе члены МО\n"
         "2.2\tПодготовка к ГИА\tдо 20 мая\tЗаместитель директора Иванова Н.Н.\n")

PDF = """МИНИСТЕРСТВО ОБРАЗОВАНИЯ КЕДРОВСКОЙ ОБЛАСТИ

РЕШЕНИЕ КОЛЛЕГИИ

от 14 мая 2024 г. № 3/2

О состоянии работы по профилактике безнадзорности и пра-
вонарушений несовершеннолетних

Заслушав и обсудив информацию о состоянии работы по про-
филактике безнадзорности, коллегия министерства образования
Кедровской области
РЕШИЛА:
1. Информацию о состоянии работы по профилактике безнадзорности
принять к сведению.
2. Отделу воспитания и дополнительного образования министерства
(Лебедева О.В.) в срок до 1 сентяб-
ря 2024 года подготовить методические рекомендации по организации
профилактической работы в образовательных организациях.

- 2 -
Решение коллегии № 3/2

3. Обязать руководителей подведомственных учреждений обеспечить
выполнение мероприятий программы профилактики до 1 декабря
2024 года.
4. Рекомендовать органам местного самоуправления муниципальных
районов и городских округов Кедровской области, осуществляющим
управление в сфере образования:
4.1. организовать работу школьных служб примирения в течение
2024/2025 учебного года;
4.2. ежеквартально, до 10 числа месяца, следующего за отчетным
кварталом, представлять в министерство информацию о работе.

- 3 -
Решение коллегии № 3/2

5. Контроль за исполнением решения возложить на заместителя ми-
нистра Соколова А.В.

Председатель коллегии                             Н.Н. Белова
Секретарь коллегии                                Т.Т. Жукова
"""

UNDATED = """РЕШЕНИЕ
педагогического совета

Педагогический совет РЕШИЛ:
1. Классным руководителям провести родительские собрания до 25 октября.
2. Учителям-предметникам обеспечить выполнение рабочих программ в установленный срок.
3. Библиотекарю провести инвентаризацию фонда до 31.02.2025.
"""

DECREE = """АДМИНИСТРАЦИЯ ЛЕСНОГО МУНИЦИПАЛЬНОГО РАЙОНА
ПОСТАНОВЛЕНИЕ
от 03.04.2024 № 215-па
пос. Лесной

Об организации отдыха и оздоровления детей в 2024 году

В соответствии с Федеральным законом от 24.07.1998 № 124-ФЗ «Об основных гарантиях прав ребенка в Российской \
Федерации», администрация Лесного муниципального района ПОСТАНОВЛЯЕТ:
1. Утвердить состав районной межведомственной комиссии по организации отдыха детей (приложение 1).
2. Управлению образования администрации района (Кузьмина Т.Н.):
2.1. организовать работу лагерей с дневным пребыванием детей в период с 3 по 28 июня 2024 года;
2.2. представить отчет об итогах оздоровительной кампании до 15 сентября 2024 года.
3. Опубликовать настоящее постановление в газете «Лесные вести».
4. Настоящее постановление вступает в силу со дня его официального опубликования.
5. Контроль за исполнением настоящего постановления возложить на заместителя главы администрации района \
Николаеву Е.В.

Глава района                                              И.И. Петров

Приложение 1
к постановлению администрации
от 03.04.2024 № 215-па
СОСТАВ
районной межведомственной комиссии
1. Николаева Е.В. – заместитель главы администрации, председатель комиссии.
2. Кузьмина Т.Н. – начальник управления образования.
"""

MEETING = """ПРОТОКОЛ № 1
заседания педагогического совета
от 29 августа 2024 года
Председатель: Волкова Н.П., директор школы
Секретарь: Зайцева О.И., учитель русского языка
Присутствовали: 45 человек
Повестка дня: Утверждение плана работы школы на 2024/2025 учебный год.
СЛУШАЛИ: Орлову Т.А. о плане работы школы.
ПОСТАНОВИЛИ:
1. Информацию принять к сведению. Классным руководителям провести классные часы 2 сентября 2024 года.
2. Руководителям ШМО в срок до 1 октября 2024 года:
- обновить планы работы;
- провести инструктажи.
3. Утвердить план работы школы на 2024/2025 учебный год.
Голосовали: «за» – 45, «против» – 0.
4. Контроль оставляю за собой.
Председатель педсовета                           Н.П. Волкова
Секретарь                                        О.И. Зайцева
"""

DOCUMENTS = {"decree": DECREE, "meeting": MEETING, "order": ORDER, "protocol": PROTOCOL, "resolution": RESOLUTION,
             "letter": LETTER, "plan": PLAN,
             "table": TABLE, "pdf": PDF, "undated": UNDATED}


def rows(found: Extraction) -> list[tuple]:
    return [(a.point, a.responsible_nominative, a.action, a.deadline_kind, a.deadline, a.start)
            for a in found.assignments]


def flags(found: Extraction, path: str) -> list[str]:
    return [reason for flag_path, reason in found.flags if flag_path == path]



def test_order() -> None:
    found = extract(ORDER, "order.txt")
    assert (found.doc_type, found.title, found.number, found.date, found.place) == (
        "order", "О проведении муниципального конкурса «Лучший урок»", "77-п", date(2024, 2, 5), "Тверь")
    assert found.issuing_body == "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ"
    assert (found.signatory.position, found.signatory.name) == ("Начальник управления образования", "И.А. Кравцова")
    assert found.chair == "И.А. Кравцова"  # an order's chair is its signatory, as the gold has it
    assert rows(found) == [
        ("1", None, "Провести муниципальный конкурс «Лучший урок»", "period", date(2024, 3, 20), date(2024, 3, 1)),
        ("3.а", "Отдел общего образования (Смирнова Е.В.)", "разработать критерии оценки конкурсных работ", "by",
         date(2024, 2, 15), None),
        ("3.б", "Отдел общего образования (Смирнова Е.В.)", "обеспечивать информационное сопровождение конкурса",
         "ongoing", None, None),
        ("4", "Руководители общеобразовательных организаций", "обеспечить участие педагогов в конкурсе", "by",
         date(2024, 3, 1), None),
    ]
    assert found.assignments[3].deadline_text == "Срок: до 1 марта 2024 г."
    # the document's own acts are points, not assignments; nor is the control clause
    assert [(p.point, p.text.split()[0]) for p in found.other_points] == [("2", "Утвердить"), ("5", "Назначить")]
    # «оставляю за собой»: the signatory controls, and a person should check it
    assert {a.controller for a in found.assignments} == {"И.А. Кравцова"}
    assert flags(found, "controller")
    assert flags(found, "assignments.0.responsible") == ["Ответственный не указан."]


def test_protocol() -> None:
    found = extract(PROTOCOL, "protocol.txt")
    assert (found.doc_type, found.title, found.number, found.date, found.place) == (
        "protocol", "ПРОТОКОЛ № 5 заседания комиссии по делам несовершеннолетних", "5", date(2024, 3, 12), "Тверь")
    assert (found.chair, found.secretary) == ("Смирнов Олег Петрович", "Кузнецова Анна Сергеевна")
    assert found.participants == ["Иванов И.И.", "Петрова Мария Ивановна"]
    assert [(a.name, a.position) for a in found.attendees] == [
        ("Иванов И.И.", "начальник отдела образования"), ("Петрова Мария Ивановна", "директор МОУ СОШ № 1"),
        (None, "представители органов системы профилактики")]
    assert found.agenda == ["О подготовке к летней оздоровительной кампании", "О профилактике правонарушений"]
    assert rows(found) == [
        ("1.2", "Отдел образования (Иванов И.И.)", "подготовить план летней кампании", "by", date(2024, 4, 15), None),
        ("1.3", "Органы местного самоуправления, осуществляющие управление в сфере образования",
         "обеспечить охват детей отдыхом", "periodic", None, None),
        ("2.1", "Руководители школ", "провести профилактические беседы", "period", date(2024, 4, 30),
         date(2024, 4, 1)),
        ("2.2", "ОМВД России по г. Твери", "усилить патрулирование в вечернее время", "none", None, None),
    ]
    assert found.assignments[3].recommendation
    assert [p.text for p in found.other_points] == ["Информацию принять к сведению"]


def test_resolution_with_addressee_blocks() -> None:
    found = extract(RESOLUTION, "resolution.txt")
    assert (found.doc_type, found.status_mark, found.date) == ("resolution", "Проект", None)
    assert found.title == "РЕЗОЛЮЦИЯ августовской конференции педагогических работников"
    assert rows(found) == [
        (None, "Отдел образования, отдел культуры администрации района",
         "обеспечить проведение совместных мероприятий", "period", date(2025, 8, 31), date(2024, 9, 1)),
        (None, "Отдел образования, отдел культуры администрации района",
         "продолжить реализацию программы «Культурный норматив школьника на 2024–2026 годы»", "ongoing", None, None),
        (None, "МКУ «ИМЦ» (Соколова Е.Е.)", "организовать методическое сопровождение молодых педагогов", "none",
         None, None),
    ]
    assert [p.text for p in found.other_points] == ["Резолюция принята единогласно"]


def test_letter_requests_go_to_its_addressee() -> None:
    found = extract(LETTER, "letter.txt")
    assert (found.doc_type, found.title, found.number, found.date, found.place) == (
        "other", "Об участии в региональном конкурсе", "24-1234/24", date(2024, 10, 10), "Ярославль")
    assert found.issuing_body == "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ"
    assert flags(found, "doc_type")
    assert {a.responsible_nominative for a in found.assignments} == {
        "Руководители органов местного самоуправления, осуществляющих управление в сфере образования"}
    assert [a.action for a in found.assignments] == [
        "довести информацию до сведения руководителей образовательных организаций", "направить заявки участников"]


def test_plan_stages() -> None:
    found = extract(PLAN, "plan.txt")
    assert found.doc_type == "plan"
    assert rows(found) == [
        (None, "Отдел образования", "разработка нормативной базы наставничества", "period", date(2024, 12, 31),
         date(2024, 1, 1)),
        (None, None, "формирование базы наставников", "period", date(2024, 12, 31), date(2024, 1, 1)),
        (None, None, "проведение конкурса «Наставник года»", "period", date(2026, 12, 31), date(2025, 1, 1)),
        (None, None, "организация стажировок молодых педагогов", "period", date(2026, 12, 31), date(2025, 1, 1)),
    ]
    assert [a.deadline_text for a in found.assignments][1:3] == ["2024 год", "2025–2026 годы"]
    assert flags(found, "assignments.0.responsible") == ["Ответственный взят из скобок в конце пункта: проверьте."]


def test_table_of_measures() -> None:
    found = extract(TABLE, "table.txt")
    assert (found.doc_type, found.date, found.chair) == ("plan", date(2024, 8, 30), "Н.Н. Орлова")
    assert [(a.point, a.responsible, a.action, a.deadline_text, a.deadline_kind, a.deadline)
            for a in found.assignments] == [
        ("1.1", "Руководитель МО", "Заседание МО по утверждению плана работы", "сентябрь 2024 г.", "period",
         date(2024, 9, 30)),
        ("1.2", "Учителя-предметники", "Проведение предметной недели", "по согласованию", "none", None),
        ("2.1", "Все члены МО", "Взаимопосещение уроков", "постоянно", "ongoing", None),
        ("2.2", "Заместитель директора Иванова Н.Н.", "Подготовка к ГИА", "до 20 мая", "by", date(2025, 5, 20)),
    ]
    assert flags(found, "assignments.1.deadline") == [
        "Срок не распознан, сохранён как текст: «по согласованию». Укажите дату."]


def test_a_table_written_with_bars_reads_as_a_table() -> None:
    """The same plan exported to text with «|» between cells, a rule under the header and its sections as
    merged rows («| 1. | Организационная работа | | |»): the same assignments."""
    lines = TABLE.splitlines()
    header = lines.index("№\tСодержание работы\tСроки\tИсполнители")

    def bars(line: str) -> str:
        cells = line.split("\t")
        if len(cells) == 1:
            number, _, title = line.partition(" ")
            cells = [number, title, "", ""]
        return "| " + " | ".join(cells) + " |"

    table = [bars(line) for line in lines[header:]]
    table.insert(1, "|---|---|:---:|---|")
    piped = extract("\n".join(lines[:header] + table) + "\n", "table.txt")
    assert rows(piped) == rows(extract(TABLE, "table.txt"))
    assert len(piped.assignments) == 4

SECTIONS = """ПРОТОКОЛ
заседания рабочей группы

12 февраля 2026 г.\t№ 2

I. О реестре маршрутов
(Петров П.П.)

1. Принять к сведению информацию Петрова П.П.

2. Отделу туризма (Петров П.П.) подготовить проект порядка до 1 апреля 2026 г.

II. О кадрах
(Сидорова С.С.)

1. Рекомендовать муниципальным образованиям:
а) организовать обучение инструкторов в 2026 году;
б) представить сведения до 1 июня 2026 г.

Руководитель рабочей группы\tС.О. Аверин
"""


def test_protocol_in_roman_sections_without_a_decision_marker() -> None:
    """Questions as Roman sections, each with its decisions numbered from «1.»: the points are «I.2», «II.1.а»."""
    found = extract(SECTIONS, "sections.txt")
    assert found.doc_type == "protocol"
    assert rows(found) == [
        ("I.2", "Отдел туризма (Петров П.П.)", "подготовить проект порядка", "by", date(2026, 4, 1), None),
        ("II.1.а", "Муниципальные образования", "организовать обучение инструкторов", "period",
         date(2026, 12, 31), date(2026, 1, 1)),
        ("II.1.б", "Муниципальные образования", "представить сведения", "by", date(2026, 6, 1), None),
    ]


def test_sections_of_a_regulation_are_not_decisions() -> None:
    text = SECTIONS.replace("ПРОТОКОЛ\nзаседания рабочей группы", "ПОЛОЖЕНИЕ\nо рабочей группе")
    assert extract(text, "regulation.txt").assignments == []

def test_pdf_debris_hyphenation_and_accusative_addressees() -> None:
    found = extract(PDF, "pdf.txt")
    assert (found.doc_type, found.number, found.date) == ("decision", "3/2", date(2024, 5, 14))
    assert found.title == "О состоянии работы по профилактике безнадзорности и правонарушений несовершеннолетних"
    assert (found.chair, found.secretary) == ("Н.Н. Белова", "Т.Т. Жукова")
    assert found.controller == "заместителя министра Соколова А.В."
    assert rows(found) == [
        ("2", "Отдел воспитания и дополнительного образования министерства (Лебедева О.В.)",
         "подготовить методические рекомендации по организации профилактической работы в образовательных "
         "организациях", "by", date(2024, 9, 1), None),
        ("3", "Руководители подведомственных учреждений", "обеспечить выполнение мероприятий программы профилактики",
         "by", date(2024, 12, 1), None),
        ("4.1", "Органы местного самоуправления муниципальных районов и городских округов Кедровской области, "
                "осуществляющие управление в сфере образования", "организовать работу школьных служб примирения",
         "period", date(2025, 8, 31), date(2024, 9, 1)),
        ("4.2", "Органы местного самоуправления муниципальных районов и городских округов Кедровской области, "
                "осуществляющие управление в сфере образования", "представлять в министерство информацию о работе",
         "periodic", None, None),
    ]
    assert all(a.recommendation for a in found.assignments[2:])
    assert not any("Решение коллегии № 3/2" in a.action for a in found.assignments)


def test_never_guess_a_date() -> None:
    found = extract(UNDATED, "undated.txt")
    assert found.date is None and flags(found, "date")
    assert [(a.deadline_text, a.deadline, a.deadline_kind) for a in found.assignments] == [
        ("до 25 октября", None, "by"), ("в установленный срок", None, "by"), ("до 31.02.2025", None, "none")]
    assert all(flags(found, f"assignments.{i}.deadline") for i in range(3))
    assert found.assignments[1].responsible_nominative == "Учителя-предметники"
    # with the import's date to go by, the year is taken from it, and said
    dated = extract(UNDATED, "undated.txt", reference=date(2024, 9, 2))
    assert dated.assignments[0].deadline == date(2024, 10, 25)
    assert flags(dated, "assignments.0.deadline") == ["Год срока не указан в тексте: взят по дате документа."]


def test_decree_and_its_attachment() -> None:
    found = extract(DECREE, "decree.txt")
    assert (found.doc_type, found.number, found.date, found.place) == ("decision", "215-па", date(2024, 4, 3), "Лесной")
    assert found.title == "Об организации отдыха и оздоровления детей в 2024 году"
    assert found.issuing_body == "АДМИНИСТРАЦИЯ ЛЕСНОГО МУНИЦИПАЛЬНОГО РАЙОНА"
    assert [(a.point, a.deadline_kind) for a in found.assignments] == [("2.1", "period"), ("2.2", "by"),
                                                                       ("3", "none")]
    assert [p.point for p in found.other_points] == ["1", "4"]  # «Утвердить …», «… вступает в силу …»
    assert {a.controller for a in found.assignments} == {"заместителя главы администрации района Николаеву Е.В."}
    # the attachment after the signature holds no assignments
    assert not any("Николаева" in a.action for a in found.assignments)


def test_meeting_points_in_their_shapes() -> None:
    found = extract(MEETING, "meeting.txt")
    assert (found.doc_type, found.chair, found.secretary) == ("protocol", "Волкова Н.П.", "Зайцева О.И.")
    assert found.agenda == ["Утверждение плана работы школы на 2024/2025 учебный год"]
    assert [(a.point, a.responsible, a.action, a.deadline) for a in found.assignments] == [
        # «Информацию принять к сведению.» is a point of its own; a date ending a directive is its deadline
        ("1", "Классным руководителям", "провести классные часы", date(2024, 9, 2)),
        # a heading's deadline goes to its items, and the addressee ends where it starts
        (None, "Руководителям ШМО", "обновить планы работы", date(2024, 10, 1)),
        (None, "Руководителям ШМО", "провести инструктажи", date(2024, 10, 1)),
    ]
    assert flags(found, "assignments.0.deadline") == ["Срок взят из даты в конце пункта: проверьте."]
    assert [p.text for p in found.other_points] == [
        "Информацию принять к сведению", "Утвердить план работы школы на 2024/2025 учебный год"]
    assert found.controller == "Н.П. Волкова" and flags(found, "controller")


def test_control_split_by_points() -> None:
    text = ("ПРИКАЗ\n01.02.2024 № 5\nО мониторинге\nПРИКАЗЫВАЮ:\n"
            "1. Отделу образования провести мониторинг до 1 марта 2024 года.\n"
            "2. Школам представить сведения до 15 февраля 2024 года.\n"
            "3. Контроль за исполнением пункта 1 настоящего приказа возложить на заместителя начальника "
            "Петрову А.А., контроль за исполнением пункта 2 оставляю за собой.\n"
            "Начальник управления                         В.В. Сидоров\n")
    found = extract(text)
    assert [a.controller for a in found.assignments] == ["заместителя начальника Петрову А.А.", "В.В. Сидоров"]


def test_empty_and_unstructured_texts() -> None:
    assert extract("").assignments == [] and extract("").flags
    found = extract("Просто текст без структуры. Никаких поручений здесь нет.")
    assert found.assignments == [] and found.doc_type in DOC_TYPES


def test_as_dict_has_the_gold_schema_and_the_services_fields() -> None:
    data = extract(ORDER, "order.txt").as_dict()
    gold_keys = {"file", "doc_type", "title", "number", "date", "place", "status_mark", "chair", "secretary",
                 "participants", "agenda", "assignments"}
    assert gold_keys | {"issuing_body", "signatory", "controller", "spans", "flags"} <= set(data)
    assert set(data["assignments"][0]) >= {"point", "responsible", "responsible_nominative", "action",
                                           "deadline_text", "deadline", "start", "deadline_kind", "controller"}
    assert data["date"] == "2024-02-05" and data["assignments"][0]["start"] == "2024-03-01"
    assert data["flags"][0][0].startswith(("assignments.", "controller"))
    assert all(isinstance(span, list) and len(span) == 2 for spans in data["spans"].values() for span in spans)


def _all_samples() -> list[tuple[str, str]]:
    samples = [(path.name, path.read_text(encoding="utf-8")) for path in sorted((DATA / "seeds").glob("*.txt"))]
    samples += [(name, text) for name, text in DOCUMENTS.items()]
    return samples


def _normal(text: str) -> str:
    return re.sub(r"[\s\-–—]+", "", text).lower()


@pytest.mark.parametrize(("name", "text"), _all_samples(), ids=lambda value: value[:20] if isinstance(value, str)
                         else "")
def test_spans_point_at_what_was_extracted(name: str, text: str) -> None:
    found = extract(text, name)
    values = {"title": found.title, "number": found.number, "place": found.place, "chair": found.chair,
              "secretary": found.secretary, "issuing_body": found.issuing_body, "controller": found.controller}
    values.update({f"participants.{i}": p for i, p in enumerate(found.participants)})
    values.update({f"agenda.{i}": a for i, a in enumerate(found.agenda)})
    for index, assignment in enumerate(found.assignments):
        values[f"assignments.{index}.responsible"] = assignment.responsible
        values[f"assignments.{index}.deadline"] = assignment.deadline_text
        values[f"assignments.{index}.point"] = assignment.point
    for path, spans in found.spans.items():
        assert all(0 <= start < end <= len(text) for start, end in spans), path
        value = values.get(path)
        if value:
            marked = "".join(text[start:end] for start, end in spans)
            assert _normal(value) in _normal(marked) or _normal(marked) in _normal(value), (path, value, marked)
    for index, assignment in enumerate(found.assignments):
        marked = " ".join(text[start:end] for start, end in found.spans.get(f"assignments.{index}.action", []))
        first_words = assignment.action.split()[-3:]
        assert all(_normal(word) in _normal(marked) for word in first_words), (assignment.action, marked)
    json.dumps(found.as_dict(), ensure_ascii=False)  # storable as it is


_LINES = sorted({line for text in DOCUMENTS.values() for line in text.splitlines()})
_CHARS = "абвгдеёжзиклмнопрстуфхцчшщыьэюяАБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ0123456789 .,;:-–—«»()№\t\f\u00ad*#_"


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LINES) | st.text(alphabet=_CHARS, max_size=80), max_size=30))
def test_any_text_gives_an_extraction(lines: list[str]) -> None:
    """Lines of documents in any order, and any characters, never make extraction fail or point outside."""
    text = "\n".join(lines)
    found = extract(text)
    assert found.doc_type in DOC_TYPES
    assert all(0 <= start < end <= len(text) for spans in found.spans.values() for start, end in spans)
    json.dumps(found.as_dict(), ensure_ascii=False)


def test_the_modules_import_neither_flask_nor_the_database() -> None:
    root = Path(__file__).resolve().parents[2] / "webapp" / "ru"
    for name in ("extract", "cleanup", "directives", "requisites"):
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in modules if m and m.startswith(("flask", "sqlalchemy", "webapp"))}, name
        assert ast.get_docstring(tree), name
