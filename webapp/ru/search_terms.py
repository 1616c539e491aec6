"""Search terms of Russian text: words stemmed by Snowball's Russian stemmer (PyStemmer), for the full-text index
of both databases, and the snippets that show where a query matched.

The service stems, not the database: SQLite's FTS5 and PostgreSQL's tsvector both index the same space-separated
lexemes (PostgreSQL with the 'simple' configuration, which only lower-cases), so one query finds the same rows on
either engine. A query word matches a lexeme that starts with its stem («педагог» finds «педагогических»,
«обеспечить» finds «обеспечения»: «обеспеч» is a prefix of «обеспечен»).
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# Letters of one script or digits: «2024г» is «2024» and «г», «01-29/5» is «01», «29», «5». Both engines' tokenizers
# split such lexemes the same way as this.
_TOKEN = re.compile(r"[а-яё]+|[a-z]+|\d+", re.IGNORECASE)
# Words too common to narrow a search; a query of only these finds nothing instead of everything.
STOP_WORDS = frozenset("и в во на о об обо по с со к ко за из от до для не а или что как при у же бы ли".split())
MAX_QUERY_TERMS = 12

_stemmer = Stemmer.Stemmer("russian")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    if word.isdigit() or not ("а" <= word[0] <= "я"):
        return word
    return _stemmer.stemWord(word)


def lexemes(text: str | None) -> list[str]:
    """The stems of every word of a text, in order. Line by line: no word spans two lines, and the lines of the
    texts indexed repeat (an action, a body's name, a deadline, a document's label in each of its assignments'
    entries), so a bulk index (gen-load's) finds most of them done."""
    return [lexeme for line in (text or "").split("\n") for lexeme in _line_lexemes(line)]


@lru_cache(maxsize=8192)  # lines of a few hundred characters: a few MB at most
def _line_lexemes(line: str) -> tuple[str, ...]:
    return tuple(stem(token) for token in _TOKEN.findall(line))


def query_terms(query: str) -> list[str]:
    """The distinct stems a query asks for (every one must match), without stop words, at most MAX_QUERY_TERMS."""
    terms: list[str] = []
    for token in _TOKEN.findall(query or ""):
        if token.lower().replace("ё", "е") in STOP_WORDS:
            continue
        term = stem(token)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def matches_all(text_lexemes: list[str] | str, terms: list[str]) -> bool:
    """Whether every term is a prefix of some lexeme: what the index answers, in Python (for tests and snippets)."""
    words = text_lexemes.split() if isinstance(text_lexemes, str) else text_lexemes
    return bool(terms) and all(any(word.startswith(term) for word in words) for term in terms)


def snippet(text: str, terms: list[str], width: int = 240) -> list[tuple[str, bool]]:
    """A window of the text around the first matching word, as (piece, matched) pairs for the template to mark
    (the template escapes every piece: no HTML is built here). The words are stemmed up to the window's end only
    (a long document's text was stemmed whole for each hit shown)."""
    if not text:
        return []
    hits = (m for m in _TOKEN.finditer(text) if any(stem(m.group()).startswith(term) for term in terms))
    first = next(hits, None)
    start = 0
    if first is not None and first.start() > width // 3:
        start = text.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    pieces: list[tuple[str, bool]] = [("… ", False)] if start > 0 else []
    position = start
    for hit in ([first] if first is not None else []) + [*_until(hits, end)]:
        if hit.end() > end:
            break
        if hit.start() > position:
            pieces.append((text[position:hit.start()], False))
        pieces.append((hit.group(), True))
        position = hit.end()
    if position < end:
        pieces.append((text[position:end], False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


def _until(hits, end: int):
    """The hits up to the first that ends past `end` (included: the caller stops there)."""
    for hit in hits:
        yield hit
        if hit.end() > end:
            return
