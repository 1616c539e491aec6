"""Parsing and formatting of calendar dates as Russian official documents write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache, lru_cache

from babel.dates import format_date, get_month_names

LOCALE = "ru"

# Quotes around the day are how forms print a filled-in blank: «01» февраля 2022 г.
_DAY = r"[«\"“]?(?P<day>[0-9]{1,2})[»\"”]?"
# "г" must not be the start of a longer word, or «2022 годовой» would lose a letter.
YEAR_SUFFIX = r"(?:\s*(?:года|году|год|г(?![а-яё])\.?))?"


# The years a document of the service may name: older or later dates are typing errors («01.01.0001»,
# «31.12.9999») that would otherwise reach calendars and reports.
MIN_YEAR, MAX_YEAR = 1900, 2100


class DateError(ValueError):
    """A date that cannot be read or does not exist; the message is meant for the user."""


def check_range(value: date, text: str) -> date:
    """The date, if its year is within MIN_YEAR..MAX_YEAR; a DateError quoting the text otherwise."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateError(f"Дата вне допустимого диапазона ({MIN_YEAR}–{MAX_YEAR} гг.): {text}")
    return value


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
        re.compile(rf"(?P<day>[0-9]{{1,2}})\.(?P<month>[0-9]{{1,2}})\.(?P<year>[0-9]{{4}}){YEAR_SUFFIX}"),
        re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"),
        re.compile(rf"{_DAY}\s+(?P<month>{months})\s+(?P<year>[0-9]{{4}}){YEAR_SUFFIX}", re.IGNORECASE),
    )


def _normalise(text: str) -> str:
    return " ".join(text.split())


def month_number(name: str) -> int:
    """Number of a month written as a digit string or as a genitive/nominative month name."""
    if name.isdigit():
        return int(name)
    key = name.upper().lower()  # case-folds letters whose lower() is not in the month tables («ᲀ» -> «в»)
    return genitive_months().get(key) or nominative_months()[key]


def make_date(year: int, month: int, day: int, text: str) -> date:
    """Build a date, turning an impossible one into a DateError that quotes the original text."""
    try:
        value = date(year, month, day)
    except ValueError:
        raise DateError(f"Такой даты нет: {text}") from None
    return check_range(value, text)


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
    match = re.fullmatch(r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})", cleaned)
    if match is None:
        months = alternation(genitive_months())
        match = re.fullmatch(rf"{_DAY}\s+(?P<month>{months})", cleaned, re.IGNORECASE)
    if match is None:
        return parse_date(cleaned)
    return make_date(year, month_number(match["month"]), int(match["day"]), cleaned)


# Kept per date: Babel takes about 50 µs a date, and a page of a 300-point protocol or a list of assignments shows
# the same few hundred dates again and again (a date's text never changes; datetimes are formatted elsewhere).
@lru_cache(maxsize=8192)
def format_date_long(value: date) -> str:
    """«1 февраля 2022 г.», the form used in document texts."""
    return f"{format_date(value, 'd MMMM y', locale=LOCALE)} г."


@lru_cache(maxsize=8192)
def format_date_short(value: date) -> str:
    """«01.02.2022», the form used in registration stamps and tables."""
    return format_date(value, "dd.MM.yyyy", locale=LOCALE)
