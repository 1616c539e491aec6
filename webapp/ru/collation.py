"""Names in the order a Russian reader looks for them: case aside, «ё» as «е», and numbers by their value —
«школа № 2» before «школа № 10», «район № 9» before «район № 10» (character by character, «№ 10» came first)."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A sort key: the text's runs of letters (case-folded, «ё» as «е») and of digits (as numbers) in turn."""
    parts = _NUMBER.split((text or "").casefold().replace("ё", "е"))
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
