"""Names in the order a Russian reader looks for them: case aside, «ё» as «е», and numbers by their value —
«школа № 2» before «школа № 10», «район № 9» before «район № 10» (character by character, «№ 10» came first)."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+)")


def _fold(text: str | None) -> str:
    """The text as both keys compare its letters: case-folded, «ё» as «е»."""
    return (text or "").casefold().replace("ё", "е")


def natural_key(text: str) -> tuple:
    """A sort key: the text's runs of letters (case-folded, «ё» as «е») and of digits (as numbers) in turn."""
    parts = _NUMBER.split(_fold(text))
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


_DIGITS = 12  #: a number's width in sort_text: longer numbers keep their length (and so sort after shorter ones)


def sort_text(text: str) -> str:
    """natural_key as text, which a database orders byte by byte (PostgreSQL's "C" collation, SQLite's BINARY):
    case-folded, «ё» as «е», every number padded with zeros to _DIGITS digits — «район № 000000000002» before
    «район № 000000000010». Stored beside a name (Body.sort_key) so that a list in keyset pages sorts naturally."""
    return _NUMBER.sub(lambda m: m.group(1).lstrip("0").rjust(_DIGITS, "0"), _fold(text))
