"""Simulated experiments, to validate the non-inferiority test (tests, benchmarks/experiment.py):
a band of tasks with known pass rates, the changed setting truly ``delta`` off on each, rounds of
paired runs until the test of verdict.look_verdict stops or ``max_rounds`` is reached."""

from __future__ import annotations

import random
from collections.abc import Sequence

from overseer.evidence.betting import above, below


def promoted(rates: Sequence[float], delta: float, *, margin: float, alpha: float, max_rounds: int,
             seeded: bool, rng: random.Random) -> tuple[bool, int]:
    """(whether the train test would promote, rounds run). Seeded sampling: both settings draw
    the same uniform for a (task, round), as two models called with the same seed do in the
    simulator; fresh: each draws its own."""
    rounds: list[list[float]] = []
    for _ in range(max_rounds):
        row = []
        for p in rates:
            u = rng.random()
            v = u if seeded else rng.random()
            row.append(float(v < min(1.0, max(0.0, p + delta))) - float(u < p))
        rounds.append(row)
        if above(rounds, -margin, alpha):
            return True, len(rounds)
        if below(rounds, -margin, alpha):
            return False, len(rounds)
    return False, len(rounds)


def promote_rate(rates: Sequence[float], delta: float, *, trials: int, margin: float = 0.02,
                 alpha: float = 0.05, max_rounds: int = 16, seeded: bool = True,
                 seed: int = 0) -> tuple[float, float]:
    """(share of ``trials`` promoted, mean rounds run)."""
    rng = random.Random(seed)
    results = [promoted(rates, delta, margin=margin, alpha=alpha, max_rounds=max_rounds, seeded=seeded, rng=rng)
               for _ in range(trials)]
    return sum(p for p, _ in results) / trials, sum(r for _, r in results) / trials
