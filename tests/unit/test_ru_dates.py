"""Unit tests of webapp.ru.dates: reading and printing dates the way Russian documents write them."""

from datetime import date, timedelta

import pytest

from webapp.ru.dates import DateError, format_date_long, format_date_short, parse_date, parse_day_month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.2021", date(2021, 12, 31)),
        ("31.12.2021 г.", date(2021, 12, 31)),
        ("31.12.2021г.", date(2021, 12, 31)),
        ("31.12.2021 г", date(2021, 12, 31)),
        ("31.12.2021 года", date(2021, 12, 31)),
        ("1.2.2022", date(2022, 2, 1)),
        ("2021-12-31", date(2021, 12, 31)),
        ("1 февраля 2022 года", date(2022, 2, 1)),
        ("1 февраля 2022 г.", date(2022, 2, 1)),
        ("01 февраля 2022", date(2022, 2, 1)),
        ("1 Февраля 2022 г.", date(2022, 2, 1)),
        ("«01» февраля 2022 г.", date(2022, 2, 1)),
        ("  1\u00a0февраля   2022 года ", date(2022, 2, 1)),
        ("9 мая 2023 г.", date(2023, 5, 9)),
        ("15 марта 2023 г", date(2023, 3, 15)),
        ("30 ноября 2020 год", date(2020, 11, 30)),
        ("29.02.2024", date(2024, 2, 29)),
        ("29 февраля 2024 года", date(2024, 2, 29)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_parse_date_reads_document_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.2022", "Такой даты нет: 31.02.2022"),
        ("29.02.2023", "Такой даты нет: 29.02.2023"),
        ("32.01.2022", "Такой даты нет: 32.01.2022"),
        ("01.13.2022", "Такой даты нет: 01.13.2022"),
        ("2022-13-01", "Такой даты нет: 2022-13-01"),
        ("31 апреля 2022 года", "Такой даты нет: 31 апреля 2022 года"),
        ("29 февраля 2023 г.", "Такой даты нет: 29 февраля 2023 г."),
    ],
)
def test_parse_date_rejects_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "завтра", "1 февраль 2022", "2022", "31.12.21", "1 февраля", "31/12/2021", "1 фев 2022",
        "до 01.02.2022",
    ],
)
def test_parse_date_rejects_unreadable_text(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == f"Не удалось распознать дату: {text}"


def test_parse_date_names_empty_text() -> None:
    with pytest.raises(DateError, match="^Не удалось распознать дату: пустая строка$"):
        parse_date("   ")


def test_date_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Такой даты нет"):
        parse_date("30.02.2022")


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("1 сентября", 2021, date(2021, 9, 1)),
        ("«15» января", 2022, date(2022, 1, 15)),
        ("01.09", 2021, date(2021, 9, 1)),
        ("29 февраля", 2024, date(2024, 2, 29)),
        ("1 сентября 2020 года", 2021, date(2020, 9, 1)),
    ],
)
def test_parse_day_month_takes_the_given_year(text: str, year: int, expected: date) -> None:
    assert parse_day_month(text, year) == expected


def test_parse_day_month_rejects_leap_day_of_common_year() -> None:
    with pytest.raises(DateError, match="Такой даты нет: 29 февраля"):
        parse_day_month("29 февраля", 2023)


@pytest.mark.parametrize(
    ("value", "long", "short"),
    [
        (date(2022, 2, 1), "1 февраля 2022 г.", "01.02.2022"),
        (date(2021, 12, 31), "31 декабря 2021 г.", "31.12.2021"),
        (date(2023, 5, 9), "9 мая 2023 г.", "09.05.2023"),
        (date(2024, 2, 29), "29 февраля 2024 г.", "29.02.2024"),
        (date(2020, 3, 8), "8 марта 2020 г.", "08.03.2020"),
    ],
)
def test_format_date(value: date, long: str, short: str) -> None:
    assert format_date_long(value) == long
    assert format_date_short(value) == short


@pytest.mark.parametrize("value", [date(2024, 1, 1) + timedelta(days=n) for n in range(0, 366, 11)])
def test_formatted_dates_read_back(value: date) -> None:
    assert parse_date(format_date_long(value)) == value
    assert parse_date(format_date_short(value)) == value
