"""Fuzzing of webapp.ru.deadlines: whatever the text, the reader raises only DateError, names only dates within
the years a document may name, and strip_deadline only removes text."""

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from webapp.ru.dates import MAX_YEAR, MIN_YEAR, DateError, genitive_months
from webapp.ru.deadlines import (
    _DAY_ORDINALS,
    _NUMBER_WORDS,
    BY,
    FROM,
    NONE,
    ONGOING,
    PERIOD,
    PERIODIC,
    Deadline,
    _key,
    _rules,
    find_deadline,
    month_forms,
    parse_deadline,
    strip_deadline,
)

REFERENCE = date(2021, 6, 15)
# The edges of the years a document may name, where a shifted date falls outside them.
REFERENCES = [REFERENCE, date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31), date(2024, 12, 28)]
KINDS = {BY, FROM, PERIOD, PERIODIC, ONGOING, NONE}

# No example database: it would be written into the working tree.
FUZZ = settings(
    max_examples=300, deadline=1000, database=None, suppress_health_check=[HealthCheck.too_slow],
)

VOCABULARY = [
    "в", "во", "с", "со", "до", "к", "по", "на", "за", "через", "после", "не позднее", "не позднее чем",
    "в течение", "в срок", "в срок до", "срок", "Срок:", "срок –", "Срок исполнения", "сроки проведения:",
    "начиная с", "в период с", "до конца", "до начала", "к началу", "к концу", "по окончании", "по завершении",
    "после окончания", "по итогам", "по мере", "поступления", "средств", "необходимости", "постоянно",
    "на постоянной основе", "незамедлительно", "ежедневно", "еженедельно", "ежемесячно", "ежеквартально",
    "ежеполугодно", "ежегодно", "раз в", "раза в", "по пятницам", "числа", "каждого месяца",
    "месяца, следующего за отчетным", "кварталом", "полугодием", "года, следующего за отчётным",
    "последнего месяца квартала", "день", "дня", "дней", "рабочих", "календарных", "неделю", "недели", "недель",
    "месяц", "месяца", "месяцев", "дневный срок", "недельный срок", "месячный срок", "год", "года", "году",
    "г.", "гг.", "годы", "квартал", "квартале", "квартала", "полугодии", "полугодия", "учебного года",
    "учебном году", "уч. г.", "финансового года", "финансовом году", "текущего", "нового", "следующем",
    "включительно", "(включительно)", "следующему заседанию", "очередном заседании", "заседанию", "комиссии",
    "совещанию", "утверждения", "бюджета", "вступления в силу", "настоящего приказа", "со дня", "с момента",
    "подписания", "получения", "его", "ими", "установленные сроки", "в сроки, установленные", "планом",
    "по согласованию", "обеспечивать", "представить", "Провести", "отчет", "I", "II", "III", "IV", "V", "İ",
    "ᲀ", "1-й", "2-м", "первом", "четвёртом", "(", ")", ",", ".", ";", ":", "–", "-", "—", "/", "«", "»",
    "ß", "ﬁ",
]
WORDS = sorted({*VOCABULARY, *_NUMBER_WORDS, *_DAY_ORDINALS, *month_forms()})
SPACES = [" ", " ", " ", "", "\n", "\r\n", "\t", "\u00a0", "  "]


def _numeric(day: date) -> str:
    return day.strftime("%d.%m.") + f"{day.year:04d}"


def _textual(day: date) -> str:
    months = {number: name for name, number in genitive_months().items()}
    return f"{day.day} {months[day.month]} {day.year}"


dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
tokens = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.upper),
    st.integers(min_value=0, max_value=99).map(str),
    st.integers(min_value=1800, max_value=2200).map(str),
    st.integers(min_value=0, max_value=10**12).map(str),
    dates.map(_numeric),
    dates.map(_textual),
    st.sampled_from(["31.02.2022", "00.00.0000", "29 февраля 2023", "1\nфевраля 2024 года", "2021/22", "01.09"]),
)
vocabulary_texts = st.builds(
    lambda parts, spaces: "".join(part + space for part, space in zip(parts, spaces, strict=False)),
    st.lists(tokens, max_size=12),
    st.lists(st.sampled_from(SPACES), min_size=12, max_size=12),
)
texts = st.one_of(st.text(max_size=200), vocabulary_texts)


def _read(function, text: str, reference: date):
    """The function's answer, or None for a DateError: the one exception the reader may raise."""
    try:
        return function(text, reference)
    except DateError:
        return None


def _check(deadline: Deadline, text: str) -> None:
    assert deadline.kind in KINDS
    for value in (deadline.due, deadline.start):
        assert value is None or MIN_YEAR <= value.year <= MAX_YEAR
    assert deadline.text in text
    if deadline.anchor is not None:
        assert (deadline.kind, deadline.due) == (BY, None)
        assert deadline.anchor in deadline.text
    if deadline.unrecognised:
        assert deadline.kind == NONE and deadline.text


def _only_removed(result: str, source: str) -> bool:
    """Every character of result but spaces comes from source, in order; a first letter may be capitalised."""
    remaining = iter(char for char in source if not char.isspace())
    return all(
        any(char in (original, original.upper()) for original in remaining) for char in result if not char.isspace()
    )


@FUZZ
@given(texts, st.sampled_from(REFERENCES))
@example("в 0000 году", REFERENCE)
@example("İ квартал", REFERENCE)
@example("до 1 феᲀраля 2022 года", REFERENCE)
@example("в течение 99999999 рабочих дней", REFERENCE)
@example("до 0 числа каждого месяца", REFERENCE)
@example("в течение месяца", date(MAX_YEAR, 12, 31))
def test_parse_and_find_raise_only_date_errors_and_stay_in_range(text: str, reference: date) -> None:
    for function in (parse_deadline, find_deadline):
        deadline = _read(function, text, reference)
        if deadline is not None:
            _check(deadline, text)


@FUZZ
@given(texts, st.sampled_from(REFERENCES))
@example("Срок: по согласованию, ß", REFERENCE)
@example("в течение месяца ß", REFERENCE)
def test_strip_deadline_only_removes_text(text: str, reference: date) -> None:
    stripped = _read(strip_deadline, text, reference)
    assert stripped is not None, "strip_deadline keeps the text of a phrase with an impossible date"
    assert _only_removed(stripped, text)


@FUZZ
@given(vocabulary_texts)
def test_a_rule_is_skipped_only_when_it_could_not_match(text: str) -> None:
    """Each rule names pieces of words it cannot match without, to skip most sentences quickly; a piece list
    that misses a form the pattern reads would silently drop that form."""
    folded = _key(text)
    for rule in _rules():
        if rule.pattern.search(text):
            assert any(piece in folded for piece in rule.needs), (rule.build.__name__, text)


@pytest.mark.parametrize("text", ["до 1 февраля 2022 года", "ежеквартально", "после утверждения бюджета"])
def test_the_vocabulary_reaches_the_rules(text: str) -> None:
    """The strategies above are only worth their time if their words make phrases the reader knows."""
    assert all(word in WORDS for word in text.split() if not word[0].isdigit())
