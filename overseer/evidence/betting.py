"""Anytime-valid evidence about a mean gain, by betting.

The method is testing by betting (Waudby-Smith and Ramdas, "Estimating means of bounded random
variables by betting", JRSS-B 86(1), 2024; arXiv:2010.09686), applied to rounds. Round k holds one
paired difference x in [-1, 1] per task (candidate minus parent at repeat k). A gambler betting
that the task set's mean paired gain μ is above m starts with wealth 1 and, before each round,
chooses a stake λ_k >= 0 from the EARLIER rounds only; the round multiplies the wealth by
Π_tasks (1 + λ_k (x - m)). The tasks' runs in a round are independent, and 1 + y <= e^y, so given
the past a round's factor has expectation Π (1 + λ_k (Δ_task - m)) <= exp(λ_k N (μ - m)) <= 1
whenever μ <= m, however the tasks' own gains Δ_task differ: the wealth K_k(m) after each round is
a non-negative supermartingale, and by Ville's inequality the chance that it EVER reaches 1/α is at
most α. It may be looked at after every round and continued at any later time. 1/K_k(0) is an
anytime-valid p-value.

The gambler splits the wealth between four bets, one sized for each gain in EFFECTS, with the
shares in WEIGHTS (a "diversified" bet in the paper's terms; a weighted average of
supermartingales is one, so nothing is lost in validity, and the mixture grows nearly as fast as
its best part, within log(1/0.3) for the first three; the small share of the +50-point bet is what
lets a small task set prove a large gain in one round). A bet sized for a gain g stakes
g / (v + g^2) of the wealth (at most MAX_STAKE), where v is the variance of the differences in the
EARLIER rounds (with a small prior): the growth-optimal fraction when the gain is g. The spread is
what the sampling decides: about 0.46 for pairs drawn independently at these pass rates (fresh),
near 0.1 when the same seed draws alike (seeded), so fixed fractions are right for one and wrong
for the other. Measured (`benchmarks/decisions.py --plans 2:16`, 1,000 trials, without
looks.out_of_reach; BENCHMARKS.md), against the four fixed fractions 1/8 to 3/4 this replaced: a
+10-point edit kept 0.672 -> 0.694 under fresh sampling (650 -> 631 runs), 0.883 -> 0.873
half-coupled (within the noise), and proven in 158 -> 130 runs seeded. (A plug-in of the gain
itself, aGRAPA, had lost to fixed fractions; the spread alone is estimated well after one round.)
For m != 0 each stake is scaled by 1 / (1 + m) (or 1 / (1 - m) betting down) so that no round
can take the wealth to zero.
A round may hold inverse-probability weighted values (evidence/allocate.py: a task run only with
probability q counts x / q, in [-1/q, 1/q], and 0 when not run); every stake of such a round is
capped so that 1 + λ (x / q - m) stays positive, the same cap on every task of the round, so
that the round's factor still has expectation <= exp(λ N (μ - m)).
The confidence sequence for μ runs from the smallest m a bet up does not reject at α to the
largest m a bet down does not: each end holds after every round at once with probability 1 - α.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

EFFECTS = (0.05, 0.1, 0.2, 0.5)  # the gains over m the wealth's bets are sized for ...
WEIGHTS = (0.3, 0.3, 0.3, 0.1)  # ... and the share of the wealth each bet starts with
PRIOR_SPREAD = 0.3  # the variance of x assumed before any round: between fresh's and seeded's
PRIOR_PAIRS = 8     # ... counted as this many differences, so the first round's spread soon rules
MAX_STAKE = 0.9     # the largest fraction staked, however small the spread
STEPS = 15          # bisection steps for each end of the confidence sequence (2^-14)
ROOM = 0.99         # a capped stake leaves the wealth at least 1% of itself after any round


@dataclass(frozen=True)
class Round:
    """One round's values and the smallest chance any task had of being run in it (values of
    tasks run with chance q are already divided by q; 1: every task was run)."""

    values: tuple[float, ...]
    q: float = 1.0


Rounds = Sequence[Sequence[float] | Round]


def parts(round_: Sequence[float] | Round) -> tuple[Sequence[float], float]:
    """A round's values and the smallest chance a task had of being run in it (1 for a plain list)."""
    return (round_.values, round_.q) if isinstance(round_, Round) else (round_, 1.0)


class Wealth:
    """K(m) round by round, for a gambler betting that the mean is above m (``up``) or below it
    with the mixture of bets sized for EFFECTS; earlier rounds are never recomputed."""

    def __init__(self, m: float = 0.0, *, up: bool = True) -> None:
        self.m = m
        self.scale = 1 / max(1e-9, 1 + m) if up else -1 / max(1e-9, 1 - m)
        self.logs = [0.0] * len(EFFECTS)
        self.total, self.squares, self.count = 0.0, PRIOR_SPREAD * PRIOR_PAIRS, PRIOR_PAIRS

    def stakes(self) -> list[float]:
        """The fractions for the next round, from the earlier rounds only: for a gain g over m,
        the growth-optimal bet is g / E[(x - m)^2] = g / (v + g^2), v the spread (variance) of
        the differences."""
        return [min(MAX_STAKE, gain / ((self.spread + gain ** 2) * abs(self.scale))) for gain in EFFECTS]

    @property
    def spread(self) -> float:
        mean = self.total / self.count
        return max(0.0, self.squares / self.count - mean ** 2)

    def add(self, round_: Sequence[float] | Round) -> None:
        xs, q = parts(round_)
        m, scale = self.m, self.scale
        # the largest stake keeping 1 + stake * scale * (x - m) > 0 for every x in [-1/q, 1/q]
        cap = ROOM / (abs(scale) * (1 / q + (m if scale > 0 else -m))) if q < 1 else math.inf
        for j, stake in enumerate(self.stakes()):
            stake = min(stake, cap)
            self.logs[j] += sum(math.log1p(stake * scale * (x - m)) for x in xs)
        self.total += sum(xs)
        self.squares += sum(x * x for x in xs)
        self.count += len(xs)

    @property
    def log(self) -> float:
        return _log_mix(self.logs)

    def projected(self, pairs: float, gain: float) -> float:
        """log K after ``pairs`` more differences whose mean exceeds m by ``gain``, at the
        spread seen so far: each part grows by its expected λ gain - λ^2 v / 2 per difference."""
        spread = self.spread + gain ** 2
        return _log_mix([log + pairs * (stake * gain - stake ** 2 * spread / 2)
                              for log, stake in zip(self.logs, (s * abs(self.scale) for s in self.stakes()),
                                                    strict=True)])


def _log_mix(logs: Sequence[float]) -> float:
    """log of the WEIGHTS-average of the bets' wealths exp(logs)."""
    top = max(logs)
    return top + math.log(math.fsum(w * math.exp(value - top) for w, value in zip(WEIGHTS, logs, strict=True)))


def wealth_after(rounds: Rounds, m: float = 0.0, *, up: bool = True) -> Wealth:
    """The Wealth K(m) after these rounds."""
    wealth = Wealth(m, up=up)
    for xs in rounds:
        wealth.add(xs)
    return wealth


def log_wealth(rounds: Rounds, m: float = 0.0, *, up: bool = True) -> float:
    """log K(m) after these rounds (see Wealth)."""
    return wealth_after(rounds, m, up=up).log


def e_value(xs: Rounds, m: float = 0.0) -> float:
    """The evidence against "the mean is <= m": K_t(m), capped to stay a finite float."""
    return math.exp(min(700.0, log_wealth(xs, m)))


def above(xs: Rounds, m: float, alpha: float) -> bool:
    """The data already say, at level α, that the mean is above m."""
    return log_wealth(xs, m, up=True) >= math.log(1 / alpha)


def below(xs: Rounds, m: float, alpha: float) -> bool:
    """The data already say, at level α, that the mean is below m."""
    return log_wealth(xs, m, up=False) >= math.log(1 / alpha)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def describe(self) -> str:
        return f"[{self.low:+.3f}, {self.high:+.3f}]"


def confidence_sequence(xs: Rounds, alpha: float) -> Interval:
    """The confidence sequence for the mean after these rounds: from the smallest m that a bet
    up does not reject at α to the largest that a bet down does not. Each end holds with
    probability 1 - α at every round at once (both together 1 - 2α); the low end is above 0
    exactly when the test of "gain <= 0" rejects at α. Found by bisection to 1e-4 (a bet's
    wealth falls as m moves toward the side it bets on)."""
    values = [x for round_ in xs for x in parts(round_)[0]]
    if not values:
        return Interval(-1.0, 1.0)

    def edge(rejected: Callable[[float], bool], inside: float, outside: float) -> float:
        if not rejected(outside):
            return outside
        for _ in range(STEPS):
            middle = (inside + outside) / 2
            inside, outside = (inside, middle) if rejected(middle) else (middle, outside)
        return inside

    estimate = min(1.0, max(-1.0, sum(values) / len(values)))
    low = edge(lambda m: above(xs, m, alpha), estimate, -1.0)
    high = edge(lambda m: below(xs, m, alpha), estimate, 1.0)
    return Interval(round(low, 4), round(high, 4))
