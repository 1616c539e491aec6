"""The assignment-extraction scorer (shared/tools/score_extract.py) as functions for tests: the same text
normalisation, greedy alignment by action words and metrics, returning figures instead of printing them."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

WORD = re.compile(r"[0-9a-zа-я]+")
QUOTES = str.maketrans({c: " " for c in "«»\"“”„'`()"})
META_FIELDS = ("doc_type", "number", "date")


def norm(text):
    if text is None:
        return None
    text = str(text).lower().replace("ё", "е").translate(QUOTES)
    text = re.sub(r"\s+", " ", text).strip(" .,;:-–—")
    return text or None


def words(text, limit=None):
    toks = [w for w in WORD.findall(norm(text) or "") if len(w) > 2]
    return toks[:limit] if limit else toks


def action_similarity(gold_action, pred_action):
    gold = set(words(gold_action, 12))
    if not gold:
        return 0.0
    pred = set(words(pred_action, 40))
    return len(gold & pred) / len(gold)


def same_text(a, b):
    a, b = norm(a), norm(b)
    if a is None or b is None:
        return a is None and b is None
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.9


def due(a):
    """The assignment's date: its start for 'from' deadlines, else its deadline."""
    if (a.get("deadline_kind") or "none") == "from":
        return a.get("start") or a.get("deadline") or None
    return a.get("deadline") or None


def align(gold, pred):
    """Greedy one-to-one alignment by action similarity (>= 0.6)."""
    scored = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            s = action_similarity(g.get("action"), p.get("action"))
            if g.get("point") and p.get("point") and str(g["point"]) == str(p["point"]):
                s += 0.05
            if s >= 0.6:
                scored.append((s, gi, pi))
    scored.sort(reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in scored:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gold[gi], pred[pi]))
    return pairs


def ratio(hit, total):
    return hit / total if total else 1.0


def load(path: Path) -> dict[str, dict]:
    docs = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            docs[obj.get("file")] = obj
    return docs


@dataclass
class Score:
    """The scorer's summary line, plus every miss (as its -v option prints them) for assertion messages."""

    documents: int = 0
    gold: int = 0
    pred: int = 0
    tp: int = 0
    responsible_ok: int = 0
    deadline_ok: int = 0
    kind_ok: int = 0
    meta_ok: int = 0
    meta_total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.pred)

    @property
    def recall(self) -> float:
        return ratio(self.tp, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def responsible(self) -> float:
        return ratio(self.responsible_ok, self.tp)

    @property
    def deadline(self) -> float:
        return ratio(self.deadline_ok, self.tp)

    @property
    def kind(self) -> float:
        return ratio(self.kind_ok, self.tp)

    @property
    def meta(self) -> float:
        return ratio(self.meta_ok, self.meta_total)

    def summary(self) -> str:
        return (f"documents={self.documents} gold={self.gold} pred={self.pred} P={self.precision:.3f} "
                f"R={self.recall:.3f} F1={self.f1:.3f} responsible={self.responsible:.3f} "
                f"deadline={self.deadline:.3f} kind={self.kind:.3f} meta={self.meta:.3f}")

    def report(self) -> str:
        return "\n".join([*self.misses, self.summary()])


def score(gold: dict[str, dict], pred: dict[str, dict]) -> Score:
    """Score predictions against gold documents, both keyed by file name, as score_extract.py does."""
    result = Score(documents=len(gold))
    for name, g in sorted(gold.items()):
        p = pred.get(name) or {}
        # a gold assignment whose action the source lost (truncated text) cannot be aligned: skip it
        ga = [a for a in g.get("assignments") or [] if a.get("action")]
        pa = p.get("assignments") or []
        pairs = align(ga, pa)
        result.tp += len(pairs)
        result.gold += len(ga)
        result.pred += len(pa)
        result.responsible_ok += sum(same_text(x.get("responsible_nominative"), y.get("responsible_nominative"))
                                     for x, y in pairs)
        result.deadline_ok += sum(due(x) == due(y) for x, y in pairs)
        result.kind_ok += sum((x.get("deadline_kind") or "none") == (y.get("deadline_kind") or "none")
                              for x, y in pairs)
        for key in META_FIELDS:
            if key in g:
                result.meta_total += 1
                result.meta_ok += same_text(g.get(key), p.get(key))
                if not same_text(g.get(key), p.get(key)):
                    result.misses.append(f"{name}: {key}: gold {g.get(key)!r} pred {p.get(key)!r}")
        hit_g = {id(x) for x, _ in pairs}
        hit_p = {id(y) for _, y in pairs}
        for x in ga:
            if id(x) not in hit_g:
                result.misses.append(f"{name}: missed: {x.get('point')} {str(x.get('action'))[:70]}")
        for y in pa:
            if id(y) not in hit_p:
                result.misses.append(f"{name}: extra: {y.get('point')} {str(y.get('action'))[:70]}")
        for x, y in pairs:
            if not same_text(x.get("responsible_nominative"), y.get("responsible_nominative")):
                result.misses.append(f"{name}: responsible: gold {x.get('responsible_nominative')!r} "
                                     f"pred {y.get('responsible_nominative')!r}")
            if due(x) != due(y):
                result.misses.append(f"{name}: deadline: gold {due(x)} pred {due(y)} ({x.get('deadline_text')!r})")
            if (x.get("deadline_kind") or "none") != (y.get("deadline_kind") or "none"):
                result.misses.append(f"{name}: kind: gold {x.get('deadline_kind')} pred {y.get('deadline_kind')} "
                                     f"({str(x.get('action'))[:50]})")
    return result
