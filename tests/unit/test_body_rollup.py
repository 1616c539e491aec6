"""The dashboard's «по органам» adds each body's counts up the tree (`dashboard._rolled_up`): on random forests,
with parents missing from the bodies read and with cycles of bad data, every body gets exactly what climbing
from each counted body to the top gives (stopping where a cycle closes)."""

from __future__ import annotations

import random

import pytest

from webapp.services.dashboard import _rolled_up


def _above(body: int, parent_of: dict[int, int | None]) -> list[int]:
    """The body and every body above it, up to the top or to where a cycle closes."""
    chain: list[int] = []
    while body is not None and body not in chain:
        chain.append(body)
        body = parent_of.get(body)
    return chain


def _by_brute_force(own: dict[int, list[int]], parent_of: dict[int, int | None]) -> dict[int, list[int]]:
    """Each body reached: the sum of the counts of every counted body whose climb reaches it."""
    reached = {above for body in own for above in _above(body, parent_of)}
    sums = {}
    for target in reached:
        under = [counts for body, counts in own.items() if target in _above(body, parent_of)]
        sums[target] = [sum(counts[0] for counts in under), sum(counts[1] for counts in under)]
    return sums


@pytest.mark.parametrize("seed", range(20))
def test_the_counts_added_up_are_those_of_climbing_from_each_body(seed):
    rng = random.Random(seed)
    for _ in range(100):
        size = rng.randint(1, 40)
        # mostly a forest (a parent made before its child); some parents later or unknown: cycles and gaps
        parent_of = {body: rng.choice([None, *range(1, body)]) if rng.random() < 0.9 else rng.randint(1, size + 2)
                     for body in range(1, size + 1)}
        own = {rng.randint(1, size + 2): [rng.randint(0, 9), rng.randint(0, 4)] for _ in range(rng.randint(0, 25))}
        assert _rolled_up(own, parent_of) == _by_brute_force(own, parent_of)


def test_a_deep_chain_adds_every_body_below_once():
    parent_of = {body: body - 1 if body > 1 else None for body in range(1, 2001)}
    totals = _rolled_up({body: [1, body % 2] for body in parent_of}, parent_of)
    assert totals[1] == [2000, 1000] and totals[2000] == [1, 0] and totals[1001] == [1000, 500]
