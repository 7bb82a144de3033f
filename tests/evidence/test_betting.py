"""The betting test: valid under the null however often it is looked at, powerful when it is not,
and a confidence sequence that covers the gain."""

from __future__ import annotations

import math
import random

from overseer.evidence.betting import Wealth, above, below, confidence_sequence, e_value, log_wealth

TASKS = 36
ROUNDS = 16
ALPHA = 0.05


def _kept_by_monitoring(trials: int, draw_round: object, seed: int) -> float:
    """The share of trials in which a test looked at after EVERY round ever reached 1/α."""
    rng = random.Random(seed)
    kept = 0
    for _ in range(trials):
        wealth = Wealth()
        for _ in range(ROUNDS):
            wealth.add(draw_round(rng))  # type: ignore[operator]
            if wealth.log >= math.log(1 / ALPHA):
                kept += 1
                break
    return kept / trials


def test_under_the_null_the_keep_rate_is_at_most_alpha_when_monitored_after_every_round() -> None:
    base = [0.1 + 0.8 * i / (TASKS - 1) for i in range(TASKS)]  # tasks from hard to easy

    def zero_mixed(rng: random.Random) -> list[float]:
        """True gain 0 on average, but +20 points on half the tasks and -20 on the other half;
        both prompts share their random draws (seeded sampling)."""
        out = []
        for i, p in enumerate(base):
            u, shift = rng.random(), (0.2 if i % 2 else -0.2)
            q = min(0.99, max(0.01, p + shift))
            out.append(float(u < q) - float(u < p))
        return out

    def minus_five(rng: random.Random) -> list[float]:
        """True gain -5 points everywhere; each prompt draws its own noise (fresh sampling)."""
        return [float(rng.random() < max(0.01, p - 0.05)) - float(rng.random() < p) for p in base]

    mixed = _kept_by_monitoring(5000, zero_mixed, seed=1)
    worse = _kept_by_monitoring(5000, minus_five, seed=2)
    assert mixed <= ALPHA and worse <= ALPHA, (mixed, worse)


def test_a_clear_gain_is_proven_in_a_few_rounds_and_the_sequence_covers_it() -> None:
    rng = random.Random(3)
    xs = [[float(rng.random() < 0.2) for _ in range(TASKS)] for _ in range(4)]  # gain +0.2
    assert e_value(xs) >= 1 / ALPHA and above(xs, 0.0, ALPHA)
    interval = confidence_sequence(xs, ALPHA)
    assert 0 < interval.low < 0.2 < interval.high < 0.45
    assert below(xs, interval.high + 0.01, ALPHA) and not below(xs, interval.high - 0.01, ALPHA)


def test_the_incremental_wealth_is_the_recomputed_one() -> None:
    rng = random.Random(4)
    xs = [[rng.choice([-1.0, 0.0, 0.0, 1.0]) for _ in range(10)] for _ in range(5)]
    wealth = Wealth(0.1, up=False)
    for round_ in xs:
        wealth.add(round_)
    assert math.isclose(wealth.log, log_wealth(xs, 0.1, up=False))
    assert log_wealth([], 0.0) == 0.0 and confidence_sequence([], ALPHA).low == -1.0


def test_the_stakes_follow_the_spread_of_the_earlier_rounds() -> None:
    """Pairs drawn independently (fresh) spread wide and get small stakes; pairs that mostly agree
    (seeded) get large ones; a round's stakes never depend on that round."""
    fresh, seeded = Wealth(), Wealth()
    first = seeded.stakes()
    assert fresh.stakes() == first
    fresh.add([1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 0.0] * 4)  # variance 2/3
    seeded.add([0.0] * 30 + [1.0] * 6)                                 # 1/6
    assert fresh.stakes()[1] < first[1] < seeded.stakes()[1]
    assert math.isclose(fresh.stakes()[1], 0.1 / ((0.3 * 8 + 24) / 44 + 0.1 ** 2))   # mean 0: v = E[x^2]
    assert max(seeded.stakes()) <= 0.9
    logs, before = list(fresh.logs), fresh.stakes()
    fresh.add([1.0] * 36)   # this round is bet on with the stakes chosen before it
    assert all(math.isclose(after - was, 36 * math.log1p(stake))
               for after, was, stake in zip(fresh.logs, logs, before, strict=True))
    assert fresh.stakes() != before
