"""Case changes of Russian noun phrases: addressee headings between the dative and the nominative."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pymorphy3 is imported when the first word is analysed (analyzer below)
    import pymorphy3
    from pymorphy3.analyzer import Parse

NOMINATIVE = "nomn"
DATIVE = "datv"
ACCUSATIVE = "accs"

_NOUNS = frozenset({"NOUN"})
_MODIFIERS = frozenset({"ADJF", "PRTF"})
# Words of these classes never start or continue a noun group, whatever rare reading the
# dictionary also offers (capital «И» has an abbreviation reading, for instance). Particles are
# not among them: the dictionary reads «Все» in «Все руководители» as a particle first.
_FUNCTION_WORDS = frozenset({"CONJ", "PREP", "INTJ"})
# After these a dative noun is the object of the preposition, not another addressee.
_DATIVE_PREPOSITIONS = frozenset({"по", "к", "ко", "согласно", "благодаря", "вопреки", "навстречу"})
_CONJUNCTIONS = frozenset({"и", "или"})
_NAME_GRAMMEMES = frozenset({"Surn", "Name", "Patr"})

_TOKEN = re.compile(
    r"(?P<quote>[«\"“„])"
    r"|(?P<initial>[А-ЯЁA-Z]\.)"
    r"|(?P<word>[^\W\d_]+(?:-[^\W\d_]+)*)"
    r"|(?P<open>\()"
    r"|(?P<close>\))"
    r"|(?P<comma>,)"
    r"|(?P<other>\S)"
)
_CLOSING_QUOTE = {"\"": "\"", "“": "”", "„": "“"}
# Where pymorphy3's dictionary offers two forms with the same grammemes and lists first the one official texts do
# not use: «Учителям» → «Учители» (archaic, «mentors») instead of «Учителя».
_PREFERRED_FORMS = {"учители": "учителя"}


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The shared analyzer; building one loads the dictionaries, which is too slow to repeat. Imported here, not
    at the top: a process that never analyses a word (most requests) does not hold pymorphy3."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=8192)
def parses(word: str) -> tuple[Parse, ...]:
    """All readings of a word, most probable first."""
    return tuple(analyzer().parse(word))


@dataclass(frozen=True)
class Token:
    """A piece of the phrase: a word, an initial, a quoted name, a bracket, a comma or other mark."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Direction:
    source: str
    target: str


def _quote_end(text: str, start: int) -> int:
    """End of the quoted name opening at start; guillemets nest, unclosed quotes run to the end."""
    opening = text[start]
    if opening == "«":
        depth = 0
        for position in range(start, len(text)):
            depth += {"«": 1, "»": -1}.get(text[position], 0)
            if depth == 0:
                return position + 1
        return len(text)
    closing = text.find(_CLOSING_QUOTE[opening], start + 1)
    if opening == "„" and closing < 0:
        closing = text.find("”", start + 1)
    return len(text) if closing < 0 else closing + 1


def tokenize(text: str) -> list[Token]:
    """Split a phrase into tokens; a quoted name is one token so its words are never inflected."""
    tokens: list[Token] = []
    position = 0
    while True:
        match = _TOKEN.search(text, position)
        if match is None:
            return tokens
        kind = match.lastgroup or "other"
        end = _quote_end(text, match.start()) if kind == "quote" else match.end()
        kind = "quoted" if kind == "quote" else kind
        tokens.append(Token(kind, text[match.start():end], match.start(), end))
        position = end


def _is_function_word(word: str) -> bool:
    readings = parses(word)
    return not readings or readings[0].tag.POS in _FUNCTION_WORDS


def _readings(token: Token, case: str, classes: frozenset[str]) -> list[Parse]:
    """Readings of a word token in the given case and word classes; fixed (indeclinable) ones are useless."""
    if token.kind != "word" or _is_function_word(token.text):
        return []
    return [
        p for p in parses(token.text)
        if p.tag.case == case and p.tag.POS in classes and "Fixd" not in p.tag
    ]


def _agrees(modifier: Parse, head: Parse) -> bool:
    if modifier.tag.number != head.tag.number:
        return False
    if head.tag.number == "plur":
        return True
    # Common-gender nouns («глава») take either form; so do modifiers the dictionary leaves ungendered.
    if head.tag.gender is None or "ms-f" in head.tag:
        return True
    return modifier.tag.gender is None or modifier.tag.gender == head.tag.gender


def _group_words(tokens: list[Token], start: int, source: str) -> list[tuple[int, list[Parse], bool]]:
    """Indexes and readings of the words forming a noun group at start; the flag marks a noun."""
    words: list[tuple[int, list[Parse], bool]] = []
    index = start
    while index < len(tokens):
        nouns = _readings(tokens[index], source, _NOUNS)
        modifiers = _readings(tokens[index], source, _MODIFIERS)
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        continues = following is not None and bool(_readings(following, source, _NOUNS | _MODIFIERS))
        if modifiers and continues:
            words.append((index, modifiers, False))
        elif nouns:
            return [*words, (index, nouns, True)]
        elif modifiers:
            # A modifier with no noun after it is used as a noun: «Уполномоченному по правам ребёнка».
            return [*words, (index, modifiers, True)]
        else:
            break
        index += 1
    return words if words and words[-1][2] else []


def noun_group(tokens: list[Token], start: int, source: str) -> list[tuple[int, Parse]]:
    """The modifiers and head noun at start, each with the reading that makes them agree; [] if none."""
    words = _group_words(tokens, start, source)
    if not words:
        return []
    *modifiers, (head_index, head_readings, _) = words
    for head in head_readings:
        chosen = [_agreeing(readings, head) for _, readings, _ in modifiers]
        if all(parse is not None for parse in chosen):
            pairs = [(index, parse) for (index, _, _), parse in zip(modifiers, chosen, strict=True) if parse]
            return [*pairs, (head_index, head)]
    return []


def _agreeing(readings: list[Parse], head: Parse) -> Parse | None:
    """The modifier reading agreeing with the head.

    Some forms belong to two lemmas («окружному»: «окружной» and «окружный»); body names are built
    from relational adjectives, so a qualitative reading is the last resort.
    """
    ranked = sorted(readings, key=lambda parse: "Qual" in parse.tag)
    return next((parse for parse in ranked if _agrees(parse, head)), None)


def _inflect(parse: Parse, case: str) -> str | None:
    grammemes = {case}
    if parse.tag.number:
        grammemes.add(parse.tag.number)
    if parse.tag.POS in _MODIFIERS and parse.tag.number == "sing" and parse.tag.gender:
        grammemes.add(parse.tag.gender)
    inflected = parse.inflect(grammemes)
    if inflected is None:
        return None
    return "-".join(_PREFERRED_FORMS.get(part, part) for part in inflected.word.split("-"))


def _match_case(original: str, new: str) -> str:
    """Give the inflected word the capitals and the «е»/«ё» spelling the original used."""
    if "ё" not in original.lower():
        new = new.replace("ё", "е")
    old_parts, new_parts = original.split("-"), new.split("-")
    if len(old_parts) != len(new_parts):
        old_parts, new_parts = [original], [new]
    result = []
    for old, part in zip(old_parts, new_parts, strict=True):
        if len(old) > 1 and old.isupper():
            part = part.upper()
        elif old[:1].isupper():
            part = part[:1].upper() + part[1:]
        result.append(part)
    return "-".join(result)


class _Recaser:
    """Walks one phrase, deciding which words belong to the addressee and must change case."""

    def __init__(self, text: str, direction: _Direction) -> None:
        self.text = text
        self.direction = direction
        self.tokens = tokenize(text)
        self.plan: dict[int, str] = {}
        self.heads: list[Parse] = []

    def run(self) -> str:
        start = next((i for i, token in enumerate(self.tokens) if token.kind == "word"), None)
        if start is None:
            return self.text
        index = self._take_group(start)
        if index is None:
            return self.text
        self._walk_dependents(index)
        return self._render()

    def _take_group(self, start: int) -> int | None:
        """Recase the noun group at start and any bracketed alternative; the index after them."""
        group = noun_group(self.tokens, start, self.direction.source)
        if not group:
            return None
        self._recase(group)
        self.heads.append(group[-1][1])
        return self._take_alternative(group[-1][0] + 1)

    def _take_alternative(self, index: int) -> int:
        """«Главам (заместителям)»: a bracketed noun group right after a head is an alternative to it."""
        if index >= len(self.tokens) or self.tokens[index].kind != "open":
            return index
        close = next((i for i in range(index, len(self.tokens)) if self.tokens[i].kind == "close"), None)
        if close is None:
            return index
        group = noun_group(self.tokens, index + 1, self.direction.source)
        if not group or group[-1][0] != close - 1 or group[-1][1].tag.number != self.heads[-1].tag.number:
            return index
        self._recase(group)
        return close + 1

    def _walk_dependents(self, index: int) -> None:
        """Look past the head's dependents for coordinated addressees and agreeing participial clauses."""
        blocked = False
        while index < len(self.tokens):
            token = self.tokens[index]
            lowered = token.text.lower()
            if token.kind == "word" and lowered in _DATIVE_PREPOSITIONS:
                blocked = True
            elif token.kind == "comma" and self._take_clause(index + 1):
                # Whatever follows belongs to the clause (its objects), not to the addressee.
                blocked = True
                index += 2
                continue
            elif (token.kind == "comma" or lowered in _CONJUNCTIONS) and not blocked:
                after = self._take_coordinated(index + 1)
                if after is not None:
                    index = after
                    continue
            elif self._take_person(index):
                pass
            index += 1

    def _take_clause(self, index: int) -> bool:
        """«…, осуществляющим управление»: a participle after a comma agreeing with a head."""
        if index >= len(self.tokens):
            return False
        for reading in _readings(self.tokens[index], self.direction.source, _MODIFIERS):
            if any(_agrees(reading, head) for head in self.heads) or (
                len(self.heads) > 1 and reading.tag.number == "plur"
            ):
                self._recase([(index, reading)])
                return True
        return False

    def _take_coordinated(self, index: int) -> int | None:
        if index >= len(self.tokens) or self.tokens[index].kind != "word":
            return None
        # A word that could be genitive most likely continues the dependents («образования и науки»).
        if any(p.tag.case == "gent" for p in parses(self.tokens[index].text)):
            return None
        return self._take_group(index)

    def _take_person(self, index: int) -> bool:
        """A surname next to initials is a person named in apposition: «Директору … Петровой А.А.»."""
        token = self.tokens[index]
        if token.kind != "word" or not token.text[:1].isupper():
            return False
        neighbours = (self.tokens[i] for i in (index - 1, index + 1) if 0 <= i < len(self.tokens))
        if not any(neighbour.kind == "initial" for neighbour in neighbours):
            return False
        readings = [
            p for p in _readings(token, self.direction.source, _NOUNS) if _NAME_GRAMMEMES & p.tag.grammemes
        ]
        if readings:
            self._recase([(index, readings[0])])
        return bool(readings)

    def _recase(self, words: Iterable[tuple[int, Parse]]) -> None:
        for index, parse in words:
            inflected = _inflect(parse, self.direction.target)
            if inflected:
                self.plan[index] = _match_case(self.tokens[index].text, inflected)

    def _render(self) -> str:
        pieces: list[str] = []
        position = 0
        for index in sorted(self.plan):
            token = self.tokens[index]
            pieces += [self.text[position:token.start], self.plan[index]]
            position = token.end
        pieces.append(self.text[position:])
        return "".join(pieces)


def to_nominative(phrase: str) -> str:
    """«Министерству образования …» → «Министерство образования …»: the addressee heading as a name."""
    return _Recaser(phrase, _Direction(DATIVE, NOMINATIVE)).run()


def accusative_to_nominative(phrase: str) -> str:
    """«руководителей образовательных организаций» → «руководители образовательных организаций»: whom «Обязать …»
    or «Просить …» names, or a control clause («возложить на заместителя министра Соколова А.В.»), as a name."""
    return _Recaser(phrase, _Direction(ACCUSATIVE, NOMINATIVE)).run()


class _AccusativeRecaser(_Recaser):
    """Nominative to accusative: a modifier takes its head's animacy («первого заместителя», «методический
    отдел»)."""

    def _recase(self, words: Iterable[tuple[int, Parse]]) -> None:
        words = list(words)
        animacy = (words[-1][1].tag.animacy or "inan") if words else "inan"
        for index, parse in words:
            inflected = None
            if parse.tag.POS in _MODIFIERS and parse.tag.number == "sing":
                form = parse.inflect({ACCUSATIVE, "sing", parse.tag.gender or "masc", animacy})
                inflected = form.word if form else None
            inflected = inflected or _inflect(parse, self.direction.target)
            if inflected:
                self.plan[index] = _match_case(self.tokens[index].text, inflected)


def to_accusative(phrase: str) -> str:
    """«начальник отдела Суртаева А.М.» → «начальника отдела Суртаеву А.М.»: whom a control clause names after
    «возложить на». A phrase already in the accusative (no nominative reading) comes back as typed."""
    recaser = _AccusativeRecaser(phrase, _Direction(NOMINATIVE, ACCUSATIVE))
    result = recaser.run()
    words = [t for t in recaser.tokens if t.kind == "word"]
    if result == phrase and len(words) == 1 and any(t.kind == "initial" for t in recaser.tokens):
        # A person alone, «Суртаева А.М.», is no noun group: recase the surname by itself.
        for index in range(len(recaser.tokens)):
            recaser._take_person(index)
        result = recaser._render()
    return result


def to_genitive(name: str) -> str:
    """«Министерство образования …» → «Министерства образования …»: a body named after what it issued
    («приказом Министерства …» in a гриф утверждения)."""
    return _Recaser(name, _Direction(NOMINATIVE, "gent")).run()


def gender_of(noun: str) -> str | None:
    """masc, femn or neut of a noun in the nominative («положение» → neut), None when unknown."""
    for parse in parses(noun.lower()):
        if parse.tag.POS == "NOUN" and parse.tag.case == NOMINATIVE:
            return parse.tag.gender
    return None


def to_dative(name: str) -> str:
    """«Министерство образования …» → «Министерству образования …»: a body name as an addressee."""
    return _Recaser(name, _Direction(NOMINATIVE, DATIVE)).run()


def surname_lemmas(word: str) -> frozenset[str]:
    """What a surname may be in the dictionary, whatever its case and gender: «Суртаеву», «Суртаева» and
    «Суртаев» share «суртаев»; an unknown word still matches itself."""
    word = word.lower().replace("ё", "е")
    forms = {word}
    for parse in parses(word):
        if "Surn" in parse.tag or parse.tag.POS == "NOUN":
            forms.add(parse.normal_form.replace("ё", "е"))
    return frozenset(forms)


@lru_cache(maxsize=512)
def with_count(count: int, word: str) -> str:
    """«1 раз», «2 раза», «5 раз»: a count and a noun agreed with it (pymorphy3), the word as given when unknown."""
    readings = [p for p in parses(word) if p.tag.POS == "NOUN"]
    parse = next((p for p in readings if {"nomn", "sing"} in p.tag and p.normal_form == word.lower()),
                 readings[0] if readings else None)
    agreed = parse.make_agree_with_number(abs(count)) if parse is not None else None
    if agreed is not None:
        # A lexeme may hold two forms of the case wanted: «людей» and the counting form «человек» (gent, plur).
        # pymorphy3 takes the first; a count wants the one built on the word's own stem («25 человек»).
        twins = [f for f in parse.lexeme if f.tag.number == agreed.tag.number and f.tag.case == agreed.tag.case
                 and not {"Infr", "Arch"} & f.tag.grammemes]
        agreed = max(twins, key=lambda f: len(os.path.commonprefix([f.word, word.lower()])), default=agreed)
    return f"{count} {_match_case(word, agreed.word) if agreed is not None else word}"


_GENDERS = ("masc", "femn", "neut")


@lru_cache(maxsize=1024)
def agree_with(phrase: str, noun: str) -> str:
    """A phrase of short participles and adjectives written for a masculine noun, agreed with `noun`:
    («отправлен на согласование», «Решение») → «отправлено на согласование»; other words stay as written."""
    head = next((p for p in parses(noun.split()[0]) if p.tag.POS == "NOUN" and "nomn" in p.tag), None)
    gender = next((g for g in _GENDERS if head is not None and g in head.tag), "masc")
    if gender == "masc":
        return phrase
    words = []
    for word in phrase.split(" "):
        reading = next((p for p in parses(word.lower()) if p.tag.POS in ("PRTS", "ADJS") and "masc" in p.tag), None)
        inflected = reading.inflect({gender, "sing"}) if reading is not None else None
        words.append(_match_case(word, inflected.word) if inflected is not None else word)
    return " ".join(words)
