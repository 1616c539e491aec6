"""Deadlines of directives: due dates, periods, recurring and standing duties read from Russian text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING

from babel.dates import get_day_names
from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

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

if TYPE_CHECKING:
    from pymorphy3.analyzer import Parse

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
# What «до начала 2024 года», «к началу 2024/2025 учебного года» and «после окончания 2024 года» make of a
# period: due the day before it starts («до» — before it begins), due its first day («к» — by the moment it
# begins, as «к 1 сентября» is due on 1 September: «к началу учебного года» is 1 September in official usage),
# or starting the day after it ends. Never a Deadline's kind.
_BEFORE = "before"
_AT_START = "at_start"
_AFTER = "after"


@dataclass(frozen=True)
class Recurrence:
    """One rule of a recurring duty: the days, weeks or month days on which it falls due."""

    unit: str
    months: tuple[int, ...] = ()  # months the duty falls due in; () means every month
    day: int = LAST_DAY  # day of the month; LAST_DAY for the month's last day
    weekday: int | None = None  # 0 is Monday; only for weekly duties


@dataclass(frozen=True)
class Deadline:
    """What a directive's deadline phrase means; text is the phrase as found, "" when none was.

    Some phrases name no date that can be computed from the text: then either anchor holds the event the date
    hangs on (kind BY, due None: «после утверждения бюджета») or unrecognised marks words after a «Срок:» label
    that were not understood (kind NONE, the words in text). needs_check tells a caller to ask a person.
    """

    kind: str
    due: date | None = None
    start: date | None = None
    text: str = ""
    recurrence: tuple[Recurrence, ...] | None = None
    anchor: str | None = None  # the event the due date depends on, as written: «после вступления в силу»
    unrecognised: bool = False  # the text after a «Срок:» label could not be read

    @property
    def needs_check(self) -> bool:
        """Whether a person has to set the date: it hangs on an event, or the phrase was not understood."""
        return self.anchor is not None or self.unrecognised


# A builder reads one match, None when the match is no deadline where it stands. It leaves the Deadline's text
# empty for the match to fill in, or, when it read less than its pattern matched («после утверждения бюджета»
# of «после утверждения бюджета представить …»), sets text to the prefix of the match it read.
Builder = Callable[[re.Match[str], date, bool], Deadline | None]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    build: Builder
    # Pieces of words the pattern cannot match without, in lower case; a text with none of them is not searched
    # (most sentences name no month and no «ежеквартально», and trying a pattern at every position is most of
    # the time spent). A plain substring test is many times faster than any regular expression.
    needs: tuple[str, ...]


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
# «2024 финансового года»: a financial (budget) year is the calendar year (Бюджетный кодекс, ст. 12).
_YEAR_KIND = r"(?:(?:финансов|календарн|бюджетн)(?:ого|ом|ый)\s+)?"
_INCLUSIVE = r"(?:\s*\(?\s*включительно\s*\)?)?"
_BY_PREFIX = r"(?:(?:в\s+)?срок(?:и|ом)?\s+)?(?:до|не\s+позднее|не\s+позже|к)\s+"
_BY_PREPOSITIONS = (
    r"до\s+конца|до\s+окончания|к\s+концу|к\s+окончанию|по\s+окончании|по\s+завершении|после\s+окончания"
    r"|после\s+завершения|не\s+позднее|не\s+позже"
)
_BEFORE_PREPOSITIONS = r"до\s+начала|к\s+началу"
_PREPOSITION = rf"(?P<pre>в\s+течение|{_BY_PREPOSITIONS}|{_BEFORE_PREPOSITIONS}|(?:начиная\s+)?со?|во?|на)"
_ORDINAL = r"(?:IV|I{1,3}|[1-4])(?:\s*-?\s*(?:й|м|го|ом))?(?![\w])|перв\w*|втор\w*|трет\w*|четв[её]рт\w*"
_ORDINAL_STEMS = {"перв": 1, "втор": 2, "трет": 3, "четв": 4}
# Numerals in the forms deadlines use: «в течение двух недель», «в трехдневный срок», «десяти рабочих дней»;
# the genitive is also the first half of «двухнедельный», «десятидневный».
_CARDINALS = {
    1: "один одного одно одну одной", 2: "два две двух", 3: "три трех трёх", 4: "четыре четырех четырёх",
    5: "пять пяти", 6: "шесть шести", 7: "семь семи", 8: "восемь восьми", 9: "девять девяти",
    10: "десять десяти", 11: "одиннадцать одиннадцати", 12: "двенадцать двенадцати", 13: "тринадцать тринадцати",
    14: "четырнадцать четырнадцати", 15: "пятнадцать пятнадцати", 16: "шестнадцать шестнадцати",
    17: "семнадцать семнадцати", 18: "восемнадцать восемнадцати", 19: "девятнадцать девятнадцати",
    20: "двадцать двадцати", 30: "тридцать тридцати", 40: "сорок сорока", 50: "пятьдесят пятидесяти",
    60: "шестьдесят шестидесяти", 90: "девяносто девяноста",
}
_NUMBER_WORDS = {word: value for value, words in _CARDINALS.items() for word in words.split()}
_NUMBER = (
    r"(?:[0-9]+(?:-?(?:х|ти|ми))?"  # «2-х», «5-ти»
    rf"|(?:{alternation(w for w, v in _NUMBER_WORDS.items() if v >= 20)})\s+"
    rf"(?:{alternation(w for w, v in _NUMBER_WORDS.items() if v < 10)})(?![а-яё])"  # «двадцати пяти»
    rf"|{alternation(_NUMBER_WORDS)})"
)
# Days of the month in words, as «не позднее пятнадцатого числа» writes them.
_DAY_ORDINALS = {
    "первого": 1, "второго": 2, "третьего": 3, "четвертого": 4, "четвёртого": 4, "пятого": 5, "шестого": 6,
    "седьмого": 7, "восьмого": 8, "девятого": 9, "десятого": 10, "одиннадцатого": 11, "двенадцатого": 12,
    "тринадцатого": 13, "четырнадцатого": 14, "пятнадцатого": 15, "шестнадцатого": 16, "семнадцатого": 17,
    "восемнадцатого": 18, "девятнадцатого": 19, "двадцатого": 20, "тридцатого": 30,
}
_DAY_ORDINAL = rf"(?:(?:двадцать|тридцать)\s+)?(?:{alternation(_DAY_ORDINALS)})"
# Units of a recurring duty, as the months one period spans (0 for days and weeks).
_SPANS = {
    "ежедневно": 0, "день": 0, "еженедельно": 0, "неделю": 0, "ежемесячно": 1, "месяц": 1, "месяцам": 1,
    "месяцем": 1, "ежеквартально": 3, "квартал": 3, "кварталам": 3, "кварталом": 3, "ежеполугодно": 6,
    "полугодие": 6, "полгода": 6, "полугодиям": 6, "полугодием": 6, "ежегодно": 12, "год": 12,
    "годам": 12, "годом": 12, "периодом": 1, "четверть": 3, "четвертям": 3,
}
_WEEKLY = frozenset({"еженедельно", "неделю"})
# «по мере поступления» alone is a standing duty (applications are handled as they come); see _event.
_ONGOING = (
    r"постоянно(?!\s+действующ)|на\s+постоянной\s+основе|в\s+постоянном\s+режиме|систематически"
    r"|регулярно|по\s+мере\s+необходимости|бессрочно|в\s+течение\s+всего\s+периода"
)
_LABEL_WORDS = r"срок(?:и)?(?:\s+(?:исполнения|выполнения|представления|реализации|проведения))?"
# A label: «Срок:», «срок –», or «Срок исполнения» with or without a mark after it.
_LABEL_BODY = (
    rf"(?:(?:{_LABEL_WORDS})\s*[:–—-]|срок(?:и)?\s+(?:исполнения|выполнения|представления|реализации|проведения)"
    r"(?=\s))\s*"
)
# «Срок представления отчёта:», «Срок исполнения поручения –»: other words before the mark, at a clause's start.
_LABEL_FREE_BODY = r"срок(?:и)?(?:\s+[а-яё]+){1,3}\s*[:–—-]\s*"
_LABEL_FREE = rf"(?:^|(?<=[.;,(]))\s*{_LABEL_FREE_BODY}"
_TRAILING_LABEL = re.compile(
    rf"(?:^|(?<=[\s.;,(]))(?:{_LABEL_WORDS})\s*[:–—-]?\s*$|{_LABEL_FREE}$", re.IGNORECASE
)
_LEADING_LABEL = re.compile(rf"\s*(?:{_LABEL_BODY}|{_LABEL_FREE_BODY})", re.IGNORECASE)
_LABEL = re.compile(rf"(?:^|(?<=[\s.;,(])){_LABEL_BODY}|{_LABEL_FREE}", re.IGNORECASE)
# Where the words a label introduces end: a semicolon, a bracket, or a full stop before the next sentence.
_CLAUSE_END = re.compile(r"[;)]|\.(?=\s+[А-ЯЁA-Z0-9«]|\s*$)")
_CLAUSE_CUT = re.compile(r",|\.(?=\s)")
_MAX_CLAUSE = 200
_MAX_CUTS = 4
# Verbs that frame a directive («Рекомендовать руководителям обеспечить …»); the duty is the next verb.
_FRAMING_VERBS = frozenset({"рекомендовать", "поручить", "предложить", "просить", "обязать"})
# Acts of the document itself: «в течение 3 дней со дня подписания (настоящего приказа)» counts from its date.
_OWN_ACTS = frozenset({"подписания", "издания", "принятия", "утверждения", "регистрации", "опубликования"})
# What arrives in «по мере поступления средств» when it is money: then the date hangs on one event.
_FUNDS = frozenset({
    "средств", "денежных", "бюджетных", "финансовых", "финансирования", "ассигнований", "субсидии", "субсидий",
    "лимитов",
})
# The words that name an event after its head («после утверждения» + «бюджета муниципального образования»).
_EVENT_CASES = frozenset({"gent", "ablt"})
_EVENT_POS = frozenset({"NOUN", "ADJF", "PRTF", "NUMR", "NPRO"})  # NPRO: «после прохождения ими обучения»
_NEXT_WORD = re.compile(r"\s+([а-яё]+)", re.IGNORECASE)
_CYRILLIC_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
_THIS_DOCUMENT = re.compile(r"настоящ", re.IGNORECASE)
_DAY_WORDS = re.compile(rf"^\s*{_DAY_ORDINAL}", re.IGNORECASE)
# «не реже одного раза в четверть»: the school quarters end about late October, December, March and May.
_SCHOOL_TERM_ENDS = (3, 5, 10, 12)
_MAX_EVENT_WORDS = 4


def _key(word: str) -> str:
    """A word as the dictionaries spell it. A case-insensitive pattern also matches letters that fold to ours,
    «ᲀ» (an old form of «в») or the Turkish «İ» for «I»; upper then lower case turns them back."""
    return word.upper().lower().replace("i̇", "i")


def _fold(text: str) -> str:
    """The text with only such letters turned into ours, for ru.dates, which looks month names up as written."""
    if _key(text) == text.lower():
        return text
    return "".join(char if char.lower() == _key(char) else _key(char) for char in text)


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


@cache
def _working_days(year: int) -> tuple[date, ...]:
    """Russia's working days of a year, in order: weekdays that are not public holidays or days off moved by
    the government's yearly decree, and the Saturdays moved to work, as the `holidays` package knows them
    (imported on the first count of working days, not with the module: most processes never count one)."""
    import holidays

    calendar = holidays.country_holidays("RU", years=year)
    days_off, moved_to_work = set(calendar.keys()), set(calendar.weekend_workdays)
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    return tuple(day for day in days if (day.weekday() < 5 and day not in days_off) or day in moved_to_work)


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
        rf"(?P<nday>[0-9]{{1,2}}(?:\s*-?\s*(?:го|е))?|{_DAY_ORDINAL})\s+числа"
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
    units = r"день|неделю|месяц|квартал|полугодие|полгода|год|четверть"
    return (
        r"(?:не\s+реже\s+)?(?P<freq>ежедневно|еженедельно|ежемесячно|ежеквартально|ежеполугодно|ежегодно"
        rf"|(?P<times>{_NUMBER})?\s*раза?\s+в\s+(?P<per>{units})"
        r"|по\s+(?P<by_unit>месяцам|кварталам|полугодиям|годам|четвертям))"
        rf"(?:\s*\(\s*{_month_list('months')}\s*\)|\s+в\s+{_month_list('in_months')}"
        rf"|\s+(?:по|в|кажд\w+)\s+(?P<weekday>{weekday}))?"
        rf"(?:\s*,?\s*(?:(?:в\s+срок\s+)?(?:до|не\s+позднее|к)\s+)?{_day_spec()})?"
    )


def _events(when: str) -> str:
    """Heads of phrases whose date hangs on an event; the words naming the event follow in (?P<ext>), and
    a meeting's date, if printed, in (?P<on>): «к заседанию комиссии 18 апреля 2024 года»."""
    meeting = r"заседани[еюяи]|совещани[еюяи]|собрани[еюяи]|сесси[еюяи]|коллеги[еюяи]|конференци[еюяи]"
    verbal_noun = r"[а-яё]+(?:ни[еяю]|ти[еяю])"  # «утверждения», «принятия»
    terms = (
        r"в\s+(?:установленн(?:ый|ые)\s+сроки?"
        r"|сроки?\s*,?\s+(?:установленн|предусмотренн|определ[её]нн|указанн|согласованн)[а-яё]*)"
    )
    heads = (
        rf"(?:к|до)\s+(?:(?P<which>(?:следующ|ближайш)(?:ему|его)|очередн(?:ому|ого))\s+)?(?P<meeting>{meeting})"
        rf"|на\s+(?:следующем|ближайшем|очередном)\s+(?:{meeting})"
        rf"|после\s+{verbal_noun}(?:\s+в\s+силу)?"
        r"|(?:до|к|по|после)\s+(?P<edge>окончани[еюяи]|завершени[еюяи]|начал[ау]|конц[ау])"
        r"|по\s+мере\s+(?P<arrival>поступления|готовности)"
        r"|по\s+итогам\s+(?:[0-9]{4}\s+)?финансового\s+года"
        rf"|{terms}"
    )
    return rf"(?:{heads})(?P<ext>(?:\s+[а-яё]+){{0,{_MAX_EVENT_WORDS}}})(?:\s*,?\s+(?P<on>{when}))?"


def _compile(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", re.IGNORECASE)


def _rule(body: str, build: Builder, needs: str) -> _Rule:
    return _Rule(_compile(body), build, tuple(needs.split()))


@cache
def _rules() -> tuple[_Rule, ...]:
    """Every phrase shape, in the order that breaks ties between equally long matches."""
    when = _date_pattern()
    month = _any_month()
    # «пятнадцатого декабря 2023 года»: a day in words, before a month's name only.
    ordinal_date = (
        rf"{_DAY_ORDINAL}\s+(?:{alternation(genitive_months())})(?![а-яё])(?:\s+[0-9]{{4}}(?:\s*{_YEAR_WORD})?)?"
    )
    ordinal_unit = rf"(?P<n>{_ORDINAL})(?:{_DASH}(?P<n2>{_ORDINAL}))?\s+(?P<unit>квартал|полугоди)\w*"
    year_tail = rf"(?:\s+(?P<y>[0-9]{{4}})(?:\s*{_YEAR_WORD})?)?"
    academic = r"учебн\w*\s+год\w*|уч\.\s*г(?:од\w*|\.)?"
    counted = (
        rf"(?P<count>{_NUMBER})?\s*(?P<days>рабочих|календарных)?\s*"
        r"(?P<unit>дн(?:я|ей)|день|недел[иью]|недель|месяц(?:а|ев)?)"
    )
    after_event = (
        r"(?:\s+(?P<after>после|со?\s+(?:момента|даты|дня))\s+(?:(?P<its>его|её|ее)\s+)?(?P<event>[а-яё]+)"
        r"(?P<force>\s+в\s+силу)?"
        rf"(?P<ext>(?:\s+[а-яё]+){{0,{_MAX_EVENT_WORDS}}}))?"
    )
    within = (
        r"в\s+течение|через|не\s+позднее(?:\s*,?\s*чем)?(?:\s+через)?"
        r"|в\s+срок\s+не\s+(?:позднее|более)(?:\s+чем)?"
    )
    digit = " ".join("0123456789")
    months = " ".join({form[:3] for form in month_forms()})  # every form of a month begins so
    units = "дн день недел месяц месяч"
    parts = "год месяц квартал полугоди"
    events = (
        "заседани совещани собрани сесси коллеги конференци после окончани завершени начал конц мере итог"
        " установленн предусмотренн определенн определённ указанн согласованн"
    )
    return (
        _rule(_frequency(), _periodic, "еже раз месяцам кварталам полугодиям годам четвертям"),
        _rule(rf"(?P<by>{_BY_PREFIX})?{_day_spec()}", _periodic_day, f"числа {digit}"),
        _rule(_ONGOING, lambda match, reference, whole: Deadline(ONGOING),
              "постоянн систематич регулярн мере бессрочн период"),
        _rule(r"незамедлительно|немедленно|безотлагательно",
              lambda match, reference, whole: Deadline(BY, due=reference), "медлен медлит отлагат"),
        _rule(
            rf"(?:(?P<pre>(?:(?:в|на)\s+период\s+)?(?:начиная\s+)?со?)\s+)?(?P<d1>{when}|[0-9]{{1,2}})"
            rf"\s*(?:(?P<sep>по|до)\s+|{_DASH})(?P<d2>{when}){_INCLUSIVE}",
            _date_range, digit,
        ),
        _rule(
            rf"(?:{_PREPOSITION}\s+)?(?P<y1>[0-9]{{4}})(?:{_DASH}|\s*/\s*)(?P<y2>[0-9]{{4}}|[0-9]{{2}})"
            rf"(?:\s*(?P<word>{_YEARS_WORD})|\s+(?P<academic>{academic}))?",
            _year_range, digit,
        ),
        _rule(
            rf"(?:{_PREPOSITION}\s+)?(?P<y>[0-9]{{4}})(?:\s*(?P<word>{_YEAR_KIND}{_YEAR_WORD}))?",
            _year, digit,
        ),
        _rule(
            rf"(?P<pre>в\s+течение|{_BY_PREPOSITIONS}|{_BEFORE_PREPOSITIONS}|с\s+начала)\s+"
            r"(?:(?P<which>текущего|этого|нынешнего|нового|следующего|очередного)\s+)?"
            r"(?:(?P<academic>учебного)\s+|(?:календарного|финансового|бюджетного)\s+)?"
            r"(?P<unit>года|месяца|квартала|полугодия)",
            _current, parts,
        ),
        _rule(
            r"(?P<pre>во?)\s+(?P<which>текущем|этом|нынешнем|новом|следующем|очередном)\s+"
            r"(?:(?P<academic>учебном)\s+|(?:календарном|финансовом|бюджетном)\s+)?"
            r"(?P<unit>году|месяце|квартале|полугодии)",
            _current, parts,
        ),
        _rule(rf"(?:{_PREPOSITION}\s+)?{ordinal_unit}{year_tail}", _part_of_year, "квартал полугоди"),
        _rule(
            rf"(?:(?P<pre>(?:(?:в|на)\s+период\s+)?(?:начиная\s+)?со?|во?|в\s+течение)\s+)?"
            rf"(?P<m1>{month})(?:\s+(?P<y1>[0-9]{{4}})(?:\s*{_YEAR_WORD})?)?"
            rf"\s*(?:(?P<sep>по)\s+|{_DASH})(?P<m2>{month})(?:\s+(?P<y2>[0-9]{{4}})(?:\s*{_YEAR_WORD})?)?",
            _month_range, months,
        ),
        _rule(rf"(?:{_PREPOSITION}\s+)?(?P<m>{month}){year_tail}", _month, months),
        _rule(rf"(?:{within})\s+{counted}{after_event}", _within, units),
        _rule(
            rf"в\s+(?:(?P<count>[0-9]+)\s*-?\s*|(?P<stem>{_NUMBER})?)(?P<unit>дневный|недельный|месячный)\s+срок"
            rf"{after_event}",
            _within, units,
        ),
        _rule(
            rf"(?:не\s+позднее(?:\s*,?\s*чем)?\s+|не\s+менее\s+чем\s+)?за\s+{counted}\s+до"
            rf"(?:\s+(?P<d>{when})|(?P<ext>(?:\s+[а-яё]+){{1,{_MAX_EVENT_WORDS + 1}}}))",
            _before_event, units,
        ),
        _rule(
            rf"(?:(?P<label>{_LABEL_WORDS})\s*[:–—-]\s*)?"
            rf"(?P<phrase>(?P<by>{_BY_PREFIX})?(?P<d>{when}){_INCLUSIVE})",
            _by_date, digit,
        ),
        _rule(rf"(?:начиная\s+)?со?\s+(?P<d>{when})", _from_date, digit),
        _rule(rf"(?P<phrase>(?P<by>{_BY_PREFIX})?(?P<d>{ordinal_date}){_INCLUSIVE})", _by_date, months),
        _rule(rf"(?:начиная\s+)?со?\s+(?P<d>{ordinal_date})", _from_date, months),
        _rule(_events(when), _event, events),
    )


# --- builders: one per phrase shape --------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join(_key(text or "").split())


def _number(text: str | None, default: int = 1) -> int:
    """«10», «2-х», «десяти», «двадцати пяти»."""
    if not text:
        return default
    digits = re.match(r"[0-9]+", text)
    if digits:
        return int(digits[0])
    return sum(_NUMBER_WORDS[word] for word in _key(text).split())


def _day_number(text: str) -> int:
    """«15», «15-го», «пятнадцатого», «двадцать пятого»."""
    digits = re.match(r"[0-9]+", text)
    if digits:
        return int(digits[0])
    *tens, ordinal = _key(text).split()
    return sum(_NUMBER_WORDS[word] for word in tens) + _DAY_ORDINALS[ordinal]


def _kind_of(preposition: str | None) -> str:
    """What a preposition before a period makes of it: «в 2023 году», «до конца 2023 года», «с 2023 года»."""
    words = _norm(preposition)
    if not words or words.startswith("в течение") or words in ("в", "во", "на"):
        return PERIOD
    if words.startswith("до начала"):
        return _BEFORE
    if words.startswith("к началу"):
        return _AT_START
    if words.startswith("после"):
        return _AFTER
    if words.endswith(("с", "со", "с начала")):
        return FROM
    return BY


def _span(preposition: str | None, first: date, last: date) -> Deadline:
    kind = _kind_of(preposition)
    if kind == PERIOD:
        return Deadline(PERIOD, due=last, start=first)
    if kind == FROM:
        return Deadline(FROM, start=first)
    if kind == _BEFORE:
        return Deadline(BY, due=first - timedelta(days=1))
    if kind == _AT_START:
        return Deadline(BY, due=first)
    if kind == _AFTER:
        return Deadline(FROM, start=last + timedelta(days=1))
    return Deadline(BY, due=last)


def _read_date(text: str, reference: date, roll_forward: bool = False) -> date:
    """A date from the text; without a year it takes the reference's, moved a year on if already past."""
    text = _fold(text)
    if text[:1].isalpha():  # «пятнадцатого декабря»: read with digits, quoted in words
        digits = _DAY_WORDS.sub(lambda words: str(_day_number(words[0])), text, count=1)
        try:
            return _read_date(digits, reference, roll_forward)
        except DateError as error:
            raise DateError(str(error).replace(" ".join(digits.split()), " ".join(text.split()))) from None
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
    if not (match["by"] or match.groupdict().get("label") or whole):
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
    if not whole and _norm(match["pre"]) == "на":
        return None  # «предложения … на 2026/2027 учебный год», «программа на 2024–2028 годы» name what, not when
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


def _current(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """The year (calendar or academic), half-year, quarter or month of the reference, or the next one:
    «до конца года», «в течение учебного года», «до конца месяца», «до начала нового учебного года»."""
    pre, which, unit = _norm(match["pre"]), _norm(match["which"]), _key(match["unit"])
    months = {"г": 12, "м": 1, "к": 3, "п": 6}[unit[0]]
    if months == 1 and pre == "в течение" and not which:
        return None  # «в течение месяца» is a month from the reference (_within)
    # «до начала учебного года» is the start ahead: the current one has begun by definition.
    ahead = int(which.startswith(("нов", "следующ", "очередн")) or (
        not which and _kind_of(pre) in (_BEFORE, _AT_START)))
    if match["academic"]:
        if months != 12:
            return None
        year = reference.year if reference.month >= ACADEMIC_YEAR_START else reference.year - 1
        first = date(year + ahead, ACADEMIC_YEAR_START, 1)
    else:
        first = date(reference.year, (reference.month - 1) // months * months + 1, 1)
        first += relativedelta(months=months * ahead)
    return _span(match["pre"], first, first + relativedelta(months=months) - timedelta(days=1))


def roman_to_int(numeral: str) -> int:
    """Value of a Roman numeral («IV» → 4)."""
    values = [{"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}[char] for char in numeral.upper()]
    following = [*values[1:], 0]
    # A smaller numeral before a larger one is subtracted: IV, IX.
    return sum(-value if value < after else value for value, after in zip(values, following, strict=True))


def _ordinal(text: str) -> int:
    """1–4 from «I»…«IV», «1», «1-й», «первом», «четвёртый»."""
    text = _key(text)
    head = re.match(r"[ivx]+|[0-9]+", text)
    if head:
        return int(head[0]) if head[0].isdigit() else roman_to_int(head[0])
    return _ORDINAL_STEMS[text[:4]]


def _part_of_year(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«в I квартале 2023 года», «во втором полугодии», «до конца III квартала», «I–II квартал 2024 г.»."""
    if not (match["pre"] or whole):
        return None
    months = 3 if _key(match["unit"]).startswith("квартал") else 6
    number = _ordinal(match["n"])
    last = _ordinal(match["n2"]) if match["n2"] else number
    if not number <= last <= 12 // months or (match["n2"] and last == number):
        return None
    year = _year_of(match, reference)
    first = date(year, (number - 1) * months + 1, 1)
    return _span(match["pre"], first, _month_end(year, last * months))


def _month(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«в феврале 2022 года», «до конца сентября», «с сентября 2021 года», «февраль 2022 г.».

    A month alone is a period, as a quarter is: «в мае 2024 года» starts on 1 May and is due on 31 May."""
    if not (match["pre"] or whole):
        return None
    month = month_forms()[_key(match["m"])]
    year = _year_of(match, reference)
    return _span(match["pre"], date(year, month, 1), _month_end(year, month))


def _month_range(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«март – апрель 2024 года», «в марте–апреле 2024 г.», «с сентября 2023 года по май 2024 года»."""
    pre = _norm(match["pre"])
    if not (pre or whole or match["y2"]):
        return None
    if match["sep"] and not pre.endswith(("с", "со")):
        return None  # «с января по март», never «в январе по март»
    first, last = month_forms()[_key(match["m1"])], month_forms()[_key(match["m2"])]
    if match["y1"] or not match["y2"]:
        # The first month's year, printed or the reference's; the range may run into the next year.
        start_year = int(match["y1"]) if match["y1"] else reference.year
        end_year = int(match["y2"]) if match["y2"] else start_year + (last < first)
    else:
        # «с сентября по май 2024 года»: the year printed once belongs to the end.
        end_year = int(match["y2"])
        start_year = end_year - (last < first)
    start, due = date(start_year, first, 1), _month_end(end_year, last)
    return Deadline(PERIOD, due=due, start=start) if start < due and (first, start_year) != (last, end_year) else None


def _shift(base: date, count: int, unit: str, working: bool, sign: int = 1) -> date:
    """base moved count days (working or calendar), weeks or months forward (sign 1) or back (sign -1)."""
    if unit.startswith("д"):  # «дней», «день», «дневный»
        if working:
            return add_working_days(base, count) if sign > 0 else _working_days_before(base, count)
        return base + timedelta(days=sign * count)
    if unit.startswith("недел"):
        return base + timedelta(weeks=sign * count)
    return base + relativedelta(months=sign * count)


def _event_end(text: str, start: int, end: int) -> int:
    """Where the words naming an event end, from start up to end: the nouns and adjectives in the genitive
    (or instrumental) that follow its head, «бюджета муниципального образования» of «после утверждения …»."""
    position = start
    while position < end:
        word = _NEXT_WORD.match(text, position, end)
        readings = parses(_key(word[1])) if word else ()
        # The likeliest reading decides the part of speech: «по» is a preposition, not the noun «ПО».
        if not readings or readings[0].tag.POS not in _EVENT_POS or not any(
            reading.tag.case in _EVENT_CASES and reading.tag.POS in _EVENT_POS for reading in readings
        ):
            break
        position = word.end()
    return position


def _within(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«в течение 10 рабочих дней», «в течение месяца», «в 10-дневный срок», «в двухнедельный срок»; counted
    from the document's date, or from an event: «в течение месяца после вступления в силу» has no date."""
    count = _number(match["count"] or match.groupdict().get("stem"))
    working = _norm(match.groupdict().get("days")) == "рабочих"
    end = match.end()
    if match["after"]:
        own = re.match(r"\s+настоящ[а-яё]*\s+[а-яё]+", match["ext"], re.IGNORECASE)
        event_end = _event_end(match.string, match.start("ext"), match.end("ext"))
        # «со дня его подписания» is this document's act only when the sentence names it («настоящий приказ»);
        # «разместить положение … после его утверждения» waits for the regulation.
        its_own = match["its"] and _THIS_DOCUMENT.search(match.string, 0, match.start())
        own_act = own or its_own or (not match["its"] and event_end == match.start("ext"))
        if _key(match["event"]) in _OWN_ACTS and own_act and not match["force"]:
            end = match.start("ext") + (own.end() if own else 0)  # the document's own act: its date
        elif own and match["force"]:
            end = match.start("ext") + own.end()  # «со дня вступления в силу настоящего приказа»
        else:
            if whole and event_end != match.end():
                return None
            text = match.string[match.start():event_end]
            return Deadline(BY, text=text, anchor=match.string[match.start("after"):event_end])
        if whole and end != match.end():
            return None
    due = _shift(reference, count, _key(match["unit"]), working)
    return Deadline(BY, due=due, text=match.string[match.start():end])


def _before_event(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«не позднее чем за 10 дней до заседания» hangs on the meeting; «за 5 рабочих дней до 1 марта» is dated."""
    count = _number(match["count"])
    working = _norm(match["days"]) == "рабочих"
    if match["d"]:
        day = _read_date(match["d"], reference, roll_forward=True)
        return Deadline(BY, due=_shift(day, count, _key(match["unit"]), working, sign=-1))
    end = _event_end(match.string, match.start("ext"), match.end("ext"))
    if end == match.start("ext") or (whole and end != match.end()):
        return None
    text = match.string[match.start():end]
    return Deadline(BY, text=text, anchor=text)


def _event(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """«к следующему заседанию комиссии», «после утверждения бюджета», «по мере поступления средств»,
    «до окончания срока действия договора», «в установленные сроки»: kind BY without a date, never a guess."""
    end = _event_end(match.string, match.start("ext"), match.end("ext"))
    if match["on"] and match["meeting"] and end == match.end("ext"):
        return Deadline(BY, due=_read_date(match["on"], reference, roll_forward=True))  # the meeting's date
    if whole and end != match.end():
        return None
    first_word = _NEXT_WORD.match(match.string, match.start("ext"), end)
    if first_word is None and (match["edge"] or (match["meeting"] and not match["which"])):
        return None  # «до конца», «после окончания» alone name nothing; «к совещанию у главы» is not dated
    text = match.string[match.start():end]
    if _norm(match["arrival"]) == "поступления" and not (first_word and _key(first_word[1]) in _FUNDS):
        # «рассматривать обращения по мере поступления»: handled as they come, a standing duty.
        return Deadline(ONGOING, text=text)
    return Deadline(BY, text=text, anchor=text)


def add_working_days(start: date, count: int) -> date:
    """The date count working days after start, skipping weekends and Russia's public holidays with the days
    off moved by decree (the `holidays` package); years outside MIN_YEAR..MAX_YEAR count weekdays only."""
    if count <= 0:
        return start
    year = start.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _add_weekdays(start, count)
    index = bisect_right(_working_days(year), start) + count - 1
    while index >= len(_working_days(year)):
        index -= len(_working_days(year))
        year += 1
        if year > MAX_YEAR:
            return _add_weekdays(date(MAX_YEAR, 12, 31), index + 1)
    return _working_days(year)[index]


def _working_days_before(end: date, count: int) -> date:
    """The working day count working days before end («за 5 рабочих дней до 1 марта»)."""
    year = end.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise OverflowError("date value out of range")
    index = bisect_left(_working_days(year), end) - count
    while index < 0:
        year -= 1
        if year < MIN_YEAR:
            raise OverflowError("date value out of range")
        index += len(_working_days(year))
    return _working_days(year)[index]


def _add_weekdays(start: date, count: int) -> date:
    """count weekdays after start, holidays unknown; whole weeks at once, so a huge count overflows at once."""
    if start.weekday() > 4:
        start -= timedelta(days=start.weekday() - 4)  # from a weekend, count as from the Friday before
    weeks, rest = divmod(count, 5)
    day = start + timedelta(weeks=weeks)
    while rest:
        day += timedelta(days=1)
        rest -= day.weekday() < 5
    return day


# --- recurring duties ----------------------------------------------------------------------------


def _period_ends(span: int, times: int = 1) -> tuple[int, ...]:
    """Months closing each period of span months, times per period: (3, 6, 9, 12) for quarters."""
    step = max(1, span // max(times, 1))
    return () if step == 1 else tuple(range(step, 13, step))


def _following(months: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(month % 12 + 1 for month in months))


def _months_of(text: str) -> tuple[int, ...]:
    words = re.findall(r"[а-яё]+", _key(text))
    return tuple(sorted({month_forms()[word] for word in words if word in month_forms()}))


def _span_of(match: re.Match[str]) -> int:
    word = _norm(match["per"] or match["by_unit"] or match["freq"])
    return _SPANS[word]


def _day_rule(match: re.Match[str], span: int) -> Recurrence | None:
    """The rule a day clause sets: «до 15 числа месяца, следующего за отчётным кварталом» and the like."""
    if match["mday"]:
        day = _day_of_month(match["mday"], match[0])
        return Recurrence(MONTH, months=(month_forms()[_key(match["mmonth"])],), day=day)
    if not match["nday"]:
        return None
    day = _day_of_month(match["nday"], match[0])
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
    if _norm(match["per"] or match["by_unit"]).startswith("четверт"):
        return _recurring(Recurrence(MONTH, months=_SCHOOL_TERM_ENDS))
    rule = _day_rule(match, span)
    if rule:
        return _recurring(rule)
    if span == 1 and times > 1:
        days = [30 * k // times for k in range(1, times)]
        return _recurring(*(Recurrence(MONTH, day=day) for day in days), Recurrence(MONTH))
    return _recurring(Recurrence(MONTH, months=_period_ends(span, times)))


def _day_of_month(text: str, phrase: str) -> int:
    day = _day_number(text)
    if not 1 <= day <= 31:
        raise DateError(f"Такой даты нет: {phrase}")
    return day


def _periodic_day(match: re.Match[str], reference: date, whole: bool) -> Deadline | None:
    """A day clause alone is recurring when it names the reporting period or «каждого месяца». «до 15 числа»
    by itself is every month's 15th after a standing verb («представлять»), else the next 15th."""
    if match["each"] or match["last"] or match["next"] or match["ynext"]:
        rule = _day_rule(match, _SPANS["месяц"])
        return _recurring(rule) if rule else None
    if not match["nday"] or not (match["by"] or whole):
        return None
    day = _day_of_month(match["nday"], match[0])
    if not whole and is_ongoing_verb(match.string):
        return _recurring(Recurrence(MONTH, day=day))
    due = reference.replace(day=min(day, _month_end(reference.year, reference.month).day))
    if due < reference:
        following = _month_end(reference.year, reference.month) + timedelta(days=1)
        due = following.replace(day=min(day, _month_end(following.year, following.month).day))
    return Deadline(BY, due=due)


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
    folded = "" if whole else _key(text)
    for rule in _rules():
        # A whole phrase is tried at its start only, which fails fast: the pieces would cost more than they save.
        if not whole and not any(piece in folded for piece in rule.needs):
            continue
        found = [rule.pattern.fullmatch(text)] if whole else rule.pattern.finditer(text)
        for match in found:
            if match is None:
                continue
            try:
                deadline = _in_range(rule.build(match, reference, whole), match[0])
            except (ValueError, OverflowError) as error:
                # Kept rather than raised: strip_deadline still needs where the phrase was.
                if not isinstance(error, DateError):  # «в течение 99999999999 дней», «в 0000 году»
                    error = DateError(f"Дата вне допустимого диапазона ({MIN_YEAR}–{MAX_YEAR} гг.): {match[0]}")
                yield _Found(match.start(), match.end(), Deadline(NONE, text=match[0]), error)
                continue
            if deadline is not None:
                start, end = match.span("phrase") if "phrase" in match.re.groupindex else match.span()
                if deadline.text:  # the builder read a shorter phrase than its pattern matched
                    end = start + len(deadline.text)
                yield _Found(start, end, replace(deadline, text=match.string[start:end]))


def _labelled(text: str, reference: date) -> tuple[list[_Found], _Found | None]:
    """Phrases after a «Срок:» label, each read as a whole: the label's clause, else the longest part of it
    up to a comma that reads. Also, for when nothing in the text reads, the first label's words as unrecognised.
    """
    found: list[_Found] = []
    unread: _Found | None = None
    if "срок" not in _key(text):
        return found, unread
    for label in _LABEL.finditer(text):
        begin = label.end()
        limit = min(len(text), begin + _MAX_CLAUSE)
        stop = _CLAUSE_END.search(text, begin, limit)
        clause = text[begin:(stop.start() if stop[0] in ";)" else stop.end()) if stop else limit]
        # A deadline spans a comma or two («ежеквартально, до 5 числа»); more would only multiply the tries.
        marks = [cut.start() for cut in islice(_CLAUSE_CUT.finditer(clause), _MAX_CUTS + 1)]
        clause = clause[:marks[_MAX_CUTS]] if len(marks) > _MAX_CUTS else clause
        cuts = [len(clause), *reversed(marks[:_MAX_CUTS])]
        read = None
        for cut in cuts:
            part = clause[:cut].rstrip()
            for candidate in dict.fromkeys((part, part.rstrip(".;,: "))):
                read = _best(candidate, reference, whole=True) if candidate else None
                if read:
                    found.append(replace(read, start=begin + read.start, end=begin + read.end))
                    break
            if read:
                break
        words = clause[:cuts[-1]].rstrip().rstrip(".;,: ")
        if not read and unread is None and re.search(r"\w", words):
            unread = _Found(begin, begin + len(words), Deadline(NONE, text=words, unrecognised=True))
    return found, unread


def _rank(found: _Found) -> tuple[bool, int, int]:
    """A dated phrase before one hanging on an event; then the longest; then the first in the text."""
    return found.deadline.anchor is None, found.end - found.start, -found.start


def _best(text: str, reference: date, whole: bool) -> _Found | None:
    """The longest phrase, a dated one before one hanging on an event; among equally long ones, the first in
    the text, then the first rule. Words after a «Срок:» label that do not read when nothing else does."""
    candidates = list(_matches(text, reference, whole))
    unread = None
    if not whole:
        labelled, unread = _labelled(text, reference)
        candidates += labelled
    if not candidates:
        return unread
    best = max(candidates, key=_rank)  # the first of equals
    if whole:
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
    Raises DateError for a date that does not exist («до 31.02.2022»). A date that hangs on an event comes back
    with anchor set and no due date; words after «Срок:» that do not read, as kind NONE marked unrecognised.
    """
    label = _LEADING_LABEL.match(text)
    cleaned = text[label.end() if label else 0:].strip()
    for candidate in dict.fromkeys((cleaned, cleaned.rstrip(".;,: "))):
        found = _best(candidate, reference, whole=True) if candidate else None
        if found:
            return found.result()
    # The label stays, so that what follows it is kept as unrecognised if nothing reads.
    return find_deadline(text.strip() if cleaned else cleaned, reference)


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
    labelled = len(before) < found.start
    return _join(before, after, at_start=not before.strip(), labelled=labelled)


def _join(before: str, after: str, at_start: bool, labelled: bool = False) -> str:
    """Glue the text around a removed phrase, dropping the punctuation that only set the phrase off."""
    before, after = before.rstrip(), after.lstrip()
    if before.endswith((".", "!", "?")) and after.startswith("."):
        # «Представить отчет. Срок: 01.02.2022.»: the sentence before already ended.
        after = after[1:].lstrip()
    before_mark = re.search(r"(?:,|;|:|\s[–—-]|\()$", " " + before)
    after_mark = re.match(r"[,;)]", after)
    if before_mark and after_mark and before.endswith(",") and (after[0] == ";" or labelled and after[0] == ","):
        # «…, срок: …; назначить …», «…, срок: …, ответственный …»: the mark after still parts the items.
        before = before[:-1].rstrip()
    elif before_mark and after_mark and before.endswith("(") == after.startswith(")"):
        before, after = before[: -len(before_mark[0].strip())].rstrip(), after[1:].lstrip()
    elif before_mark and (not after or after[0] in ".;:!?)"):
        before = before[: -len(before_mark[0].strip())].rstrip()
    elif after_mark and not before and after[0] != ")":
        after = after[1:].lstrip()
    joined = before + after if not after or not before or after[0] in ".,;:!?)" else f"{before} {after}"
    if not re.search(r"\w", joined):
        return ""
    if at_start and len(joined[0].upper()) == 1:  # «ß».upper() is «SS»: no letter is added
        joined = joined[0].upper() + joined[1:]
    return joined


# --- standing duties -----------------------------------------------------------------------------


def _first_infinitive(action: str) -> list[Parse] | None:
    # Cyrillic words only: pymorphy3 fails on a letter without a Unicode name («𗀀»), and a verb is Cyrillic.
    for word in _CYRILLIC_WORD.findall(action):
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
