"""Fixed-sample tests: the exact one-sided paired sign-flip (permutation) test over tasks, and the
sign test's binomial tail.

The sign-flip test: each task contributes the mean, over its repeats, of candidate minus baseline;
under the null hypothesis (the edit does not help) each task's difference is as likely positive as
negative, so flipping signs gives the null distribution of their sum. It uses the size of each
difference (partial scores and repeats make differences fractional, where a sign test would throw
that away), it assumes no distribution, and it is exact (the null distribution is built by
convolution; a seeded Monte Carlo estimate is used only if the differences take too many distinct
values). Tasks are the unit, not runs: runs of the same task are not independent evidence.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from math import comb

EXACT_STATES = 200_000


MONTE_CARLO_ROUNDS = 20_000


def sign_flip_p_value(differences: Sequence[float], *, seed: int = 0) -> float:
    """One-sided p-value that the mean difference is above zero (see the module docstring)."""
    nonzero = [round(abs(d), 9) for d in differences if abs(d) > 1e-12]
    if not nonzero:
        return 1.0
    observed = round(sum(d for d in differences if abs(d) > 1e-12), 9) - 1e-9
    # The null distribution of the signed sum, built by convolution: exact, and small whenever
    # differences take few distinct values (pass/fail outcomes over a few repeats).
    distribution: dict[float, int] = {0.0: 1}
    for magnitude in nonzero:
        step: dict[float, int] = defaultdict(int)
        for total, count in distribution.items():
            step[round(total + magnitude, 9)] += count
            step[round(total - magnitude, 9)] += count
        distribution = step
        if len(distribution) > EXACT_STATES:
            return _monte_carlo_p(nonzero, observed, seed)
    hits = sum(count for total, count in distribution.items() if total >= observed)
    return float(hits / 2 ** len(nonzero))


def _monte_carlo_p(magnitudes: list[float], observed: float, seed: int) -> float:
    rng = random.Random(seed)
    hits = sum(
        sum(m if rng.random() < 0.5 else -m for m in magnitudes) >= observed
        for _ in range(MONTE_CARLO_ROUNDS)
    )
    return (hits + 1) / (MONTE_CARLO_ROUNDS + 1)


def binomial_tail(successes: int, trials: int) -> float:
    """P(X >= successes) for X ~ Binomial(trials, 1/2)."""
    return sum(comb(trials, k) for k in range(successes, trials + 1)) / 2 ** trials if trials else 1.0

