"""The shipped demo content holds all the text of each sample and the gold annotation's assignments."""

import json
from pathlib import Path

import pytest

from tests import demo_coverage

DATA = Path(__file__).parents[2] / "webapp" / "demo" / "data"
SEEDS = Path(__file__).parents[1] / "data" / "seeds"
GOLD = {row["file"].removesuffix(".txt"): row
        for row in map(json.loads, (SEEDS.parent / "seeds.gold.jsonl").read_text(encoding="utf-8").splitlines())}


def _load(slug):
    return json.loads((DATA / f"{slug}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_demo_document_reproduces_the_sample_text(slug):
    _ref, _got, recall, precision = demo_coverage.coverage(_load(slug), SEEDS / f"{slug}.txt", verbose=False)
    assert recall >= 0.99 and precision >= 0.99


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_demo_document_agrees_with_gold(slug):
    bodies = json.loads((DATA / "bodies.json").read_text(encoding="utf-8"))
    resolve = {alias: b["name"] for b in bodies for alias in [b["name"], *(b.get("aliases") or [])]}
    doc = _load(slug)
    problems = (demo_coverage.check_bodies(doc, {b["name"] for b in bodies})
                + demo_coverage.check_assignments(doc, GOLD[slug], resolve)
                + demo_coverage.check_header(doc, GOLD[slug]))
    assert problems == []
