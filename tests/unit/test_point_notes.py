"""The rule of webapp.rendering.point_notes: when a point's bodies and deadline get lines of their own."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.rendering.point_notes import BodyNames, Deadline, Lead, deadline_words, lead_of, names_body, point_notes

SCHOOL = BodyNames("Школа № 1", ("Муниципальное бюджетное общеобразовательное учреждение «Школа № 1»", "Школа № 1"))
OFFICE = BodyNames("Управление образования", ("Управление образования администрации района",
                                              "Управление образования", "Управлению образования"))
MUNICIPAL = BodyNames("Органы местного самоуправления", (
    "Органы местного самоуправления Ханты-Мансийского автономного округа – Югры, осуществляющие управление в сфере "
    "образования",))
BY = Deadline("до 01.02.2022", "by", due=date(2022, 2, 1))


@pytest.mark.parametrize(("text", "body", "named"), [
    ("Органам местного самоуправления Ханты-Мансийского автономного округа – Югры, осуществляющим управление в "
     "сфере образования:", MUNICIPAL, True),  # the dative of the full name
    ("Поручить Школе № 1 провести смотр.", SCHOOL, True),  # the short name, anywhere in the text
    ("Школе № 12 провести смотр.", SCHOOL, False),  # another number is another school
    ("Провести смотр школ.", SCHOOL, False),  # one word of the name is not the name
    ("Управлению образования подготовить отчёт.", OFFICE, True),
    ("Подготовить отчёт об управлении.", OFFICE, False),
])
def test_a_body_is_named_by_any_of_its_names_in_any_case(text, body, named):
    assert names_body([text], body) is named


@pytest.mark.parametrize(("deadline", "words"), [
    (Deadline("в срок до 1 февраля 2022 года", "by", due=date(2022, 2, 1)), "до 01.02.2022"),
    (Deadline("01.02.2022", "by", due=date(2022, 2, 1)), "до 01.02.2022"),
    (Deadline("не позднее 10 сентября 2025 года", "by", due=date(2025, 9, 10)), "до 10.09.2025"),
    (Deadline("с 1 сентября 2021 года", "from", start=date(2021, 9, 1)), "с 01.09.2021"),
    # a date read against the document's date is printed as typed: the draft is not signed yet
    (Deadline("в течение 10 дней", "by", due=date(2022, 2, 11)), "в течение 10 дней"),
    (Deadline("до 1 сентября", "by", due=date(2022, 9, 1)), "до 1 сентября"),
    (Deadline("Ежеквартально до 5 числа", "periodic"), "ежеквартально до 5 числа"),
    (Deadline("Срок: II квартал 2022 года", "by", due=date(2022, 6, 30)), "II квартал 2022 года"),
    (Deadline("после утверждения бюджета", "by"), "после утверждения бюджета"),
    (Deadline("2015 – 2016 гг", "period", due=date(2016, 12, 31), start=date(2015, 1, 1)), "2015 – 2016 гг"),
])
def test_what_follows_the_deadline_label(deadline, words):
    assert deadline_words(deadline) == words


@pytest.mark.parametrize(("text", "deadline", "printed"), [
    ("Создать службу в срок до 1 февраля 2022 года.", BY, False),  # the due date written out
    ("Создать службу до 01.02.2022.", BY, False),
    ("Создать службу до 1 марта 2022 года.", BY, True),  # another date: the typed deadline is printed
    ("Представлять отчёт ежеквартально, до 5 числа месяца.", Deadline("ежеквартально до 5 числа", "periodic"), False),
    ("Представлять отчёт.", Deadline("ежеквартально до 5 числа", "periodic"), True),
])
def test_a_deadline_the_text_says_is_not_printed_again(text, deadline, printed):
    assert bool(point_notes(text, [], deadline, ()).deadline) is printed


def test_all_bodies_or_none_and_a_label_by_their_number():
    notes = point_notes("Управлению образования провести смотр.", [OFFICE, SCHOOL], BY, ())
    # one of the two is named: the whole list, so that the line does not read as if the other one were not
    assert notes.lines == ["Срок: до 01.02.2022", "Ответственные: Управление образования, Школа № 1"]
    assert point_notes("Провести смотр.", [SCHOOL], Deadline(), ()).lines == ["Ответственный: Школа № 1"]
    comma = BodyNames("Органы, осуществляющие управление", ("Органы, осуществляющие управление",))
    assert point_notes("Провести смотр.", [SCHOOL, comma], Deadline(), ()).responsible == \
        "Школа № 1; Органы, осуществляющие управление"


def test_what_a_point_leading_in_said_or_printed_is_not_repeated():
    parent_text = "Управлению образования в срок до 1 февраля 2022 года разработать:"
    parent = point_notes(parent_text, [OFFICE], BY, ())
    assert parent.lines == []
    child = point_notes("Концепцию.", [OFFICE], BY, (lead_of(parent_text, parent, [OFFICE], BY),))
    assert child.lines == []
    # a parent that printed its lines: a child with the same bodies and deadline prints none, another one does
    printed = point_notes("Разработать:", [SCHOOL], BY, ())
    assert printed.lines == ["Срок: до 01.02.2022", "Ответственный: Школа № 1"]
    above = (lead_of("Разработать:", printed, [SCHOOL], BY),)
    assert point_notes("Концепцию.", [SCHOOL], BY, above).lines == []
    later = Deadline("до 01.03.2022", "by", due=date(2022, 3, 1))
    assert point_notes("Положение.", [OFFICE], later, above).lines == [
        "Срок: до 01.03.2022", "Ответственный: Управление образования"]
    # a plan's stage says the period of its points
    stage = (Lead(texts=("1 этап: 2015 – 2016 гг", "2015 – 2016 гг")),)
    period = Deadline("2015 – 2016 гг", "period", due=date(2016, 12, 31), start=date(2015, 1, 1))
    assert point_notes("Разработка положений.", [], period, stage).lines == []
