"""Parsing and formatting of calendar dates as Russian official documents write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache

from babel.dates import format_date, get_month_names

LOCALE = "ru"

# Quotes around the day are how forms print a filled-in blank: «01» февраля 2022 г.
_DAY = r"[«\"“]?(?P<day>\d{1,2})[»\"”]?"
# "г" must not be the start of a longer word, or «2022 годовой» would lose a letter.
YEAR_SUFFIX = r"(?:\s*(?:года|году|год|г(?![а-яё])\.?))?"


class DateError(ValueError):
    """A date that cannot be read or does not exist; the message is meant for the user."""


@cache
def genitive_months() -> dict[str, int]:
    """Month names in the form used after a day number («1 февраля»), lower case, to month number."""
    names = get_month_names("wide", context="format", locale=LOCALE)
    return {name.lower(): number for number, name in names.items()}


@cache
def nominative_months() -> dict[str, int]:
    """Month names as used on their own («февраль 2022»), lower case, to month number."""
    names = get_month_names("wide", context="stand-alone", locale=LOCALE)
    return {name.lower(): number for number, name in names.items()}


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of the names; longer names first so that a prefix never wins."""
    return "|".join(sorted(names, key=len, reverse=True))


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    months = alternation(genitive_months())
    return (
        re.compile(rf"(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}}){YEAR_SUFFIX}"),
        re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
        re.compile(rf"{_DAY}\s+(?P<month>{months})\s+(?P<year>\d{{4}}){YEAR_SUFFIX}", re.IGNORECASE),
    )


def _normalise(text: str) -> str:
    return " ".join(text.split())


def month_number(name: str) -> int:
    """Number of a month written as a digit string or as a genitive/nominative month name."""
    if name.isdigit():
        return int(name)
    key = name.lower()
    return genitive_months().get(key) or nominative_months()[key]


def make_date(year: int, month: int, day: int, text: str) -> date:
    """Build a date, turning an impossible one into a DateError that quotes the original text."""
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(f"Такой даты нет: {text}") from None


def parse_date(text: str) -> date:
    """Read «31.12.2021», «31.12.2021 г.», «2021-12-31» or «1 февраля 2022 года»."""
    cleaned = _normalise(text)
    for pattern in _patterns():
        match = pattern.fullmatch(cleaned)
        if match:
            return make_date(
                int(match["year"]), month_number(match["month"]), int(match["day"]), cleaned
            )
    raise DateError(f"Не удалось распознать дату: {cleaned or 'пустая строка'}")


def parse_day_month(text: str, year: int) -> date:
    """Read a date that may lack its year («1 сентября», «01.09»), taking the year from the caller."""
    cleaned = _normalise(text)
    match = re.fullmatch(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})", cleaned)
    if match is None:
        months = alternation(genitive_months())
        match = re.fullmatch(rf"{_DAY}\s+(?P<month>{months})", cleaned, re.IGNORECASE)
    if match is None:
        return parse_date(cleaned)
    return make_date(year, month_number(match["month"]), int(match["day"]), cleaned)


def format_date_long(value: date) -> str:
    """«1 февраля 2022 г.», the form used in document texts."""
    return f"{format_date(value, 'd MMMM y', locale=LOCALE)} г."


def format_date_short(value: date) -> str:
    """«01.02.2022», the form used in registration stamps and tables."""
    return format_date(value, "dd.MM.yyyy", locale=LOCALE)
