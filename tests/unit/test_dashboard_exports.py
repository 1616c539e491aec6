"""The справка's wording: a document's title shortened between words, never inside one; the reference to it."""

from __future__ import annotations

import pytest

from webapp.services.exports import TITLE_LIMIT, reference, shorten

LONG = ("совещания по реализации проекта создания и внедрения региональной системы научно-методического "
        "сопровождения педагогических работников и управленческих кадров")


@pytest.mark.parametrize("limit", [10, 37, 60, 99, TITLE_LIMIT])
def test_a_title_is_shortened_between_words(limit):
    short = shorten(LONG, limit)
    assert len(short) <= limit + 1 and short.endswith("…")
    kept = short.removesuffix("…").split()
    assert kept == LONG.split()[:len(kept)]  # whole words, the last one too


def test_a_short_title_and_one_long_word_stay_readable():
    assert shorten("Об утверждении положения", 100) == "Об утверждении положения"
    assert shorten("  лишние   пробелы ", 100) == "лишние пробелы"
    assert shorten("а" * 30, 10) == "а" * 10 + "…"  # no space to cut at: the word is cut, and marked


def test_the_reference_names_the_document_as_the_справка_prints_it():
    protocol = {"document_type": "protocol", "document_title": LONG + ".", "document_date": "2021-06-10",
                "document_number": "1"}
    text = reference(protocol)
    assert text.startswith("Протокол совещания по реализации проекта") and text.endswith("от 10.06.2021 № 1")
    order = {"document_type": "order", "document_title": "Об утверждении положения", "document_date": "2020-12-26",
             "document_number": "339"}
    assert reference(order) == "Приказ от 26.12.2020 № 339 «Об утверждении положения»"
    assert reference({**order, "document_date": "", "document_number": ""}) == "Приказ «Об утверждении положения»"
