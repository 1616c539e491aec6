"""Unit tests of webapp.ru.directives: one directive read into its addressee, action and deadline phrase."""

from datetime import date

import pytest

from webapp.ru.cleanup import Line
from webapp.ru.deadlines import BY, FROM, PERIOD
from webapp.ru.directives import DeadlineReader, Parsed, analyse, mask, nominative

REFERENCE = date(2024, 3, 12)


def read(text: str, reference: date | None = REFERENCE) -> Parsed:
    line = Line(text, range(len(text)))
    return analyse(line, 0, len(text), DeadlineReader(reference))


def who(parsed: Parsed) -> str | None:
    return parsed.responsible.text if parsed.responsible else None


@pytest.mark.parametrize(("text", "responsible", "action"), [
    # an addressee in the dative before the verb, with the head in brackets
    ("Отделу общего образования (Смирнова Е.В.) подготовить план мероприятий.",
     "Отделу общего образования (Смирнова Е.В.)", "подготовить план мероприятий"),
    # a participial clause belongs to the addressee, whatever prepositions it has
    ("Органам местного самоуправления, осуществляющим управление в сфере образования, обеспечить охват детей.",
     "Органам местного самоуправления, осуществляющим управление в сфере образования", "обеспечить охват детей"),
    # so does a relative clause with its own finite verb
    ("Рекомендовать ОИВ, в которых оснащенность пунктов составляет менее 95 процентов, разработать планы.",
     "ОИВ, в которых оснащенность пунктов составляет менее 95 процентов", "разработать планы"),
    # an abbreviation and a quoted name; «(далее – …)» is part of no field
    ("МБОУ «Средняя школа № 5» (далее – школа) провести собрание.", "МБОУ «Средняя школа № 5»", "провести собрание"),
    # several addressees
    ("Отделу образования, отделу культуры обеспечить проведение мероприятий.",
     "Отделу образования, отделу культуры", "обеспечить проведение мероприятий"),
    # a person
    ("Заместителю директора по УВР Петровой Н.А. подготовить отчет.",
     "Заместителю директора по УВР Петровой Н.А.", "подготовить отчет"),
    # the addressee ends where an adverbial or a deadline starts
    ("АУ ДПО «Институт развития образования» в срок до 1 сентября 2024 года во взаимодействии с рабочей группой "
     "разработать концепцию.", "АУ ДПО «Институт развития образования»", "разработать концепцию"),
    ("Управлению образования (Осипова Е.А.) совместно с ГКУ «Центр занятости» обеспечить трудоустройство.",
     "Управлению образования (Осипова Е.А.)", "обеспечить трудоустройство"),
    # a deadline before the addressee
    ("В срок до 1 апреля 2024 года руководителям школ представить отчеты.", "руководителям школ",
     "представить отчеты"),
])
def test_addressee_before_the_verb(text: str, responsible: str, action: str) -> None:
    parsed = read(text)
    assert who(parsed) == responsible
    assert parsed.action_text == action


@pytest.mark.parametrize(("text", "responsible", "recommendation"), [
    ("Рекомендовать органам местного самоуправления обеспечить участие школ.", "органам местного самоуправления",
     True),
    ("Предложить главам сельских поселений оказать содействие.", "главам сельских поселений", True),
    ("Поручить МКУ «ИМЦ» (Соколова Е.Е.) организовать сопровождение.", "МКУ «ИМЦ» (Соколова Е.Е.)", False),
    ("Обязать руководителей подведомственных учреждений обеспечить выполнение программы.",
     "руководителей подведомственных учреждений", False),
])
def test_framing_verbs(text: str, responsible: str, recommendation: bool) -> None:
    parsed = read(text)
    assert who(parsed) == responsible
    assert parsed.recommendation is recommendation
    assert parsed.action_text.split()[0] in ("обеспечить", "оказать", "организовать")


def test_a_framing_verb_with_no_addressee_stays_in_the_action() -> None:
    parsed = read("Рекомендовать при создании условий руководствоваться методическими рекомендациями.")
    assert parsed.responsible is None
    assert parsed.action_text.startswith("Рекомендовать при создании условий")


@pytest.mark.parametrize("text", [
    "Положение о конкурсе разместить на сайте управления.",  # the object of a passive directive, not an addressee
    "Провести муниципальный конкурс «Лучший урок».",
    "При подготовке отчетов руководствоваться приказом.",
    "Информацию принять к сведению.",
])
def test_no_addressee(text: str) -> None:
    assert read(text).responsible is None


def test_the_object_of_a_passive_directive_starts_the_action() -> None:
    assert read("Положение о конкурсе разместить на сайте.").action_text == "Положение о конкурсе разместить на сайте"


def test_labelled_and_bracketed_responsible() -> None:
    labelled = read("Провести семинар для педагогов. Ответственный: Иванов И.И., методист.")
    assert labelled.labelled.text == "Иванов И.И., методист"
    assert labelled.action_text == "Провести семинар для педагогов"
    bracketed = read("Провести семинар для педагогов (Петров П.П.).")
    assert bracketed.bracketed.text == "Петров П.П."


@pytest.mark.parametrize(("text", "phrase", "kind", "due", "start"), [
    ("Отделу подготовить план в срок до 1 февраля 2024 года.", "в срок до 1 февраля 2024 года", BY,
     date(2024, 2, 1), None),
    ("Институту обеспечить с 1 сентября 2024 года работу центра.", "с 1 сентября 2024 года", FROM, None,
     date(2024, 9, 1)),
    ("Школам провести акцию в период с 1 по 20 марта 2024 года.", "в период с 1 по 20 марта 2024 года", PERIOD,
     date(2024, 3, 20), date(2024, 3, 1)),
    ("Провести семинар. Срок – 29 февраля 2024 г.", "Срок – 29 февраля 2024 г.", BY, date(2024, 2, 29), None),
])
def test_deadline_phrase(text: str, phrase: str, kind: str, due: date | None, start: date | None) -> None:
    parsed = read(text)
    assert parsed.due is not None
    assert parsed.due.text == phrase
    assert (parsed.due.deadline.kind, parsed.due.deadline.due, parsed.due.deadline.start) == (kind, due, start)
    assert parsed.due.spans == [(text.index(phrase), text.index(phrase) + len(phrase))]


def test_a_deadline_at_the_end_leaves_the_action_one_inside_stays() -> None:
    assert read("Отделу подготовить план до 1 марта 2024 года.").action_text == "подготовить план"
    inside = read("Институту обеспечить с 1 сентября 2024 года работу центра.")
    assert inside.action_text == "обеспечить с 1 сентября 2024 года работу центра"


@pytest.mark.parametrize("text", [
    "Руководствоваться распоряжением Минпросвещения России от 6 августа 2020 г. № Р-76.",
    "Обеспечить реализацию программы «Развитие образования до 2030 года».",
    "Исполнять приказ от 01.02.2024 № 15.",
])
def test_dates_of_other_documents_and_in_names_are_no_deadline(text: str) -> None:
    assert read(text).due is None


def test_mask_keeps_offsets() -> None:
    text = "Исполнять приказ от 01.02.2024 № 15 «О мерах»."
    masked = mask(text)
    assert len(masked) == len(text)
    assert "01.02.2024" not in masked and "О мерах" not in masked
    assert masked.startswith("Исполнять приказ ")


def test_without_the_documents_date_a_phrase_that_needs_it_keeps_no_date() -> None:
    parsed = read("Классным руководителям провести собрания до 25 октября.", reference=None)
    assert parsed.due.text == "до 25 октября"
    assert parsed.due.deadline.kind == BY and parsed.due.deadline.due is None
    assert "дата документа" in parsed.due.doubt.lower() or "даты документа" in parsed.due.doubt.lower()
    dated = read("Провести собрания до 25 октября 2024 года.", reference=None)
    assert dated.due.deadline.due == date(2024, 10, 25) and dated.due.doubt is None


def test_a_year_taken_from_the_document_is_said() -> None:
    parsed = read("Провести собрания до 25 октября.")
    assert parsed.due.deadline.due == date(2024, 10, 25)
    assert "Год" in parsed.due.doubt


def test_a_date_that_does_not_exist_is_kept_as_text() -> None:
    parsed = read("Библиотекарю провести инвентаризацию до 31.02.2025.")
    assert parsed.due.text == "до 31.02.2025"
    assert parsed.due.deadline.due is None
    assert parsed.due.doubt


def test_deadline_words_that_do_not_read_are_kept() -> None:
    parsed = read("Отделу подготовить предложения к началу работы новой комиссии по делам молодежи.")
    text = parsed.due.text if parsed.due else parsed.unread[0]
    assert text.startswith("к началу работы новой комиссии")
    assert (parsed.due is None or parsed.due.deadline.due is None)


@pytest.mark.parametrize(("written", "case", "expected"), [
    ("Органам местного самоуправления, осуществляющим управление в сфере образования", "datv",
     "Органы местного самоуправления, осуществляющие управление в сфере образования"),
    ("органам исполнительной власти", "datv", "Органы исполнительной власти"),
    ("Учителям-предметникам", "datv", "Учителя-предметники"),
    ("Главам (заместителям) муниципальных органов", "datv", "Главы (заместители) муниципальных органов"),
    ("ГБУ ДПО «Ставропольский краевой институт развития образования»", "datv",
     "ГБУ ДПО «Ставропольский краевой институт развития образования»"),
    ("Руководитель МО", "datv", "Руководитель МО"),  # a table cell is in the nominative already
    ("руководителей подведомственных учреждений", "accs", "Руководители подведомственных учреждений"),
])
def test_nominative(written: str, case: str, expected: str) -> None:
    assert nominative(written, case) == expected
