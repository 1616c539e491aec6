"""Unit tests of webapp.ru.deadlines: deadline phrases of directives and the dates they stand for."""

import dataclasses
from datetime import date

import pytest

from webapp.ru.dates import MAX_YEAR, DateError
from webapp.ru.deadlines import (
    BY,
    DAY,
    FROM,
    MONTH,
    NONE,
    ONGOING,
    PERIOD,
    PERIODIC,
    WEEK,
    Deadline,
    Recurrence,
    add_working_days,
    find_deadline,
    is_ongoing_verb,
    occurrences,
    parse_deadline,
    roman_to_int,
    strip_deadline,
)

# A Tuesday in mid-year, so that neither a rolled-over year nor a weekend hides a mistake.
REFERENCE = date(2021, 6, 15)


@pytest.fixture
def reference() -> date:
    return REFERENCE


# Phrases given on their own, as a draft's deadline field or a table's «Срок» column holds them.
PHRASES = [
    ("в срок до 1 февраля 2022 года", BY, date(2022, 2, 1), None),
    ("до 01.02.2022", BY, date(2022, 2, 1), None),
    ("до 01.02.2022г.", BY, date(2022, 2, 1), None),
    ("не позднее 15 марта 2023 г.", BY, date(2023, 3, 15), None),
    ("в срок не позднее 15.03.2023", BY, date(2023, 3, 15), None),
    ("к 1 марта 2022 г.", BY, date(2022, 3, 1), None),
    ("до «01» февраля 2022 г.", BY, date(2022, 2, 1), None),
    ("до 31 декабря 2021 года (включительно)", BY, date(2021, 12, 31), None),
    ("01.02.2022", BY, date(2022, 2, 1), None),
    ("1 февраля 2022 г.", BY, date(2022, 2, 1), None),
    ("Срок: до 01.02.2022.", BY, date(2022, 2, 1), None),
    ("до конца 2022 года", BY, date(2022, 12, 31), None),
    ("до конца 2022 г.", BY, date(2022, 12, 31), None),
    ("до конца года", BY, date(2021, 12, 31), None),
    ("до конца текущего года", BY, date(2021, 12, 31), None),
    ("не позднее 2023 года", BY, date(2023, 12, 31), None),
    ("до конца I квартала 2023 года", BY, date(2023, 3, 31), None),
    ("до конца февраля 2024 года", BY, date(2024, 2, 29), None),
    ("до 1 сентября", BY, date(2021, 9, 1), None),
    ("до 01.09", BY, date(2021, 9, 1), None),
    ("незамедлительно", BY, REFERENCE, None),
    ("в течение 2023 года", PERIOD, date(2023, 12, 31), date(2023, 1, 1)),
    ("в 2023 году", PERIOD, date(2023, 12, 31), date(2023, 1, 1)),
    ("2023 год", PERIOD, date(2023, 12, 31), date(2023, 1, 1)),
    ("на 2023 год", PERIOD, date(2023, 12, 31), date(2023, 1, 1)),
    ("2015 – 2016 гг", PERIOD, date(2016, 12, 31), date(2015, 1, 1)),
    ("2015 - 2016 гг", PERIOD, date(2016, 12, 31), date(2015, 1, 1)),
    ("2015—2016 гг.", PERIOD, date(2016, 12, 31), date(2015, 1, 1)),
    ("2017-2018 гг.", PERIOD, date(2018, 12, 31), date(2017, 1, 1)),
    ("2017-2018", PERIOD, date(2018, 12, 31), date(2017, 1, 1)),
    ("в 2019 – 2020 годах", PERIOD, date(2020, 12, 31), date(2019, 1, 1)),
    ("в 2021/2022 учебном году", PERIOD, date(2022, 8, 31), date(2021, 9, 1)),
    ("в 2021-2022 учебном году", PERIOD, date(2022, 8, 31), date(2021, 9, 1)),
    ("2021/22 учебный год", PERIOD, date(2022, 8, 31), date(2021, 9, 1)),
    ("в течение учебного года", PERIOD, date(2021, 8, 31), date(2020, 9, 1)),
    ("в течение года", PERIOD, date(2021, 12, 31), date(2021, 1, 1)),
    ("в I квартале 2023 года", PERIOD, date(2023, 3, 31), date(2023, 1, 1)),
    ("в II квартале 2023 года", PERIOD, date(2023, 6, 30), date(2023, 4, 1)),
    ("в III квартале 2023 г.", PERIOD, date(2023, 9, 30), date(2023, 7, 1)),
    ("в IV квартале 2022 года", PERIOD, date(2022, 12, 31), date(2022, 10, 1)),
    ("в течение I квартала 2023 года", PERIOD, date(2023, 3, 31), date(2023, 1, 1)),
    ("в 1 квартале 2023 года", PERIOD, date(2023, 3, 31), date(2023, 1, 1)),
    ("во 2-м квартале 2023 года", PERIOD, date(2023, 6, 30), date(2023, 4, 1)),
    ("в первом квартале 2023 года", PERIOD, date(2023, 3, 31), date(2023, 1, 1)),
    ("в четвёртом квартале", PERIOD, date(2021, 12, 31), date(2021, 10, 1)),
    ("I квартал 2023 г.", PERIOD, date(2023, 3, 31), date(2023, 1, 1)),
    ("во II полугодии 2022 года", PERIOD, date(2022, 12, 31), date(2022, 7, 1)),
    ("в первом полугодии 2022 года", PERIOD, date(2022, 6, 30), date(2022, 1, 1)),
    ("в феврале 2024 года", PERIOD, date(2024, 2, 29), date(2024, 2, 1)),
    ("в мае", PERIOD, date(2021, 5, 31), date(2021, 5, 1)),
    ("февраль 2022 г.", PERIOD, date(2022, 2, 28), date(2022, 2, 1)),
    ("с 1 сентября по 31 декабря 2021 года", PERIOD, date(2021, 12, 31), date(2021, 9, 1)),
    ("с 1 сентября по 31 мая 2022 года", PERIOD, date(2022, 5, 31), date(2021, 9, 1)),
    ("с 01.09.2021 по 31.12.2021", PERIOD, date(2021, 12, 31), date(2021, 9, 1)),
    ("в период с 01.09.2021 до 31.12.2021", PERIOD, date(2021, 12, 31), date(2021, 9, 1)),
    ("01.09.2021 – 31.12.2021", PERIOD, date(2021, 12, 31), date(2021, 9, 1)),
    ("с 10 по 20 мая 2022 года", PERIOD, date(2022, 5, 20), date(2022, 5, 10)),
    ("10–20 мая 2022 г.", PERIOD, date(2022, 5, 20), date(2022, 5, 10)),
    ("с 25 по 5 июня 2022 года", PERIOD, date(2022, 6, 5), date(2022, 5, 25)),
    ("с 1 сентября 2021 года", FROM, None, date(2021, 9, 1)),
    ("начиная с 01.09.2021", FROM, None, date(2021, 9, 1)),
    ("с 2022 года", FROM, None, date(2022, 1, 1)),
    ("с сентября 2021 года", FROM, None, date(2021, 9, 1)),
    ("со II квартала 2022 года", FROM, None, date(2022, 4, 1)),
    ("в течение 10 дней", BY, date(2021, 6, 25), None),
    ("в течение 10 календарных дней", BY, date(2021, 6, 25), None),
    ("в течение 3 рабочих дней", BY, date(2021, 6, 18), None),
    ("в течение пяти рабочих дней", BY, date(2021, 6, 22), None),
    ("в течение двух недель", BY, date(2021, 6, 29), None),
    ("в течение месяца", BY, date(2021, 7, 15), None),
    ("в течение 3 дней со дня подписания настоящего приказа", BY, date(2021, 6, 18), None),
    ("в 10-дневный срок", BY, date(2021, 6, 25), None),
    ("в трехдневный срок", BY, date(2021, 6, 18), None),
    ("в месячный срок", BY, date(2021, 7, 15), None),
    ("постоянно", ONGOING, None, None),
    ("Постоянно.", ONGOING, None, None),
    ("на постоянной основе", ONGOING, None, None),
    ("в постоянном режиме", ONGOING, None, None),
    ("систематически", ONGOING, None, None),
    ("по мере необходимости", ONGOING, None, None),
    ("", NONE, None, None),
    ("Утвердить положение о конкурсе", NONE, None, None),
    ("Обеспечивать контроль за качеством питания", ONGOING, None, None),
    # Months and quarters in ranges: a period from the first day of the first to the last day of the last.
    ("март – апрель 2024 года", PERIOD, date(2024, 4, 30), date(2024, 3, 1)),
    ("в марте–апреле 2024 г.", PERIOD, date(2024, 4, 30), date(2024, 3, 1)),
    ("в марте - апреле", PERIOD, date(2021, 4, 30), date(2021, 3, 1)),
    ("с января по март 2024 года", PERIOD, date(2024, 3, 31), date(2024, 1, 1)),
    ("с сентября по май 2024 года", PERIOD, date(2024, 5, 31), date(2023, 9, 1)),
    ("с сентября 2023 года по май 2024 года", PERIOD, date(2024, 5, 31), date(2023, 9, 1)),
    ("в период с октября по декабрь", PERIOD, date(2021, 12, 31), date(2021, 10, 1)),
    ("с ноября по февраль", PERIOD, date(2022, 2, 28), date(2021, 11, 1)),
    ("в мае 2024 года", PERIOD, date(2024, 5, 31), date(2024, 5, 1)),
    ("май 2024 г.", PERIOD, date(2024, 5, 31), date(2024, 5, 1)),
    ("I–II квартал 2024 г.", PERIOD, date(2024, 6, 30), date(2024, 1, 1)),
    ("в I - III кварталах 2024 года", PERIOD, date(2024, 9, 30), date(2024, 1, 1)),
    # Academic and financial years; a financial year is the calendar year.
    ("по окончании 2023/2024 учебного года", BY, date(2024, 8, 31), None),
    ("по завершении I квартала 2024 года", BY, date(2024, 3, 31), None),
    ("после окончания 2023/2024 учебного года", FROM, None, date(2024, 9, 1)),
    ("после окончания учебного года", FROM, None, date(2021, 9, 1)),
    ("в 2023/2024 учебном году", PERIOD, date(2024, 8, 31), date(2023, 9, 1)),
    ("до начала нового учебного года", BY, date(2021, 8, 31), None),
    ("до начала учебного года", BY, date(2021, 8, 31), None),
    ("к началу 2024/2025 учебного года", BY, date(2024, 9, 1), None),
    ("в течение нового учебного года", PERIOD, date(2022, 8, 31), date(2021, 9, 1)),
    ("в 2024 финансовом году", PERIOD, date(2024, 12, 31), date(2024, 1, 1)),
    ("до конца 2024 финансового года", BY, date(2024, 12, 31), None),
    ("в течение финансового года", PERIOD, date(2021, 12, 31), date(2021, 1, 1)),
    ("до начала финансового года", BY, date(2021, 12, 31), None),
    ("до начала 2025 года", BY, date(2024, 12, 31), None),
    # The reference's month, quarter and half-year, or the next ones.
    ("до конца месяца", BY, date(2021, 6, 30), None),
    ("до конца текущего квартала", BY, date(2021, 6, 30), None),
    ("к концу полугодия", BY, date(2021, 6, 30), None),
    ("до начала следующего месяца", BY, date(2021, 6, 30), None),
    ("в течение текущего месяца", PERIOD, date(2021, 6, 30), date(2021, 6, 1)),
    ("в следующем квартале", PERIOD, date(2021, 9, 30), date(2021, 7, 1)),
    ("в текущем году", PERIOD, date(2021, 12, 31), date(2021, 1, 1)),
    ("с начала месяца", FROM, None, date(2021, 6, 1)),
    # Numbers in words, counted from the reference; working days skip Russia's public holidays.
    ("в течение десяти рабочих дней", BY, date(2021, 6, 29), None),
    ("в течение двадцати пяти дней", BY, date(2021, 7, 10), None),
    ("в течение одного месяца", BY, date(2021, 7, 15), None),
    ("в течение 2-х недель", BY, date(2021, 6, 29), None),
    ("в двухнедельный срок", BY, date(2021, 6, 29), None),
    ("в трёхмесячный срок", BY, date(2021, 9, 15), None),
    ("в десятидневный срок", BY, date(2021, 6, 25), None),
    ("в срок не более 10 рабочих дней", BY, date(2021, 6, 29), None),
    ("не позднее 5 рабочих дней со дня подписания настоящего приказа", BY, date(2021, 6, 22), None),
    ("через месяц", BY, date(2021, 7, 15), None),
    ("за 5 рабочих дней до 1 марта 2022 года", BY, date(2022, 2, 21), None),
    ("не позднее чем за 10 дней до 1 сентября", BY, date(2021, 8, 22), None),
    # A day of the month on its own is the next such day (the reference's, if not past).
    ("не позднее пятнадцатого числа", BY, date(2021, 6, 15), None),
    ("не позднее пятнадцатого декабря 2023 года", BY, date(2023, 12, 15), None),
    ("до тридцать первого декабря", BY, date(2021, 12, 31), None),
    ("с первого сентября 2024 года", FROM, None, date(2024, 9, 1)),
    ("до 5 числа", BY, date(2021, 7, 5), None),
    ("до 31 числа", BY, date(2021, 6, 30), None),
    # A label before any of them.
    ("срок исполнения – 15 марта 2023 г.", BY, date(2023, 3, 15), None),
    ("срок исполнения 15 марта 2023 г.", BY, date(2023, 3, 15), None),
    ("Срок: II квартал", PERIOD, date(2021, 6, 30), date(2021, 4, 1)),
    ("Срок исполнения: до 01.04.2024", BY, date(2024, 4, 1), None),
    ("срок – постоянно", ONGOING, None, None),
    ("Срок: в течение года", PERIOD, date(2021, 12, 31), date(2021, 1, 1)),
    ("Срок представления отчета: до 1 марта", BY, date(2022, 3, 1), None),
    ("Сроки проведения: март – апрель 2024 г.", PERIOD, date(2024, 4, 30), date(2024, 3, 1)),
    # Standing duties as before.
    ("по мере поступления", ONGOING, None, None),
    ("по мере поступления обращений", ONGOING, None, None),
    # Results of a period name what a report covers, not when it is due.
    ("по итогам 2024 года", NONE, None, None),
]


@pytest.mark.parametrize(("text", "kind", "due", "start"), PHRASES)
def test_parse_deadline(text: str, kind: str, due: date | None, start: date | None, reference: date) -> None:
    deadline = parse_deadline(text, reference)
    assert (deadline.kind, deadline.due, deadline.start) == (kind, due, start)
    assert deadline.recurrence is None
    assert deadline.anchor is None
    assert not deadline.unrecognised


@pytest.mark.parametrize("space", ["\n", "\r\n", " \n  ", "\u00a0", "\t"])
@pytest.mark.parametrize(("text", "kind", "due", "start"), PHRASES)
def test_line_breaks_inside_a_phrase_do_not_break_it(
    text: str, kind: str, due: date | None, start: date | None, space: str, reference: date
) -> None:
    """Text extracted from DOCX and PDF breaks lines inside phrases: «в срок до 1\nфевраля 2024 года»."""
    deadline = parse_deadline(text.replace(" ", space), reference)
    assert (deadline.kind, deadline.due, deadline.start) == (kind, due, start)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("в срок до 1 февраля 2022 года", "в срок до 1 февраля 2022 года"),
        ("Срок: до 01.02.2022.", "до 01.02.2022"),
        ("Срок исполнения – 2015 – 2016 гг", "2015 – 2016 гг"),
        ("постоянно.", "постоянно"),
        ("Обеспечивать контроль", ""),
        ("", ""),
    ],
)
def test_parse_deadline_keeps_the_phrase_as_written(text: str, phrase: str, reference: date) -> None:
    assert parse_deadline(text, reference).text == phrase


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("ежеквартально", (Recurrence(MONTH, months=(3, 6, 9, 12)),)),
        ("Ежеквартально", (Recurrence(MONTH, months=(3, 6, 9, 12)),)),
        ("ежемесячно", (Recurrence(MONTH),)),
        ("ежегодно", (Recurrence(MONTH, months=(12,)),)),
        ("ежеполугодно", (Recurrence(MONTH, months=(6, 12)),)),
        ("раз в полгода", (Recurrence(MONTH, months=(6, 12)),)),
        ("1 раз в квартал", (Recurrence(MONTH, months=(3, 6, 9, 12)),)),
        ("2 раза в год (май, декабрь)", (Recurrence(MONTH, months=(5, 12)),)),
        ("два раза в год (май и декабрь)", (Recurrence(MONTH, months=(5, 12)),)),
        ("2 раза в год", (Recurrence(MONTH, months=(6, 12)),)),
        ("4 раза в год", (Recurrence(MONTH, months=(3, 6, 9, 12)),)),
        ("ежегодно в декабре", (Recurrence(MONTH, months=(12,)),)),
        ("ежегодно до 1 февраля", (Recurrence(MONTH, months=(2,), day=1),)),
        ("ежегодно, в срок до 20 января", (Recurrence(MONTH, months=(1,), day=20),)),
        ("ежемесячно до 5 числа", (Recurrence(MONTH, day=5),)),
        ("ежемесячно, до 25-го числа", (Recurrence(MONTH, day=25),)),
        ("до 5 числа каждого месяца", (Recurrence(MONTH, day=5),)),
        ("до 10 числа месяца, следующего за отчетным", (Recurrence(MONTH, day=10),)),
        (
            "до 15 числа месяца, следующего за отчётным кварталом",
            (Recurrence(MONTH, months=(1, 4, 7, 10), day=15),),
        ),
        (
            "ежеквартально до 5 числа месяца, следующего за отчетным кварталом",
            (Recurrence(MONTH, months=(1, 4, 7, 10), day=5),),
        ),
        ("ежеквартально до 5 числа", (Recurrence(MONTH, months=(1, 4, 7, 10), day=5),)),
        (
            "ежеквартально до 25 числа последнего месяца квартала",
            (Recurrence(MONTH, months=(3, 6, 9, 12), day=25),),
        ),
        (
            "до 15 числа месяца, следующего за отчетным полугодием",
            (Recurrence(MONTH, months=(1, 7), day=15),),
        ),
        ("до 20 января года, следующего за отчетным", (Recurrence(MONTH, months=(1,), day=20),)),
        ("2 раза в месяц", (Recurrence(MONTH, day=15), Recurrence(MONTH))),
        ("еженедельно", (Recurrence(WEEK, weekday=4),)),
        ("еженедельно по понедельникам", (Recurrence(WEEK, weekday=0),)),
        ("еженедельно в среду", (Recurrence(WEEK, weekday=2),)),
        ("ежедневно", (Recurrence(DAY),)),
    ],
)
def test_parse_deadline_recurring(text: str, rules: tuple[Recurrence, ...], reference: date) -> None:
    deadline = parse_deadline(text, reference)
    assert deadline == Deadline(PERIODIC, text=text, recurrence=rules)


@pytest.mark.parametrize(
    ("reference", "due"),
    [
        (date(2021, 6, 15), date(2021, 9, 1)),
        (date(2021, 9, 1), date(2021, 9, 1)),
        (date(2021, 10, 1), date(2022, 9, 1)),
    ],
)
def test_date_without_year_is_the_next_one_after_the_reference(reference: date, due: date) -> None:
    assert parse_deadline("до 1 сентября", reference).due == due


def test_date_without_year_in_a_december_order_falls_next_year() -> None:
    assert parse_deadline("до 15 января", date(2021, 12, 20)).due == date(2022, 1, 15)


@pytest.mark.parametrize("read", [parse_deadline, find_deadline, strip_deadline])
def test_the_reference_day_is_always_given(read) -> None:
    """This module reads no clock: a missing year comes from the document's date the caller passes."""
    with pytest.raises(TypeError):
        read("до 1 сентября")


@pytest.mark.parametrize("text", ["до 31.02.2022", "31.02.2022", "в срок до 29 февраля 2023 года"])
def test_impossible_date_is_an_error(text: str, reference: date) -> None:
    with pytest.raises(DateError, match="^Такой даты нет: "):
        parse_deadline(text, reference)


def test_impossible_date_in_a_sentence_is_an_error(reference: date) -> None:
    with pytest.raises(DateError, match="Такой даты нет: 31.02.2022"):
        find_deadline("Представить отчет до 31.02.2022.", reference)


@pytest.mark.parametrize(
    "text",
    [
        "в V квартале 2023 года", "в III полугодии 2023 года", "2018-2017 гг.",
        "по итогам I квартала 2023 года",
    ],
)
def test_impossible_or_unmarked_periods_are_not_deadlines(text: str, reference: date) -> None:
    assert parse_deadline(text, reference).kind == NONE


@pytest.mark.parametrize(
    ("sentence", "kind", "due", "start", "phrase"),
    [
        (
            "Создать структуру управления проектом в срок до 1 февраля 2022 года.",
            BY, date(2022, 2, 1), None, "в срок до 1 февраля 2022 года",
        ),
        (
            "Обеспечить до 1 февраля 2022 года проведение мониторинга.",
            BY, date(2022, 2, 1), None, "до 1 февраля 2022 года",
        ),
        (
            "Представить отчет по итогам I квартала 2023 года до 10 апреля 2023 года.",
            BY, date(2023, 4, 10), None, "до 10 апреля 2023 года",
        ),
        (
            "Руководителям ОО обеспечить участие педагогов в курсах с 01.09.2021 по 31.12.2021.",
            PERIOD, date(2021, 12, 31), date(2021, 9, 1), "с 01.09.2021 по 31.12.2021",
        ),
        ("1 этап: 2015 – 2016 гг", PERIOD, date(2016, 12, 31), date(2015, 1, 1), "2015 – 2016 гг"),
        ("2 этап: 2017-2018 гг.", PERIOD, date(2018, 12, 31), date(2017, 1, 1), "2017-2018 гг."),
        (
            "Провести в 2021–2022 учебном году конкурс профессионального мастерства.",
            PERIOD, date(2022, 8, 31), date(2021, 9, 1), "в 2021–2022 учебном году",
        ),
        ("Представить отчет. Срок: 01.02.2022.", BY, date(2022, 2, 1), None, "01.02.2022"),
        (
            "Провести конкурс в период с 10 по 20 мая 2022 года.",
            PERIOD, date(2022, 5, 20), date(2022, 5, 10), "в период с 10 по 20 мая 2022 года",
        ),
        (
            "Перейти на новые программы с 1 сентября 2021 года.",
            FROM, None, date(2021, 9, 1), "с 1 сентября 2021 года",
        ),
        (
            "Провести совещание в мае 2022 года.",
            PERIOD, date(2022, 5, 31), date(2022, 5, 1), "в мае 2022 года",
        ),
        (
            "Информацию представлять ежеквартально до 10 числа месяца, следующего за отчетным кварталом.",
            PERIODIC, None, None, "ежеквартально до 10 числа месяца, следующего за отчетным кварталом",
        ),
        (
            "Осуществлять мониторинг на постоянной основе.",
            ONGOING, None, None, "на постоянной основе",
        ),
        ("Оказывать методическую помощь школам.", ONGOING, None, None, ""),
        ("Продолжить работу по внедрению ФГОС.", ONGOING, None, None, ""),
        ("Не допускать нарушений порядка проведения экзаменов.", ONGOING, None, None, ""),
        ("Рекомендовать руководителям обеспечивать участие педагогов.", ONGOING, None, None, ""),
        ("Рекомендовать руководителям обеспечить участие педагогов.", NONE, None, None, ""),
        ("Создать постоянно действующую комиссию.", NONE, None, None, ""),
        ("Утвердить план мероприятий на 2023 год.", NONE, None, None, ""),
        ("Представить предложения в план работы на 2026/2027 учебный год.", NONE, None, None, ""),
        ("Утвердить программу развития на 2024–2028 годы.", NONE, None, None, ""),
        ("В соответствии с приказом от 01.02.2022 № 15 провести проверку.", NONE, None, None, ""),
        ("Контроль за исполнением настоящего приказа оставляю за собой.", NONE, None, None, ""),
    ],
)
def test_find_deadline_in_a_directive(
    sentence: str, kind: str, due: date | None, start: date | None, phrase: str, reference: date
) -> None:
    deadline = find_deadline(sentence, reference)
    assert (deadline.kind, deadline.due, deadline.start, deadline.text) == (kind, due, start, phrase)


@pytest.mark.parametrize(
    ("sentence", "stripped"),
    [
        (
            "Создать структуру управления проектом в срок до 1 февраля 2022 года.",
            "Создать структуру управления проектом.",
        ),
        ("Обеспечить до 1 февраля 2022 года проведение мониторинга.", "Обеспечить проведение мониторинга."),
        ("Провести мониторинг, срок – до 1 февраля 2022 г.", "Провести мониторинг."),
        ("Провести мониторинг. Срок исполнения: до 01.02.2022", "Провести мониторинг."),
        ("Провести, в срок до 1 февраля 2022 г., мониторинг.", "Провести мониторинг."),
        ("Организовать работу (срок – до 1 марта 2022 г.), назначить ответственных.",
         "Организовать работу, назначить ответственных."),
        ("Представлять отчет (ежеквартально).", "Представлять отчет."),
        ("Ежеквартально, до 5 числа, представлять отчет.", "Представлять отчет."),
        (
            "Отчет представлять ежеквартально до 10 числа месяца, следующего за отчетным кварталом, в отдел.",
            "Отчет представлять в отдел.",
        ),
        ("1 этап: 2015 – 2016 гг", "1 этап"),
        ("Представить отчет. Срок: 01.02.2022.", "Представить отчет."),
        ("Провести мониторинг. Срок – до 1 февраля 2022 г.", "Провести мониторинг."),
        ("Представлять отчет ежеквартально в течение 2022 года.", "Представлять отчет."),
        ("С 1 сентября 2021 года ежемесячно представлять отчет.", "Представлять отчет."),
        ("Срок исполнения: в течение 2022 года.", ""),
        ("Представить отчет до 31.02.2022.", "Представить отчет."),
        ("Утвердить положение о конкурсе.", "Утвердить положение о конкурсе."),
        ("Оказывать методическую помощь.", "Оказывать методическую помощь."),
    ],
)
def test_strip_deadline(sentence: str, stripped: str, reference: date) -> None:
    assert strip_deadline(sentence, reference) == stripped


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        (
            "ежеквартально", date(2022, 1, 1), date(2022, 12, 31),
            [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)],
        ),
        (
            "до 15 числа месяца, следующего за отчётным кварталом", date(2022, 1, 1), date(2022, 12, 31),
            [date(2022, 1, 15), date(2022, 4, 15), date(2022, 7, 15), date(2022, 10, 15)],
        ),
        (
            "до 15 числа месяца, следующего за отчётным кварталом", date(2022, 2, 1), date(2023, 1, 31),
            [date(2022, 4, 15), date(2022, 7, 15), date(2022, 10, 15), date(2023, 1, 15)],
        ),
        (
            "2 раза в год (май, декабрь)", date(2022, 1, 1), date(2022, 12, 31),
            [date(2022, 5, 31), date(2022, 12, 31)],
        ),
        (
            "ежемесячно", date(2024, 1, 1), date(2024, 4, 30),
            [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)],
        ),
        (
            "ежемесячно", date(2022, 1, 15), date(2022, 3, 15),
            [date(2022, 1, 31), date(2022, 2, 28)],
        ),
        ("ежегодно", date(2021, 6, 1), date(2023, 12, 30), [date(2021, 12, 31), date(2022, 12, 31)]),
        ("ежегодно до 1 февраля", date(2021, 6, 1), date(2023, 6, 1), [date(2022, 2, 1), date(2023, 2, 1)]),
        (
            "до 30 числа каждого месяца", date(2023, 1, 1), date(2023, 3, 31),
            [date(2023, 1, 30), date(2023, 2, 28), date(2023, 3, 30)],
        ),
        (
            "еженедельно", date(2022, 1, 1), date(2022, 1, 31),
            [date(2022, 1, 7), date(2022, 1, 14), date(2022, 1, 21), date(2022, 1, 28)],
        ),
        (
            "еженедельно по понедельникам", date(2022, 1, 1), date(2022, 1, 12),
            [date(2022, 1, 3), date(2022, 1, 10)],
        ),
        (
            "ежедневно", date(2022, 1, 30), date(2022, 2, 1),
            [date(2022, 1, 30), date(2022, 1, 31), date(2022, 2, 1)],
        ),
        ("до 01.02.2022", date(2022, 1, 1), date(2022, 12, 31), [date(2022, 2, 1)]),
        ("до 01.02.2022", date(2022, 3, 1), date(2022, 12, 31), []),
        ("постоянно", date(2022, 1, 1), date(2022, 12, 31), []),
        ("ежеквартально", date(2022, 4, 1), date(2022, 6, 29), []),
    ],
)
def test_occurrences(text: str, start: date, end: date, expected: list[date], reference: date) -> None:
    assert occurrences(parse_deadline(text, reference), start, end) == expected


@pytest.mark.parametrize(
    ("sentence", "start", "due", "phrase"),
    [
        (
            "Представлять отчет ежеквартально в течение 2022 года.",
            date(2022, 1, 1), date(2022, 12, 31), "ежеквартально в течение 2022 года",
        ),
        (
            "С 1 сентября 2021 года ежемесячно представлять отчет.",
            date(2021, 9, 1), None, "С 1 сентября 2021 года ежемесячно",
        ),
        (
            "Ежегодно до 1 февраля, начиная с 2022 года, направлять сведения.",
            date(2022, 1, 1), None, "Ежегодно до 1 февраля, начиная с 2022 года",
        ),
    ],
)
def test_recurring_duty_bounded_by_a_period(
    sentence: str, start: date, due: date | None, phrase: str, reference: date
) -> None:
    deadline = find_deadline(sentence, reference)
    assert (deadline.kind, deadline.start, deadline.due, deadline.text) == (PERIODIC, start, due, phrase)


def test_occurrences_stay_within_the_duty_period(reference: date) -> None:
    deadline = find_deadline("Представлять отчет ежеквартально в течение 2022 года.", reference)
    assert occurrences(deadline, date(2021, 1, 1), date(2023, 12, 31)) == [
        date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31),
    ]
    started = find_deadline("С 1 сентября 2021 года ежемесячно представлять отчет.", reference)
    expected = [date(2021, 9, 30), date(2021, 10, 31)]
    assert occurrences(started, date(2021, 1, 1), date(2021, 10, 31)) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("обеспечивать", True),
        ("Обеспечивать контроль за питанием", True),
        ("оказывать методическую помощь", True),
        ("продолжить работу", True),
        ("Продолжать работу", True),
        ("осуществлять мониторинг", True),
        ("не допускать нарушений", True),
        ("Руководителям школ обеспечивать участие", True),
        ("Рекомендовать руководителям проводить родительские собрания", True),
        ("Рекомендовать руководителям провести родительские собрания", False),
        ("обеспечить", False),
        ("Утвердить положение", False),
        ("Провести мониторинг", False),
        ("Организовать работу", False),
        ("Использовать в работе", False),
        ("Контроль оставляю за собой", False),
        ("", False),
    ],
)
def test_is_ongoing_verb(action: str, expected: bool) -> None:
    assert is_ongoing_verb(action) is expected


@pytest.mark.parametrize(
    ("numeral", "value"), [("I", 1), ("II", 2), ("III", 3), ("IV", 4), ("iv", 4), ("IX", 9)]
)
def test_roman_to_int(numeral: str, value: int) -> None:
    assert roman_to_int(numeral) == value


def test_add_working_days_skips_weekends() -> None:
    friday = date(2022, 1, 7)
    assert add_working_days(friday, 1) == date(2022, 1, 10)
    assert add_working_days(friday, 5) == date(2022, 1, 14)


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        (date(2024, 4, 26), 1, date(2024, 4, 27)),  # a Saturday moved to work by the 2024 decree
        (date(2024, 4, 26), 5, date(2024, 5, 7)),  # 29–30 April off (moved), 1 May a holiday
        (date(2024, 5, 8), 1, date(2024, 5, 13)),  # 9 May a holiday, 10 May off (moved from 6 January)
        (date(2023, 12, 29), 1, date(2024, 1, 9)),  # the New Year holidays
        (date(2021, 6, 11), 1, date(2021, 6, 15)),  # 12 June fell on a Saturday: Monday 14 June off
        (date(2021, 12, 31), 0, date(2021, 12, 31)),
        (date(2100, 12, 30), 3, date(2101, 1, 4)),  # beyond MAX_YEAR weekdays only, as outside any calendar
    ],
)
def test_add_working_days_skips_russian_public_holidays(start: date, count: int, due: date) -> None:
    assert add_working_days(start, count) == due


@pytest.mark.parametrize(
    ("text", "reference", "due"),
    [
        ("в течение 5 рабочих дней", date(2024, 4, 26), date(2024, 5, 7)),
        ("в течение 3 рабочих дней", date(2023, 12, 28), date(2024, 1, 10)),
        ("за 3 рабочих дня до 10 января 2024 года", date(2023, 12, 1), date(2023, 12, 28)),
    ],
)
def test_working_days_in_phrases_skip_holidays(text: str, reference: date, due: date) -> None:
    assert parse_deadline(text, reference).due == due


def test_deadline_is_frozen(reference: date) -> None:
    deadline = parse_deadline("до 01.02.2022", reference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.due = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("sentence", "kind", "due", "start", "phrase"),
    [
        ("Провести мониторинг. Срок: II квартал.", PERIOD, date(2021, 6, 30), date(2021, 4, 1), "II квартал"),
        ("Провести мониторинг, срок – постоянно.", ONGOING, None, None, "постоянно"),
        ("Провести мониторинг. Срок: в течение года.", PERIOD, date(2021, 12, 31), date(2021, 1, 1),
         "в течение года"),
        ("Организовать работу (срок – I квартал 2024 г.), назначить ответственных.",
         PERIOD, date(2024, 3, 31), date(2024, 1, 1), "I квартал 2024 г."),
        ("Представить отчет. Срок исполнения поручения – 1 марта 2022 г.", BY, date(2022, 3, 1), None,
         "1 марта 2022 г."),
        ("Провести конкурс в марте–апреле 2024 г.", PERIOD, date(2024, 4, 30), date(2024, 3, 1),
         "в марте–апреле 2024 г."),
        ("Организовать летнюю кампанию с июня по август 2024 года.", PERIOD, date(2024, 8, 31), date(2024, 6, 1),
         "с июня по август 2024 года"),
        ("Обеспечить подготовку школ к началу учебного года.", BY, date(2021, 9, 1), None,
         "к началу учебного года"),
        ("Провести заседание комиссии до конца месяца.", BY, date(2021, 6, 30), None, "до конца месяца"),
        ("Представить справку по окончании 2023/2024 учебного года.", BY, date(2024, 8, 31), None,
         "по окончании 2023/2024 учебного года"),
        ("Разместить настоящий приказ на сайте в течение 3 рабочих дней со дня его подписания.", BY,
         date(2021, 6, 18), None, "в течение 3 рабочих дней со дня его подписания"),
        ("Подготовить доклад к заседанию комиссии 18.04.2024, представить отчет.", BY, date(2024, 4, 18), None,
         "к заседанию комиссии 18.04.2024"),
        ("Доложить к заседанию межведомственной комиссии 18 апреля 2024 года.", BY, date(2024, 4, 18), None,
         "к заседанию межведомственной комиссии 18 апреля 2024 года"),
        ("Создать структуру в срок до 1\nфевраля 2022 года.", BY, date(2022, 2, 1), None,
         "в срок до 1\nфевраля 2022 года"),
        # A dated phrase wins over one hanging on an event.
        ("Представить отчет по итогам 2024 финансового года до 1 марта 2025 года.", BY, date(2025, 3, 1), None,
         "до 1 марта 2025 года"),
        ("Внести изменения после утверждения бюджета до 1 марта 2022 года.", BY, date(2022, 3, 1), None,
         "до 1 марта 2022 года"),
        # A day of the month alone: every month's after a standing verb, else the next one.
        ("Отчет представлять до 5 числа.", PERIODIC, None, None, "до 5 числа"),
        ("Отчет представить до 5 числа.", BY, date(2021, 7, 5), None, "до 5 числа"),
        ("Рассматривать обращения по мере поступления.", ONGOING, None, None, "по мере поступления"),
        ("Довести до конца работу по инвентаризации.", NONE, None, None, ""),
        ("Подготовить материалы к совещанию у главы района.", NONE, None, None, ""),
        ("Установить срок действия договора - 1 год.", NONE, None, None, ""),
    ],
)
def test_find_deadline_new_forms(
    sentence: str, kind: str, due: date | None, start: date | None, phrase: str, reference: date
) -> None:
    deadline = find_deadline(sentence, reference)
    assert (deadline.kind, deadline.due, deadline.start, deadline.text) == (kind, due, start, phrase)
    assert not deadline.needs_check


@pytest.mark.parametrize(
    ("text", "phrase", "anchor"),
    [
        ("к следующему заседанию комиссии", "к следующему заседанию комиссии", "к следующему заседанию комиссии"),
        ("до очередного заседания", "до очередного заседания", "до очередного заседания"),
        ("на очередном заседании комиссии", "на очередном заседании комиссии", "на очередном заседании комиссии"),
        ("к заседанию коллегии", "к заседанию коллегии", "к заседанию коллегии"),
        ("после утверждения бюджета", "после утверждения бюджета", "после утверждения бюджета"),
        ("после прохождения ими обучения", "после прохождения ими обучения", "после прохождения ими обучения"),
        ("по мере поступления средств", "по мере поступления средств", "по мере поступления средств"),
        ("по мере готовности", "по мере готовности", "по мере готовности"),
        ("по итогам 2024 финансового года", "по итогам 2024 финансового года", "по итогам 2024 финансового года"),
        ("до окончания срока действия договора", "до окончания срока действия договора",
         "до окончания срока действия договора"),
        ("к началу отопительного сезона", "к началу отопительного сезона", "к началу отопительного сезона"),
        ("по окончании обучения", "по окончании обучения", "по окончании обучения"),
        ("в установленные сроки", "в установленные сроки", "в установленные сроки"),
        ("в сроки, установленные планом мероприятий", "в сроки, установленные планом мероприятий",
         "в сроки, установленные планом мероприятий"),
        ("в течение месяца после вступления в силу", "в течение месяца после вступления в силу",
         "после вступления в силу"),
        ("в течение 5 дней со дня получения запроса", "в течение 5 дней со дня получения запроса",
         "со дня получения запроса"),
        ("в течение 10 рабочих дней с момента поступления заявления",
         "в течение 10 рабочих дней с момента поступления заявления", "с момента поступления заявления"),
        ("в 10-дневный срок после утверждения плана", "в 10-дневный срок после утверждения плана",
         "после утверждения плана"),
        # «его» is this document's only where the sentence names it: here it may be anything.
        ("в течение 3 рабочих дней со дня его подписания", "в течение 3 рабочих дней со дня его подписания",
         "со дня его подписания"),
        ("не позднее чем за 10 дней до заседания", "не позднее чем за 10 дней до заседания",
         "не позднее чем за 10 дней до заседания"),
        ("Срок исполнения: после утверждения бюджета.", "после утверждения бюджета", "после утверждения бюджета"),
        # Only the words naming the event: a verb or a preposition ends them.
        ("к заседанию комиссии по делам несовершеннолетних", "к заседанию комиссии", "к заседанию комиссии"),
    ],
)
def test_a_date_that_hangs_on_an_event_is_not_guessed(text: str, phrase: str, anchor: str, reference: date) -> None:
    deadline = parse_deadline(text, reference)
    assert (deadline.kind, deadline.due, deadline.start) == (BY, None, None)
    assert (deadline.text, deadline.anchor) == (phrase, anchor)
    assert deadline.needs_check and not deadline.unrecognised


@pytest.mark.parametrize(
    ("sentence", "phrase", "anchor", "stripped"),
    [
        ("Подготовить доклад к следующему заседанию комиссии.", "к следующему заседанию комиссии",
         "к следующему заседанию комиссии", "Подготовить доклад."),
        ("Внести изменения в положение после утверждения бюджета муниципального образования.",
         "после утверждения бюджета муниципального образования",
         "после утверждения бюджета муниципального образования", "Внести изменения в положение."),
        ("Выплатить компенсацию по мере поступления средств.", "по мере поступления средств",
         "по мере поступления средств", "Выплатить компенсацию."),
        ("Организовать работу после окончания ремонта, представить отчет.", "после окончания ремонта",
         "после окончания ремонта", "Организовать работу, представить отчет."),
        ("Направить заявку не позднее чем за 10 дней до начала мероприятия.",
         "не позднее чем за 10 дней до начала мероприятия", "не позднее чем за 10 дней до начала мероприятия",
         "Направить заявку."),
        ("Разместить положение на сайте в течение пяти дней после его утверждения.",
         "в течение пяти дней после его утверждения", "после его утверждения", "Разместить положение на сайте."),
    ],
)
def test_event_in_a_sentence(sentence: str, phrase: str, anchor: str, stripped: str, reference: date) -> None:
    deadline = find_deadline(sentence, reference)
    assert (deadline.kind, deadline.due, deadline.text, deadline.anchor) == (BY, None, phrase, anchor)
    assert strip_deadline(sentence, reference) == stripped


@pytest.mark.parametrize(
    ("text", "words", "stripped"),
    [
        ("Срок: по согласованию", "по согласованию", ""),
        ("срок – по согласованию с министерством.", "по согласованию с министерством", ""),
        ("Провести мониторинг. Срок: по согласованию.", "по согласованию", "Провести мониторинг."),
        ("Провести мониторинг, срок: по согласованию; назначить ответственных.", "по согласованию",
         "Провести мониторинг; назначить ответственных."),
        ("Срок: по согласованию с министерством, ответственный Иванов", "по согласованию с министерством",
         "Ответственный Иванов"),
        ("Срок исполнения: в ближайшее время", "в ближайшее время", ""),
        ("Срок: Обеспечивать контроль", "Обеспечивать контроль", ""),
    ],
)
def test_words_after_a_label_that_do_not_read_are_kept_unrecognised(
    text: str, words: str, stripped: str, reference: date
) -> None:
    for deadline in (parse_deadline(text, reference), find_deadline(text, reference)):
        assert (deadline.kind, deadline.due, deadline.start, deadline.text) == (NONE, None, None, words)
        assert deadline.unrecognised and deadline.needs_check and deadline.anchor is None
    assert strip_deadline(text, reference) == stripped


def test_a_label_is_stripped_from_the_start_only(reference: date) -> None:
    text = "Провести проверку, срок исполнения поручения – до 1 марта 2022 г."
    assert parse_deadline(text, reference).text == "до 1 марта 2022 г."
    assert strip_deadline(text, reference) == "Провести проверку."


@pytest.mark.parametrize("text", ["по согласованию", "Утвердить положение", "Срок:", "Срок действия приказа"])
def test_without_a_label_nothing_is_marked_unrecognised(text: str, reference: date) -> None:
    deadline = parse_deadline(text, reference)
    assert (deadline.kind, deadline.unrecognised, deadline.needs_check) == (NONE, False, False)


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("ежемесячно не позднее пятнадцатого числа", (Recurrence(MONTH, day=15),)),
        ("до двадцать пятого числа каждого месяца", (Recurrence(MONTH, day=25),)),
        ("ежеквартально до двадцатого числа месяца, следующего за отчетным кварталом",
         (Recurrence(MONTH, months=(1, 4, 7, 10), day=20),)),
        ("два раза в год (май и декабрь)", (Recurrence(MONTH, months=(5, 12)),)),
        ("не реже одного раза в квартал", (Recurrence(MONTH, months=(3, 6, 9, 12)),)),
        ("не реже одного раза в четверть", (Recurrence(MONTH, months=(3, 5, 10, 12)),)),
        ("по четвертям", (Recurrence(MONTH, months=(3, 5, 10, 12)),)),
    ],
)
def test_numbers_in_words_in_recurring_duties(text: str, rules: tuple[Recurrence, ...], reference: date) -> None:
    assert parse_deadline(text, reference) == Deadline(PERIODIC, text=text, recurrence=rules)


@pytest.mark.parametrize(
    ("sentence", "stripped"),
    [
        ("Провести мониторинг в марте - апреле 2024 года.", "Провести мониторинг."),
        ("Провести ремонт до начала нового учебного года.", "Провести ремонт."),
        ("Провести проверку, срок проведения проверки: II квартал 2022 г., ответственный – Иванов.",
         "Провести проверку, ответственный – Иванов."),
        ("Провести мониторинг, срок – до 1 февраля 2022 г., назначить ответственных.",
         "Провести мониторинг, назначить ответственных."),
        ("Представить отчет. Срок исполнения поручения – 1 марта 2022 г.", "Представить отчет."),
        ("Представлять сведения в течение 5 дней после окончания отчетного месяца.", "Представлять сведения."),
        ("Создать структуру в срок до 1\nфевраля 2022 года.", "Создать структуру."),
    ],
)
def test_strip_deadline_new_forms(sentence: str, stripped: str, reference: date) -> None:
    assert strip_deadline(sentence, reference) == stripped


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("в 0000 году", "^Дата вне допустимого диапазона"),
        ("0000-0001 гг.", "^Дата вне допустимого диапазона"),
        ("в течение 99999999 рабочих дней", "^Дата вне допустимого диапазона"),
        ("за 99999999 рабочих дней до 1 марта 2022 года", "^Дата вне допустимого диапазона"),
        ("в течение 999999 месяцев", "^Дата вне допустимого диапазона"),
        (f"с января по март {MAX_YEAR + 1} года", "^Дата вне допустимого диапазона"),
        ("до 0 числа каждого месяца", "^Такой даты нет: "),
        ("ежемесячно до 45 числа", "^Такой даты нет: "),
        ("не позднее тридцать девятого числа", "^Такой даты нет: "),
        ("до тридцать девятого декабря", "^Такой даты нет: тридцать девятого декабря$"),
    ],
)
def test_impossible_dates_in_the_new_forms_are_date_errors(text: str, message: str, reference: date) -> None:
    with pytest.raises(DateError, match=message):
        parse_deadline(text, reference)


def test_letters_that_only_fold_to_ours_are_read_or_ignored(reference: date) -> None:
    """A case-insensitive pattern matches «İ» as «I» and «ᲀ» (an old «в») as «в»; the dictionaries must too."""
    assert parse_deadline("İ квартал", reference).due == date(2021, 3, 31)
    assert parse_deadline("до 1 феᲀраля 2022 года", reference).due == date(2022, 2, 1)
    assert parse_deadline("ᲀ феᲀрале 2022 года", reference).due == date(2022, 2, 28)
