"""What a reader gives (Source: plain text, one paragraph per line, and notes on what was done) and how it refuses
a file (SourceError, in Russian with an English version)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["docx", "text", "pdf"]

ACCEPTED = ("документ Word (DOCX), текстовый файл (TXT) в кодировке UTF-8, Windows-1251, KOI8-R или CP866, "
            "PDF с текстовым слоем")
ACCEPTED_EN = "a Word document (DOCX), a text file (TXT) in UTF-8, Windows-1251, KOI8-R or CP866, a PDF with text"


class SourceError(ValueError):
    """A file that cannot be read as a source; `reason` is a sentence for the user (Russian), `english` the same for
    the command line."""

    def __init__(self, reason: str, english: str):
        super().__init__(reason)
        self.reason = reason
        self.english = english


@dataclass(frozen=True)
class Note:
    """One thing a reader did or noticed (a table's size, the encoding found, page numbers left out)."""

    text: str  # Russian
    english: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Source:
    """An uploaded file as plain text: one paragraph per line in reading order, no empty lines; a table row is one
    line with its cells separated by TAB characters; a numbered paragraph starts with its number as Word shows it."""

    text: str
    kind: Kind
    encoding: str | None = None  # for text files: utf-8, utf-16, windows-1251, koi8-r, cp866
    notes: tuple[Note, ...] = field(default=())

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n") if self.text else []


def unknown_type(what: str | None = None, what_en: str | None = None) -> SourceError:
    """The refusal of a file that is none of the kinds read, naming what it is when that is known."""
    if what:
        return SourceError(f"Это {what}, такой файл не принимается. Принимаются: {ACCEPTED}.",
                           f"This is {what_en}, which is not accepted. Accepted: {ACCEPTED_EN}.")
    return SourceError(f"Тип файла не распознан по содержимому. Принимаются: {ACCEPTED}.",
                       f"The file's type is not recognised by its content. Accepted: {ACCEPTED_EN}.")


def no_text() -> SourceError:
    return SourceError("В файле нет текста.", "The file has no text.")


SPACES = re.compile(r"[^\S\t\n]+")  # any run of whitespace except tabs and line breaks, NBSP and thin spaces too
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters


def clean(text: str) -> str:
    """One paragraph's text: invisible characters dropped, each run of spaces (NBSP too) one space, no tabs or line
    breaks, nothing at either end."""
    return SPACES.sub(" ", INVISIBLE.sub("", text).replace("\t", " ").replace("\n", " ")).strip()


def size_label(count: int) -> tuple[str, str]:
    """A byte count for people: (Russian, English)."""
    if count < 1024 * 1024:
        kb = max(1, round(count / 1024))
        return f"{kb} КБ", f"{kb} KB"
    mb = count / (1024 * 1024)
    text = f"{mb:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',')} МБ", f"{text} MB"


PLURALS = {"строка": ("строка", "строки", "строк"), "столбец": ("столбец", "столбца", "столбцов"),
           "абзац": ("абзац", "абзаца", "абзацев"), "страница": ("страница", "страницы", "страниц")}


def plural(count: int, word: str) -> str:
    """The Russian form of one of PLURALS' words that goes with `count`."""
    forms = PLURALS[word]
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]
