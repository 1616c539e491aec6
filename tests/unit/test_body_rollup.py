"""The dashboard's «по органам» adds each body's counts up the tree (`dashboard._rolled_up`): on random forests,
with parents missing from the bodies read and with cycles of bad data, every body gets exactly what climbing
from each counted body to the top gives (stopping where a cycle closes)."""

from __future__ import annotations

import random

import pytest

from webapp.services.dashboard import _rolled_up


def _climbing(own: dict[int, list[int]], parent_of: dict[int, int | None]) -> dict[int, list[int]]:
    totals: dict[int, list[int]] = {}
    for body_id, (open_count, late_count) in own.items():
        seen: set[int] = set()
        while body_id is not None and body_id not in seen:
            seen.add(body_id)
            counts = totals.setdefault(body_id, [0, 0])
            counts[0] += open_count
            counts[1] += late_count
            body_id = parent_of.get(body_id)
    return totals


@pytest.mark.parametrize("seed", range(20))
def test_the_counts_added_up_are_those_of_climbing_from_each_body(seed):
    rng = random.Random(seed)
    for _ in range(100):
        size = rng.randint(1, 40)
        # mostly a forest (a parent made before its child); some parents later or unknown: cycles and gaps
        parent_of = {body: rng.choice([None, *range(1, body)]) if rng.random() < 0.9 else rng.randint(1, size + 2)
                     for body in range(1, size + 1)}
        own = {rng.randint(1, size + 2): [rng.randint(0, 9), rng.randint(0, 4)] for _ in range(rng.randint(0, 25))}
        assert _rolled_up(own, parent_of) == _climbing(own, parent_of)


def test_a_deep_chain_adds_every_body_below_once():
    parent_of = {body: body - 1 if body > 1 else None for body in range(1, 2001)}
    totals = _rolled_up({body: [1, body % 2] for body in parent_of}, parent_of)
    assert totals[1] == [2000, 1000] and totals[2000] == [1, 0] and totals[1001] == [1000, 500]
