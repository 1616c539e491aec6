"""lexemes() works line by line with the lines' stems kept (a bulk index meets the same lines again and again):
what it gives is still the stems of every word of the whole text, in order."""

from __future__ import annotations

import pytest

from webapp.ru.search_terms import lexemes, stem

TEXTS = [
    "Приказ № 12 от 01.03.2024\nО проведении мониторинга качества образования",
    "обеспечить участие\r\nпедагогических работников\n\n\nв 2024г. (этап II)",
    "одна строка без переводов",
    "\n",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_stems_of_every_word_in_order(text):
    words = text.replace("\r", " ").replace("\n", " ").replace(".", " ").replace("(", " ").replace(")", " ").split()
    tokens = [part for word in words for part in _split(word)]
    assert lexemes(text) == [stem(token) for token in tokens]
    assert lexemes(text) == lexemes(text)  # the second time from the lines kept


def _split(word: str) -> list[str]:
    """«2024г» is «2024» and «г», «№» is no word: letters of one script or digits."""
    parts, current, kind = [], "", None
    for char in word:
        this = "digit" if char.isdigit() else "cyrillic" if "а" <= char.lower() <= "я" or char.lower() == "ё" \
            else "latin" if "a" <= char.lower() <= "z" else None
        if this != kind and current:
            parts.append(current)
            current = ""
        current, kind = (current + char, this) if this else ("", None)
    return parts + ([current] if current else [])


def test_nothing_is_no_stems():
    assert lexemes(None) == []
