"""Deadlines of directives: due dates, periods, recurring and standing duties read from Russian text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from babel.dates import get_day_names
from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, FR, MO, MONTHLY, TH, TU, WE, WEEKLY, rrule
from pymorphy3.analyzer import Parse

from .dates import (
    LOCALE,
    MAX_YEAR,
    MIN_YEAR,
    DateError,
    alternation,
    check_range,
    genitive_months,
    make_date,
    nominative_months,
    parse_date,
    parse_day_month,
)
from .morph import parses

BY = "by"
FROM = "from"
PERIOD = "period"
PERIODIC = "periodic"
ONGOING = "ongoing"
NONE = "none"

DAY = "day"
WEEK = "week"
MONTH = "month"

LAST_DAY = -1
# An unnamed weekday for a weekly duty means the end of the working week.
DEFAULT_WEEKDAY = 4
# The Russian academic year runs from 1 September to 31 August.
ACADEMIC_YEAR_START = 9


@dataclass(frozen=True)
class Recurrence:
    """One rule of a recurring duty: the days, weeks or month days on which it falls due."""

    unit: str
    months: tuple[int, ...] = ()  # months the duty falls due in; () means every month
    day: int = LAST_DAY  # day of the month; LAST_DAY for the month's last day
    weekday: int | None = None  # 0 is Monday; only for weekly duties


@dataclass(frozen=True)
class Deadline:
    """What a directive's deadline phrase means; text is the phrase as found, "" when none was."""

    kind: str
    due: date | None = None
    start: date | None = None
    text: str = ""
    recurrence: tuple[Recurrence, ...] | None = None


Builder = Callable[[re.Match[str], date, bool], Deadline | None]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    build: Builder


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    deadline: Deadline
    error: DateError | None = None  # the phrase names a date that does not exist

    def result(self) -> Deadline:
        if self.error:
            raise self.error
        return self.deadline


_DASH = r"\s*[-‐‑‒–—]\s*"
_YEAR_WORD = r"(?:года|году|год|г(?![а-яё])\.?)"
_YEARS_WORD = r"(?:гг(?![а-яё])\.?|годы|годах|годов|года|году|год|г(?![а-яё])\.?)"
_INCLUSIVE = r"(?:\s*\(?\s*включительно\s*\)?)?"
_BY_PREFIX = r"(?:(?:в\s+)?срок(?:и|ом)?\s+)?(?:до|не\s+позднее|не\s+позже|к)\s+"
_BY_PREPOSITIONS = r"до\s+конца|до\s+окончания|к\s+концу|к\s+окончанию|не\s+позднее|не\s+позже"
_PREPOSITION = rf"(?P<pre>в\s+течение|{_BY_PREPOSITIONS}|(?:начиная\s+)?со?|во?|на)"
_ORDINAL = r"(?:IV|I{1,3}|[1-4])(?:\s*-?\s*(?:й|м|го|ом))?(?![\w])|перв\w*|втор\w*|трет\w*|четв[её]рт\w*"
_ORDINAL_STEMS = {"перв": 1, "втор": 2, "трет": 3, "четв": 4}
# Numerals in the forms deadlines use: «в течение двух недель», «в трехдневный срок».
_NUMBER_WORDS = {
    "один": 1, "одного": 1, "одно": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3,
    "четыре": 4, "четырех": 4, "четырёх": 4, "пять": 5, "пяти": 5, "семи": 7, "десять": 10,
    "десяти": 10, "пятнадцати": 15, "тридцати": 30,
}
_NUMBER = rf"(?:[0-9]+|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})"
# Units of a recurring duty, as the months one period spans (0 for days and weeks).
_SPANS = {
    "ежедневно": 0, "день": 0, "еженедельно": 0, "неделю": 0, "ежемесячно": 1, "месяц": 1, "месяцам": 1,
    "месяцем": 1, "ежеквартально": 3, "квартал": 3, "кварталам": 3, "кварталом": 3, "ежеполугодно": 6,
    "полугодие": 6, "полгода": 6, "полугодиям": 6, "полугодием": 6, "ежегодно": 12, "год": 12,
    "годам": 12, "годом": 12, "периодом": 1,
}
_WEEKLY = frozenset({"еженедельно", "неделю"})
_ONGOING = (
    r"постоянно(?!\s+действующ)|на\s+постоянной\s+основе|в\s+постоянном\s+режиме|систематически"
    r"|регулярно|по\s+мере\s+(?:необходимости|поступления)|бессрочно|в\s+течение\s+всего\s+периода"
)
_LABEL_WORDS = r"срок(?:и)?(?:\s+(?:исполнения|выполнения|представления|реализации|проведения))?"
_TRAILING_LABEL = re.compile(rf"(?:^|(?<=[\s.;,(]))(?:{_LABEL_WORDS})\s*[:–—-]?\s*$", re.IGNORECASE)
_LEADING_LABEL = re.compile(rf"^\s*(?:{_LABEL_WORDS})\s*[:–—-]\s*", re.IGNORECASE)
# Verbs that frame a directive («Рекомендовать руководителям обеспечить …»); the duty is the next verb.
_FRAMING_VERBS = frozenset({"рекомендовать", "поручить", "предложить", "просить", "обязать"})


# --- words from the libraries --------------------------------------------------------------------


def _lexeme_forms(names: dict[str, int], singular_only: bool) -> dict[str, int]:
    """All case forms of the given nouns, e.g. «мае», «маю» for «май», to the nouns' numbers."""
    forms: dict[str, int] = {}
    for name, number in names.items():
        noun = next(p for p in parses(name) if p.tag.POS == "NOUN")
        lexeme = [form for form in noun.lexeme if not (singular_only and form.tag.number == "plur")]
        forms.update({form.word: number for form in lexeme})
        forms[name] = number
    return forms


@cache
def month_forms() -> dict[str, int]:
    """Month names in every case («май», «мая», «мае» …) to month number."""
    return {**_lexeme_forms(nominative_months(), singular_only=True), **genitive_months()}


@cache
def weekday_forms() -> dict[str, int]:
    """Weekday names in every case and number («пятницам», «пятницу») to weekday, 0 being Monday."""
    names = get_day_names("wide", context="stand-alone", locale=LOCALE)
    return _lexeme_forms({name.lower(): number for number, name in names.items()}, singular_only=False)


# --- regular expressions -------------------------------------------------------------------------


def _date_pattern() -> str:
    """A date with or without its year: «1 февраля 2022 года», «01.02.2022 г.», «1 сентября», «01.09»."""
    months = alternation(genitive_months())
    textual = rf"[«\"“]?[0-9]{{1,2}}[»\"”]?\s+(?:{months})(?![а-яё])(?:\s+[0-9]{{4}}(?:\s*{_YEAR_WORD})?)?"
    numeric = rf"[0-9]{{1,2}}\.[0-9]{{1,2}}(?:\.[0-9]{{4}}(?:\s*{_YEAR_WORD})?)?(?!\.?[0-9])"
    return rf"(?:{textual}|{numeric})"


def _any_month() -> str:
    return rf"(?:{alternation(month_forms())})(?![а-яё])"


def _month_list(name: str) -> str:
    month = _any_month()
    return rf"(?P<{name}>{month}(?:\s*(?:,|;|и)\s*{month})*)"


def _day_spec() -> str:
    """«15 числа месяца, следующего за отчётным кварталом», «1 февраля года, следующего за отчётным»."""
    after = r"\s*,?\s+следующего\s+за\s+отч[её]тным"
    number_day = (
        rf"(?P<nday>[0-9]{{1,2}})(?:\s*-?\s*(?:го|е))?\s+числа"
        r"(?:\s+(?P<each>каждого\s+месяца)"
        r"|\s+(?P<last>последнего\s+месяца(?:\s+отч[её]тного)?\s+(?:квартала|периода))"
        rf"|\s+месяца(?P<next>{after}(?:\s+(?P<after>месяцем|кварталом|полугодием|годом|периодом))?)?)?"
    )
    month_day = (
        rf"(?P<mday>[0-9]{{1,2}})\s+(?P<mmonth>{alternation(genitive_months())})"
        rf"(?P<ynext>\s+года{after}(?:\s+годом)?)?"
    )
    return rf"(?:{number_day}|{month_day})"


def _frequency() -> str:
    weekday = rf"(?:{alternation(weekday_forms())})(?![а-яё])"
    units = r"день|неделю|месяц|квартал|полугодие|полгода|год"
    return (
        r"(?P<freq>ежедневно|еженедельно|ежемесячно|ежеквартально|ежеполугодно|ежегодно"
        rf"|(?P<times>{_NUMBER})?\s*раза?\s+в\s+(?P<per>{units})"
        r"|по\s+(?P<by_unit>месяцам|кварталам|полугодиям|годам))"
        rf"(?:\s*\(\s*{_month_list('months')}\s*\)|\s+в\s+{_month_list('in_months')}"
        rf"|\s+(?:по|в|кажд\w+)\s+(?P<weekday>{weekday}))?"
        rf"(?:\s*,?\s*(?:(?:в\s+срок\s+)?(?:до|не\s+позднее|к)\s+)?{_day_spec()})?"
    )


def _compile(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", re.IGNORECASE)


@cache
def _rules() -> tuple[_Rule, ...]:
    """Every phrase shape, in the order that breaks ties between equally long matches."""
    when = _date_pattern()
    ordinal_unit = rf"(?P<n>{_ORDINAL})\s+(?P<unit>квартал|полугоди)\w*"
    year_tail = rf"(?:\s+(?P<y>[0-9]{{4}})(?:\s*{_YEAR_WORD})?)?"
    academic = r"учебн\w*\s+год\w*|уч\.\s*г(?:од\w*|\.)?"
    return (
        _Rule(_compile(_frequency()), _periodic),
        _Rule(_compile(rf"(?:{_BY_PREFIX})?{_day_spec()}"), _periodic_day),
        _Rule(_compile(_ONGOING), lambda match, reference, whole: Deadline(ONGOING)),
        _Rule(_compile(r"незамедлительно|немедленно|безотлагательно"),
              lambda match, reference, whole: Deadline(BY, due=reference)),
        _Rule(_compile(
            rf"(?:(?P<pre>(?:(?:в|на)\s+период\s+)?(?:начиная\s+)?со?)\s+)?(?P<d1>{when}|[0-9]{{1,2}})"
            rf"\s*(?:(?P<sep>по|до)\s+|{_DASH})(?P<d2>{when}){_INCLUSIVE}"
        ), _date_range),
        _Rule(_compile(
            rf"(?:{_PREPOSITION}\s+)?(?P<y1>[0-9]{{4}})(?:{_DASH}|\s*/\s*)(?P<y2>[0-9]{{4}}|[0-9]{{2}})"
            rf"(?:\s*(?P<word>{_YEARS_WORD})|\s+(?P<academic>{academic}))?"
        ), _year_range),
        _Rule(_compile(rf"(?:{_PREPOSITION}\s+)?(?P<y>[0-9]{{4}})(?:\s*(?P<word>{_YEAR_WORD}))?"), _year),
        _Rule(_compile(
            rf"(?P<pre>в\s+течение|{_BY_PREPOSITIONS}|с\s+начала)\s+"
            r"(?:текущего\s+|этого\s+|календарного\s+|нынешнего\s+)?(?P<academic>учебного\s+)?года"
        ), _current_year),
        _Rule(_compile(rf"(?:{_PREPOSITION}\s+)?{ordinal_unit}{year_tail}"), _part_of_year),
        _Rule(_compile(rf"(?:{_PREPOSITION}\s+)?(?P<m>{_any_month()}){year_tail}"), _month),
        _Rule(_compile(
            rf"в\s+течение\s+(?P<count>{_NUMBER})?\s*(?P<days>рабочих|календарных)?\s*"
            r"(?P<unit>дн(?:я|ей)|день|недел[иью]|недель|месяц(?:а|ев)?)"
            r"(?:\s+со?\s+(?:момента|даты|дня)\s+[а-яё]+(?:\s+(?:в\s+силу|настоящего\s+[а-яё]+))?)?"
        ), _within),
        _Rule(_compile(
            rf"в\s+(?:(?P<count>[0-9]+)\s*-?\s*|(?P<stem>{_NUMBER})?)(?P<unit>дневный|недельный|месячный)\s+срок"
        ), _within),
        _Rule(_compile(
            rf"(?:(?P<label>{_LABEL_WORDS})\s*[:–—-]\s*)?"
            rf"(?P<phrase>(?P<by>{_BY_PREFIX})?(?P<d>{when}){_INCLUSIVE})"
        ), _by_date),
        _Rule(_compile(rf"(?:начиная\s+)?со?\s+(?P<d>{when})"), _from_date),
    )


# --- builders: one per phrase shape --------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _number(text: str | None, default: int = 1) -> int:
    if not text:
        return default
    return int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]


def _kind_of(preposition: str | None) -> str:
    """What a preposition before a period makes of it: «в 2023 году», «до конца 2023 года», «с 2023 года»."""
    words = _norm(preposition)
    if not words or words.startswith("в течение") or words in ("в", "во", "на"):
        return PERIOD
    if words.endswith(("с", "со", "с начала")):
        return FROM
    return BY


def _span(preposition: str | None, first: date, last: date) -> Deadline:
    kind = _kind_of(preposition)
    if kind == PERIOD:
        return Deadline(PERIOD, due=last, start=first)
    if kind == FROM:
        return Deadline(FROM, start=first)
    return Deadline(BY, due=last)


def _read_date(text: str, reference: date, roll_forward: bool = False) -> date:
    """A date from the text; without a year it takes the reference's, moved a year on if already past."""
    if re.search(r"[0-9]{4}", text):
        return parse_date(text)
    value = parse_day_month(text.strip("«»\"“” "), reference.year)
    if roll_forward and value < reference:
        return value + relativedelta(years=1)
    return value


def _month_end(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(day=31)


def _year_of(match: re.Match[str], reference: date) -> int:
    return int(match["y"]) if match["y"] else reference.year


def _by_date(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    # A bare date in a sentence is as likely a document's date as a deadline; a label settles it.
    if not (match["by"] or match["label"] or whole):
        return None
    return Deadline(BY, due=_read_date(match["d"], reference, roll_forward=True))


def _from_date(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    return Deadline(FROM, start=_read_date(match["d"], reference))


def _date_range(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«с 1 сентября по 31 декабря 2021 года», «с 10 по 20 мая 2022 г.», «01.09.2021 – 31.12.2021»."""
    if not (match["pre"] or whole or (not match["sep"] and re.search(r"[0-9]{4}", match["d2"]))):
        return None
    due = _read_date(match["d2"], reference)
    if match["d1"].isdigit():
        start = _day_before(int(match["d1"]), due, match[0])
    else:
        start = _read_date(match["d1"], due)
    if start > due and not re.search(r"[0-9]{4}", match["d1"]):
        # «с 1 сентября по 31 мая 2022 года»: the year printed once belongs to the end.
        start -= relativedelta(years=1)
    return Deadline(PERIOD, due=due, start=start) if start <= due else None


def _day_before(day: int, due: date, text: str) -> date:
    """The start of «с 10 по 20 мая», where only the day is printed: in the due month, else the one before."""
    if day <= due.day:
        return make_date(due.year, due.month, day, text)
    earlier = due - relativedelta(months=1)
    return make_date(earlier.year, earlier.month, day, text)


def _year_range(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    first = int(match["y1"])
    last = int(match["y2"]) if len(match["y2"]) == 4 else first // 100 * 100 + int(match["y2"])
    if not (first <= last <= first + 50) or not (whole or match["word"] or match["academic"]):
        return None
    if match["academic"]:
        start = date(first, ACADEMIC_YEAR_START, 1)
        return _span(match["pre"], start, date(last, ACADEMIC_YEAR_START, 1) - timedelta(days=1))
    return _span(match["pre"], date(first, 1, 1), date(last, 12, 31))


def _year(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    # «план на 2023 год» names what a plan covers, not when to act, unless it is the whole phrase.
    if not whole and (not match["pre"] or not match["word"] or _norm(match["pre"]) == "на"):
        return None
    year = int(match["y"])
    return _span(match["pre"], date(year, 1, 1), date(year, 12, 31))


def _current_year(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    if match["academic"]:
        year = reference.year if reference.month >= ACADEMIC_YEAR_START else reference.year - 1
        first = date(year, ACADEMIC_YEAR_START, 1)
        return _span(match["pre"], first, date(year + 1, ACADEMIC_YEAR_START, 1) - timedelta(days=1))
    return _span(match["pre"], date(reference.year, 1, 1), date(reference.year, 12, 31))


def roman_to_int(numeral: str) -> int:
    """Value of a Roman numeral («IV» → 4)."""
    values = [{"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}[char] for char in numeral.upper()]
    following = [*values[1:], 0]
    # A smaller numeral before a larger one is subtracted: IV, IX.
    return sum(-value if value < after else value for value, after in zip(values, following, strict=True))


def _ordinal(text: str) -> int:
    """1–4 from «I»…«IV», «1», «1-й», «первом», «четвёртый»."""
    head = re.match(r"[IVX]+|[0-9]+", text, re.IGNORECASE)
    if head:
        return int(head[0]) if head[0].isdigit() else roman_to_int(head[0])
    return _ORDINAL_STEMS[text.lower()[:4]]


def _part_of_year(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«в I квартале 2023 года», «во втором полугодии», «до конца III квартала»."""
    if not (match["pre"] or whole):
        return None
    months = 3 if match["unit"].lower().startswith("квартал") else 6
    number = _ordinal(match["n"])
    if number * months > 12:
        return None
    year = _year_of(match, reference)
    first = date(year, (number - 1) * months + 1, 1)
    return _span(match["pre"], first, _month_end(year, number * months))


def _month(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«в феврале 2022 года», «до конца сентября», «с сентября 2021 года», «февраль 2022 г.»."""
    if not (match["pre"] or whole):
        return None
    month = month_forms()[match["m"].lower()]
    year = _year_of(match, reference)
    return _span(match["pre"], date(year, month, 1), _month_end(year, month))


def _within(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«в течение 10 рабочих дней», «в течение месяца», «в 10-дневный срок», «в двухнедельный срок»."""
    count = _number(match["count"] or match.groupdict().get("stem"))
    unit = match["unit"].lower()
    if unit.startswith("дн") and _norm(match.groupdict().get("days")) == "рабочих":
        return Deadline(BY, due=add_working_days(reference, count))
    if unit.startswith(("дн", "день")):
        return Deadline(BY, due=reference + timedelta(days=count))
    if unit.startswith("недел"):
        return Deadline(BY, due=reference + timedelta(weeks=count))
    return Deadline(BY, due=reference + relativedelta(months=count))


def add_working_days(start: date, count: int) -> date:
    """The date count working days after start; only weekends are skipped, holidays are not known."""
    if count <= 0:
        return start
    days = rrule(DAILY, dtstart=start + timedelta(days=1), byweekday=(MO, TU, WE, TH, FR), count=count)
    return days[-1].date()


# --- recurring duties ----------------------------------------------------------------------------


def _period_ends(span: int, times: int = 1) -> tuple[int, ...]:
    """Months closing each period of span months, times per period: (3, 6, 9, 12) for quarters."""
    step = max(1, span // max(times, 1))
    return () if step == 1 else tuple(range(step, 13, step))


def _following(months: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(month % 12 + 1 for month in months))


def _months_of(text: str) -> tuple[int, ...]:
    words = re.findall(r"[а-яё]+", text.lower())
    return tuple(sorted({month_forms()[word] for word in words if word in month_forms()}))


def _span_of(match: re.Match[str]) -> int:
    word = _norm(match["per"] or match["by_unit"] or match["freq"])
    return _SPANS[word]


def _day_rule(match: re.Match[str], span: int) -> Recurrence | None:
    """The rule a day clause sets: «до 15 числа месяца, следующего за отчётным кварталом» and the like."""
    if match["mday"]:
        return Recurrence(MONTH, months=(month_forms()[match["mmonth"].lower()],), day=int(match["mday"]))
    if not match["nday"]:
        return None
    day = int(match["nday"])
    if match["each"]:
        return Recurrence(MONTH, day=day)
    if match["last"]:
        return Recurrence(MONTH, months=_period_ends(3), day=day)
    span = _SPANS.get(_norm(match["after"]), span)
    # A report on a period is due after it ends, so the day falls in the month after the period.
    return Recurrence(MONTH, months=_following(_period_ends(span)), day=day)


def _periodic(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«ежеквартально», «2 раза в год (май, декабрь)», «ежегодно до 1 февраля», «еженедельно по пятницам»."""
    span = _span_of(match)
    times = _number(match["times"])
    if span == 0:
        if _norm(match["per"] or match["freq"]) in _WEEKLY:
            weekday = weekday_forms().get(_norm(match["weekday"]), DEFAULT_WEEKDAY)
            return _recurring(Recurrence(WEEK, weekday=weekday))
        return _recurring(Recurrence(DAY))
    listed = match["months"] or match["in_months"]
    if listed:
        return _recurring(Recurrence(MONTH, months=_months_of(listed)))
    rule = _day_rule(match, span)
    if rule:
        return _recurring(rule)
    if span == 1 and times > 1:
        days = [30 * k // times for k in range(1, times)]
        return _recurring(*(Recurrence(MONTH, day=day) for day in days), Recurrence(MONTH))
    return _recurring(Recurrence(MONTH, months=_period_ends(span, times)))


def _periodic_day(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """A day clause alone is recurring only when it names the reporting period or «каждого месяца»."""
    if not (match["each"] or match["last"] or match["next"] or match["ynext"]):
        return None
    rule = _day_rule(match, _SPANS["месяц"])
    return _recurring(rule) if rule else None


def _recurring(*rules: Recurrence) -> Deadline:
    return Deadline(PERIODIC, recurrence=tuple(rules))


def occurrences(deadline: Deadline, start: date, end: date) -> list[date]:
    """Dates in [start, end] on which the duty falls due; a one-off deadline yields its due date."""
    if not deadline.recurrence:
        return [deadline.due] if deadline.due and start <= deadline.due <= end else []
    start, end = max(start, deadline.start or start), min(end, deadline.due or end)
    dates = {day for rule in deadline.recurrence for day in _rule_dates(rule, start, end)}
    return sorted(day for day in dates if start <= day <= end)


def _rule_dates(rule: Recurrence, start: date, end: date) -> Iterator[date]:
    if rule.unit == DAY:
        yield from (moment.date() for moment in rrule(DAILY, dtstart=start, until=end))
        return
    if rule.unit == WEEK:
        weekday = DEFAULT_WEEKDAY if rule.weekday is None else rule.weekday
        yield from (moment.date() for moment in rrule(WEEKLY, dtstart=start, until=end, byweekday=weekday))
        return
    # Stepping through month ends and then moving back keeps day 30 or 31 in short months.
    month_ends = rrule(
        MONTHLY, dtstart=start.replace(day=1), until=_month_end(end.year, end.month),
        bymonth=rule.months or None, bymonthday=-1,
    )
    for moment in month_ends:
        last = moment.date()
        yield last if rule.day == LAST_DAY else last.replace(day=min(rule.day, last.day))


# --- finding phrases -----------------------------------------------------------------------------


def _in_range(deadline: Deadline | None, text: str) -> Deadline | None:
    """Every date a phrase names lies within the years documents may name (ru.dates.MIN_YEAR..MAX_YEAR)."""
    if deadline is not None:
        for value in (deadline.due, deadline.start):
            if value is not None:
                check_range(value, text)
    return deadline


def _matches(text: str, reference: date, whole: bool) -> Iterator[_Found]:
    for rule in _rules():
        found = [rule.pattern.fullmatch(text)] if whole else rule.pattern.finditer(text)
        for match in found:
            if match is None:
                continue
            try:
                deadline = _in_range(rule.build(match, reference, whole), match[0])
            except (DateError, OverflowError) as error:
                # Kept rather than raised: strip_deadline still needs where the phrase was.
                if isinstance(error, OverflowError):  # «в течение 99999999999 дней»
                    error = DateError(f"Дата вне допустимого диапазона ({MIN_YEAR}–{MAX_YEAR} гг.): {match[0]}")
                yield _Found(match.start(), match.end(), Deadline(NONE, text=match[0]), error)
                continue
            if deadline is not None:
                start, end = match.span("phrase") if "phrase" in match.re.groupindex else match.span()
                yield _Found(start, end, replace(deadline, text=match.string[start:end]))


def _best(text: str, reference: date, whole: bool) -> _Found | None:
    """The longest phrase; among equally long ones, the first in the text, then the first rule."""
    best: _Found | None = None
    candidates = list(_matches(text, reference, whole))
    for found in candidates:
        if best is None or (found.end - found.start, -found.start) > (best.end - best.start, -best.start):
            best = found
    if best is None or whole:
        return best
    return next(filter(None, (_bounded(best, other, text) for other in candidates)), best)


def _bounded(one: _Found, other: _Found, text: str) -> _Found | None:
    """«ежеквартально в течение 2022 года», «с 1 сентября 2021 года ежемесячно»: a recurring duty
    next to a period or a start date is bounded by it."""
    first, second = sorted((one, other), key=lambda found: found.start)
    if first.error or second.error or first.end > second.start or text[first.end:second.start].strip(" ,"):
        return None
    kinds = {first.deadline.kind: first.deadline, second.deadline.kind: second.deadline}
    periodic, bounds = kinds.get(PERIODIC), kinds.get(PERIOD) or kinds.get(FROM)
    if periodic is None or bounds is None:
        return None
    merged = replace(periodic, start=bounds.start, due=bounds.due, text=text[first.start:second.end])
    return _Found(first.start, second.end, merged)


def _without_deadline(sentence: str) -> Deadline:
    return Deadline(ONGOING) if is_ongoing_verb(sentence) else Deadline(NONE)


def parse_deadline(text: str, reference: date) -> Deadline:
    """Read a deadline given on its own («до 01.02.2022», «I квартал 2023 г.») or within a sentence.

    reference is the document's date (for a document without one, the organisation's today, which the caller
    asks the clock for: this module reads no clock): it supplies missing years and anchors «в течение 10 дней».
    Raises DateError for a date that does not exist («до 31.02.2022»).
    """
    cleaned = _LEADING_LABEL.sub("", text).strip()
    for candidate in dict.fromkeys((cleaned, cleaned.rstrip(".;,: "))):
        found = _best(candidate, reference, whole=True) if candidate else None
        if found:
            return found.result()
    return find_deadline(cleaned, reference)


def find_deadline(sentence: str, reference: date) -> Deadline:
    """The deadline phrase inside a directive sentence, or ongoing/none judged by its verb."""
    found = _best(sentence, reference, whole=False)
    return found.result() if found else _without_deadline(sentence)


def strip_deadline(sentence: str, reference: date) -> str:
    """The sentence without its deadline phrase (and a «Срок:» label before it)."""
    found = _best(sentence, reference, whole=False)
    if found is None:
        return sentence
    before = _TRAILING_LABEL.sub("", sentence[:found.start])
    after = sentence[found.end:]
    if found.deadline.text.endswith(".") and not after.strip():
        # «… до 1 февраля 2022 г.»: the abbreviation's dot also ended the sentence.
        after = "."
    if "," in found.deadline.text and not re.search(r"[,;:(]\s*$", before):
        # «…, следующего за отчётным кварталом, в отдел»: the comma closed a clause of the phrase.
        after = re.sub(r"^\s*,", "", after)
    return _join(before, after, at_start=not sentence[:found.start].strip())


def _join(before: str, after: str, at_start: bool) -> str:
    """Glue the text around a removed phrase, dropping the punctuation that only set the phrase off."""
    before, after = before.rstrip(), after.lstrip()
    if before.endswith((".", "!", "?")) and after.startswith("."):
        # «Представить отчет. Срок: 01.02.2022.»: the sentence before already ended.
        after = after[1:].lstrip()
    before_mark = re.search(r"(?:,|;|:|\s[–—-]|\()$", " " + before)
    after_mark = re.match(r"[,;)]", after)
    if before_mark and after_mark and before.endswith("(") == after.startswith(")"):
        before, after = before[: -len(before_mark[0].strip())].rstrip(), after[1:].lstrip()
    elif before_mark and (not after or after[0] in ".;:!?)"):
        before = before[: -len(before_mark[0].strip())].rstrip()
    elif after_mark and not before and after[0] != ")":
        after = after[1:].lstrip()
    joined = before + after if not after or not before or after[0] in ".,;:!?)" else f"{before} {after}"
    if not re.search(r"\w", joined):
        return ""
    if at_start:
        joined = joined[0].upper() + joined[1:]
    return joined


# --- standing duties -----------------------------------------------------------------------------


def _first_infinitive(action: str) -> list[Parse] | None:
    for word in re.findall(r"[^\W\d_]+", action):
        readings = parses(word)
        if not readings or readings[0].tag.POS != "INFN":
            continue
        if readings[0].normal_form in _FRAMING_VERBS:
            continue
        return [reading for reading in readings if reading.tag.POS == "INFN"]
    return None


def is_ongoing_verb(action: str) -> bool:
    """Whether the action's verb makes it a standing duty: «обеспечивать», «оказывать», «продолжить».

    The aspect is weighed by the dictionary's probabilities, so the homonym «проводить» (see off,
    perfective) does not hide «проводить» (conduct); two-aspect verbs («использовать»,
    «организовать») weigh even and are read as one-off, since their form says nothing.
    """
    readings = _first_infinitive(action)
    if not readings:
        return False
    if readings[0].normal_form.startswith("продолж"):
        return True
    weight = sum(reading.score if reading.tag.aspect == "impf" else -reading.score for reading in readings)
    return weight > 1e-6  # a margin: even scores need not cancel exactly in floating point


__all__ = [
    "BY", "DAY", "FROM", "MONTH", "NONE", "ONGOING", "PERIOD", "PERIODIC", "WEEK",
    "Deadline", "Recurrence", "add_working_days", "find_deadline", "is_ongoing_verb", "occurrences",
    "parse_deadline", "roman_to_int", "strip_deadline",
]
