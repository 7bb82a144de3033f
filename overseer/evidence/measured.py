"""A candidate against its well-measured parent: the test for models that do not couple runs.

The paired test (evidence/betting.py on candidate-minus-parent differences) is cheap when the run
seed makes the two prompts draw alike (evidence/coupling.py). When it does not, a pair's variance
is the sum of both prompts' and every candidate pays for the parent's noise again. The parent is
the same prompt for every candidate of a session: here its runs accumulate and are measured once,
and each candidate pays only for its own noise.

Two independent streams of runs on the same tasks: the parent's (repeats 0, 1, ...) and the
candidate's, run at seeds the parent never runs at (repeats from OWN_SEEDS on), so that no seed a
model might honour ties one to the other. The null hypothesis is "the candidate's mean over the
tasks, μc, is at most the parent's, μp, plus d". For a level A two gamblers bet: one that μc > A +
d on the candidate's runs, one that μp < A on the parent's. Each wealth is Robbins' normal mixture
over stakes λ >= 0 of exp(λ S - λ² n / 8), S the stream's sum minus the level for each run, n its
runs: a value in [0, 1] is sub-Gaussian with variance proxy 1/4 (Hoeffding's lemma), so for each λ
this is a test supermartingale when the stream's mean is at most the level, and so is the mixture.
The runs are independent, so run by run, in the order they were made, the product of the two
wealths is a test supermartingale too when both bets are on true nulls: by Ville's inequality it
ever reaches 1/α with probability at most α. Under the null, A = μp (a level in [0, 1], whatever
the proposer saw of the parent's runs) is such a level; the null is rejected when the product is at
least 1/α at every level in [0, 1], so also at that one. The test may be looked at after every
round and continued in a later session.

The evidence grows with 1 / (1/nc + 1/np): a candidate tested against a parent measured over three
times its own rounds spends about half the runs a paired comparison spends under fresh sampling
(where a pair's variance is twice a run's), and no parent runs of its own; the parent's rounds are
shared by every candidate of the session.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from overseer.evidence.betting import Interval
from overseer.records import RunRecord

OWN_SEEDS = 10_000   # a measured candidate runs at repeats from here on: seeds its parent never has
PARENT_ROUNDS = 3    # the parent is measured over this many times the candidate's rounds
RHO = 0.3            # the scale of the stakes mixed over (suits gains of 5 to 15 points)
GRID = 1000          # cells of [0, 1] over which the least of the product is bounded
Value = Callable[[RunRecord], float]


@dataclass(frozen=True)
class Streams:
    """What the test uses of the two streams: each one's sum of values and its runs."""

    parent_sum: float
    parent_runs: int
    own_sum: float
    own_runs: int

    @property
    def gain(self) -> float:
        if not self.parent_runs or not self.own_runs:
            return 0.0
        return self.own_sum / self.own_runs - self.parent_sum / self.parent_runs


def measured(candidate: Sequence[RunRecord]) -> bool:
    """These candidate runs are of a measured comparison (run at seeds of their own)."""
    return any(r.repeat >= OWN_SEEDS for r in candidate)


def own_repeats(rounds: int) -> range:
    """The repeats of a measured candidate's first ``rounds`` rounds."""
    return range(OWN_SEEDS, OWN_SEEDS + rounds)


def parent_rounds(rounds: int, most: int) -> int:
    """How many rounds of the parent a candidate at ``rounds`` rounds is tested against."""
    return max(rounds, min(most, PARENT_ROUNDS * rounds))


def stream_values(parent: Sequence[RunRecord], candidate: Sequence[RunRecord],
                  value: Value) -> tuple[list[float], list[float]]:
    """The parent's values and the candidate's, on the tasks the candidate ran at its own seeds;
    runs that failed for infrastructure reasons are no evidence and are left out."""
    own = [r for r in candidate if r.repeat >= OWN_SEEDS and not r.infra]
    tasks = {r.task_id for r in own}
    base = [r for r in parent if r.repeat < OWN_SEEDS and r.task_id in tasks and not r.infra]
    return [value(r) for r in base], [value(r) for r in own]


def streams(parent: Sequence[RunRecord], candidate: Sequence[RunRecord], value: Value) -> Streams:
    """The two streams of these runs (stream_values), as the test uses them."""
    base, own = stream_values(parent, candidate, value)
    return Streams(sum(base), len(base), sum(own), len(own))


def infra_share(parent: Sequence[RunRecord], candidate: Sequence[RunRecord]) -> float:
    """The share of the candidate's own runs, and of the parent's, lost to infrastructure (the
    larger)."""
    def share(records: Sequence[RunRecord]) -> float:
        return sum(r.infra for r in records) / len(records) if records else 0.0
    return max(share([r for r in candidate if r.repeat >= OWN_SEEDS]), share(parent))


def _log_mixture(excess: float, runs: int) -> float:
    """log of the half-normal mixture (scale RHO) over λ >= 0 of exp(λ S - λ² runs / 8), S =
    ``excess``, in closed form. It rises with S."""
    if runs == 0:
        return 0.0
    spread = 1 + RHO * RHO * runs / 4
    z = excess * RHO / math.sqrt(spread)
    tail = 0.5 * math.erfc(-z / math.sqrt(2))
    return math.log(2) - 0.5 * math.log(spread) + z * z / 2 + math.log(max(tail, 1e-300))


def _cells(s: Streams, d: float, up: bool) -> tuple[Callable[[float], float], Callable[[float], float],
                                                     list[tuple[float, float]]]:
    """The two log-wealths as functions of the level, and the cells [a, b] of the grid, the ones
    between the two estimates first (where the least is)."""
    sign = 1.0 if up else -1.0

    def own(level: float) -> float:
        return _log_mixture(sign * (s.own_sum - s.own_runs * (level + d)), s.own_runs)

    def parents(level: float) -> float:
        return _log_mixture(sign * (s.parent_runs * level - s.parent_sum), s.parent_runs)

    centre = (s.parent_sum / s.parent_runs + s.own_sum / s.own_runs - d) / 2
    levels = [k / GRID for k in range(GRID + 1)]
    return own, parents, sorted(pairwise(levels), key=lambda cell: abs(cell[0] - centre))


def _bound(own: Callable[[float], float], parents: Callable[[float], float], cell: tuple[float, float],
           up: bool) -> float:
    """The least the product can be on the cell: the candidate's wealth falls with the level when
    it bets up (rises when down) and the parent's the other way, so each at its worse end."""
    a, b = cell
    return own(b) + parents(a) if up else own(a) + parents(b)


def log_evidence(s: Streams, d: float = 0.0, *, up: bool = True) -> float:
    """The log of the least, over levels A in [0, 1], of the product of the two wealths: against
    "μc <= μp + d" (``up``) or against "μc >= μp + d" (each bet turned around); on each cell of
    the grid the product is bounded below by its wealths at the cell's ends, so the least over the
    cells holds for every level. 0 when the estimates are on the null's side."""
    if not s.parent_runs or not s.own_runs or (s.gain <= d if up else s.gain >= d):
        return 0.0
    own, parents, cells = _cells(s, d, up)
    return max(0.0, min(_bound(own, parents, cell, up) for cell in cells))


def p_value(s: Streams) -> float:
    """The anytime-valid p-value of "the candidate is no better than its parent"."""
    return min(1.0, math.exp(-log_evidence(s)))


def rejects(s: Streams, d: float, alpha: float, *, up: bool = True) -> bool:
    """The product is at least 1/α at every level: the null (μc <= μp + d, or >= when not
    ``up``) is rejected at α. Stops at the first cell that falls short."""
    if not s.parent_runs or not s.own_runs or (s.gain <= d if up else s.gain >= d):
        return False
    own, parents, cells = _cells(s, d, up)
    limit = math.log(1 / alpha)
    return all(_bound(own, parents, cell, up) >= limit for cell in cells)


def interval(s: Streams, alpha: float) -> Interval:
    """The confidence sequence for μc - μp: the gains d that neither bet rejects at α (each end
    holds at every look with probability 1 - α)."""
    gain = s.gain

    def edge(up: bool, outside: float) -> float:
        inside = gain
        if not rejects(s, outside, alpha, up=up):
            return outside
        for _ in range(15):
            middle = (inside + outside) / 2
            inside, outside = (inside, middle) if rejects(s, middle, alpha, up=up) else (middle, outside)
        return inside

    return Interval(round(edge(True, -1.0), 4), round(edge(False, 1.0), 4))


def describe(s: Streams) -> str:
    return (f"{s.own_runs} runs of the candidate at seeds of its own against {s.parent_runs} of "
            "the parent")
