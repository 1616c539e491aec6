"""Russian typography of printed text (webapp.ru.typography) and names in the accusative for the control clause."""

from __future__ import annotations

import pytest

from webapp.ru.morph import to_accusative
from webapp.ru.typography import initials_first, typeset, typeset_all

S = "\u00a0"  # non-breaking space
D = "\u2013"  # en dash


@pytest.mark.parametrize(("text", "printed"), [
    ("Приказ № 339", f"Приказ №{S}339"),
    ("№339 и №№ 1, 2", f"№{S}339 и №№{S}1, 2"),
    ("№ 01-29/15", f"№{S}01-29/15"),  # a number's own hyphens stay
    ("А.М. Суртаева", f"А.М.{S}Суртаева"),
    ("А. М. Суртаева", f"А.{S}М.{S}Суртаева"),
    ("Суртаева А.М.", f"Суртаева{S}А.М."),
    ("Контролёр А.М. Суртаева", f"Контролёр А.М.{S}Суртаева"),  # a position is not a surname
    ("1 февраля 2022 г.", f"1{S}февраля{S}2022{S}г."),
    ("в срок до 1 февраля 2022 года", f"в срок до 1{S}февраля{S}2022{S}года"),
    ("в 2020 г. и в 2015-2016 гг.", f"в 2020{S}г. и в 2015{D}2016{S}гг."),
    ("10.00-17.00 часов", f"10.00{D}17.00 часов"),
    ("тел. 22-4-46", "тел. 22-4-46"),  # a phone is not a range
    ("100 руб., 5 тыс. руб., 15 %", f"100{S}руб., 5{S}тыс.{S}руб., 15{S}%"),
    ("г. Элиста, ул. Чехова, д. 12", f"г.{S}Элиста, ул.{S}Чехова, д.{S}12"),
    ("Председатель - Цулая", f"Председатель{S}{D} Цулая"),
    ("план-график", "план-график"),
    ("Центр «Точка роста» и «Центр «Точка роста»»", "Центр «Точка роста» и «Центр „Точка роста“»"),
    ('школа "Лидер"', "школа «Лидер»"),
    ('"Школа "Лидер""', "«Школа „Лидер“»"),
    ("", ""),
])
def test_typeset(text, printed):
    assert typeset(text) == printed
    assert typeset(printed) == printed  # idempotent: rendering twice changes nothing more


def test_typeset_all_walks_a_context_and_keeps_other_values():
    context = {"doc": {"number": "№ 5", "lines": [{"text": "до 1 мая 2026 г.", "level": 1}], "flag": True}}
    assert typeset_all(context) == {"doc": {"number": f"№{S}5", "lines": [{"text": f"до 1{S}мая{S}2026{S}г.",
                                                                           "level": 1}], "flag": True}}
    assert context["doc"]["number"] == "№ 5"  # the original is not changed


@pytest.mark.parametrize(("name", "short"), [
    ("Цулая Лариса Владимировна", "Л.В. Цулая"),
    ("Цулая Л.В.", "Л.В. Цулая"),
    ("Цулая Л. В.", "Л.В. Цулая"),
    ("Л.В.Цулая", "Л.В. Цулая"),
    ("Римский-Корсаков Н.А.", "Н.А. Римский-Корсаков"),
    ("рабочие группы", "рабочие группы"),
    ("Администратор системы", "Администратор системы"),
])
def test_initials_first(name, short):
    assert initials_first(name) == short


@pytest.mark.parametrize(("typed", "accusative"), [
    ("Суртаева А.М.", "Суртаеву А.М."),
    ("Петров И.И.", "Петрова И.И."),
    ("начальник информационно-методического отдела Суртаева А.М.",
     "начальника информационно-методического отдела Суртаеву А.М."),
    ("первый заместитель начальника управления Иванова О.П.",
     "первого заместителя начальника управления Иванову О.П."),
    ("начальника отдела Суртаеву А.М.", "начальника отдела Суртаеву А.М."),  # typed in the accusative already
    ("заместителя министра Соколова А.В.", "заместителя министра Соколова А.В."),
    ("информационно-методический отдел", "информационно-методический отдел"),
])
def test_to_accusative(typed, accusative):
    assert to_accusative(typed) == accusative


@pytest.mark.parametrize(("approved", "approving", "word"), [
    ("Положение", "order", "УТВЕРЖДЕНО"), ("План", "order", "УТВЕРЖДЁН"), ("Инструкция", "decision", "УТВЕРЖДЕНА"),
    ("Резолюция", "protocol", "УТВЕРЖДЕНА"),
])
def test_approval_stamp_agrees_with_the_approved_document(approved, approving, word):
    from webapp.rendering.gost import INSTRUMENTAL, approval_stamp

    stamp = approval_stamp(approved, approving, "Министерство образования и науки Республики Калмыкия",
                           "26.12.2020", "339")
    assert stamp == [word, f"{INSTRUMENTAL[approving]} Министерства образования и науки Республики Калмыкия",
                     "от 26.12.2020 № 339"]
    assert approval_stamp(approved, approving, "", "", "")[2] == "от __________ № _____"  # a draft's blanks
