"""The sequential looks of a candidate's train test and the verdict of one look.

Each look adds one round (a repeat of every train task, settled ones only by a coin:
evidence/allocate.py) and judges the rounds so far with the betting test (evidence/betting.py) at
the full α: valid however often it is looked at and however long it goes on.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Literal, NamedTuple

from overseer.acceptance import Objective, Thresholds
from overseer.evidence import measured
from overseer.evidence.betting import Rounds, below, log_wealth, parts, wealth_after
from overseer.evidence.paired import deterministic, infra_share, mean_gain, run_value, walked_rounds
from overseer.records import RunRecord


class Look(NamedTuple):
    """The train evidence at one moment: repeats 0..repeats-1 (rounds) of every train task."""

    number: int
    of: int
    repeats: int
    alpha: float

    @property
    def last(self) -> int:
        """The repeats at the plan's last look."""
        return self.repeats + self.of - self.number

    def describe(self) -> str:
        return f"look {self.number} of at most {self.of}, {self.repeats} repeats"


def looks(repeats: int, thresholds: Thresholds, top: int | None = None) -> list[Look]:
    """The plan: a first look at ``repeats`` rounds, then one more round per look up to
    ``max_repeats`` (or ``top``, for a candidate continued from an earlier test). Every look tests
    at the full α: the betting test (evidence/betting.py) is valid however often it is looked at,
    and however long it goes on, so no α is spent per look and none when it is continued."""
    top = max(repeats, top or thresholds.max_repeats or repeats)
    counts = list(range(repeats, top + 1))
    return [Look(number, len(counts), count, thresholds.alpha)
            for number, count in enumerate(counts, start=1)]


def evidence_for(rounds: Rounds) -> tuple[float, float]:
    """(the mean paired gain over every pair, the anytime-valid p-value 1/K(0))."""
    values = [x for round_ in rounds for x in parts(round_)[0]]
    gain = sum(values) / len(values) if values else 0.0
    return gain, min(1.0, math.exp(-log_wealth(rounds, 0.0)))


def smallest_p_value(tasks: int, rounds: int) -> float:
    """The betting test cannot give less than this: every difference +1 in every round."""
    return min(1.0, math.exp(-log_wealth([[1.0] * tasks] * rounds, 0.0)))


REACH_Z = 2.0   # how optimistic the projection of out_of_reach is, in standard errors
REACH_PAIRS = 8  # ... made only with at least this many pairs a round

DETERMINISTIC = "the command gives the same outcome in every repeat"


def tasks_note(differences: dict[str, float]) -> str:
    """What limits the evidence of a deterministic command: the number of tasks."""
    values = list(differences.values())
    gain = mean_gain(differences)
    base = (f"{DETERMINISTIC}, so no more repeats were run: "
            f"the evidence is limited by the number of tasks ({len(values)})")
    if gain <= 0 or len(values) < 2:
        return base
    spread = statistics.stdev(values)
    needed = math.ceil(((1.645 + 0.842) * spread / gain) ** 2) if spread else len(values)
    return f"{base}; an effect of {gain:+.3f} would need about {max(needed, 5)} tasks to be proven 4 times in 5"


LookVerdict = Literal["proven", "futile", "continue", "unproven"]


def clears_min_gain(gain: float, thresholds: Thresholds) -> bool:
    """The one place a gain (an estimate, or an end of its confidence sequence) is judged against
    ``accept.min_gain``."""
    return gain >= thresholds.min_gain


def look_verdict(train_before: Sequence[RunRecord], train_after: Sequence[RunRecord],
                 thresholds: Thresholds, objective: Objective, look: Look,
                 max_infra_share: float = 1.0) -> LookVerdict:
    """proven: the gain clears min_gain and the betting test's p-value is <= α (the holdout is
    next); futile: the confidence sequence already says the gain is below min_gain, the gain so
    far is not above ``futility_gain`` after the first look, or too many pairs were lost to
    infrastructure (no more runs are spent; decide() calls it inconclusive); unproven: the last
    look came with a gain still above ``futility_gain`` (the test may be continued later);
    continue: run one more round. A measured candidate (evidence/measured.py) is judged the same
    way by its own test."""
    if measured.measured(train_after):
        return _measured_verdict(train_before, train_after, thresholds, objective, look, max_infra_share)
    if infra_share(train_before, train_after) > max_infra_share:
        return "futile"
    rounds = walked_rounds(train_before, train_after, objective)
    gain, p = evidence_for(rounds)
    if clears_min_gain(gain, thresholds) and p <= look.alpha:
        return "proven"
    if deterministic(train_before, train_after, objective):
        return "futile"  # every repeat the same: another round would add no evidence
    if below(rounds, thresholds.min_gain, look.alpha) or gain <= thresholds.futility_gain:
        return "futile"
    if look.number == look.of or out_of_reach(rounds, look):
        return "unproven"
    return "continue"


def out_of_reach(rounds: Rounds, look: Look) -> bool:
    """Even if the rounds left gave differences whose mean were REACH_Z standard errors above
    the estimate so far (counting both the estimate's error and the rounds' own noise), they would
    not bring the betting wealth to 1/α: the edit may well be better, but by too little to prove
    in this test, and each further round would be spent for nothing. Stopping early cannot make
    the test keep a bad edit (only a proof keeps one); the test is continued from here when the
    candidate is proposed again."""
    values = [x for round_ in rounds for x in parts(round_)[0]]
    if look.number >= look.of or len(values) < REACH_PAIRS * len(rounds):
        return False    # few pairs a round: the projection's normal approximation does not hold
    left = (look.last - look.repeats) * len(values) / len(rounds)
    error = statistics.stdev(values) * math.sqrt(1 / len(values) + 1 / left)
    hope = min(1.0, statistics.fmean(values) + REACH_Z * error)
    return wealth_after(rounds).projected(left, hope) < math.log(1 / look.alpha)


def measured_out_of_reach(s: measured.Streams, look: Look, thresholds: Thresholds) -> bool:
    """out_of_reach for a candidate measured against its parent (evidence/measured.py): at the
    last look the candidate would have its rounds so far times last/now runs, and the parent
    (topped up in proportion) as many more; if the candidate's runs still to come averaged REACH_Z
    standard errors above its mean so far (the gain's error, both streams', and the rounds' own
    noise, with a run's variance bounded by m(1 - m), the most a value in [0, 1] of mean m can
    have), and the parent stayed at its mean, the test would still not prove the gain."""
    rounds = look.repeats
    if look.number >= look.of or s.own_runs < REACH_PAIRS * rounds or not s.parent_runs:
        return False
    own_mean, parent_mean = s.own_sum / s.own_runs, s.parent_sum / s.parent_runs
    own_final = s.own_runs * look.last // rounds
    parent_final = max(s.parent_runs, s.parent_runs * look.last // rounds)
    left = own_final - s.own_runs
    error = math.sqrt(own_mean * (1 - own_mean) * (1 / s.own_runs + 1 / left)
                      + parent_mean * (1 - parent_mean) / s.parent_runs)
    hope = min(1.0, own_mean + REACH_Z * error)
    final = measured.Streams(parent_mean * parent_final, parent_final, s.own_sum + left * hope, own_final)
    return not (clears_min_gain(final.gain, thresholds) and measured.rejects(final, 0.0, look.alpha))


def _measured_verdict(train_before: Sequence[RunRecord], train_after: Sequence[RunRecord],
                      thresholds: Thresholds, objective: Objective, look: Look,
                      max_infra_share: float) -> LookVerdict:
    if measured.infra_share(train_before, train_after) > max_infra_share:
        return "futile"
    s = measured.streams(train_before, train_after, lambda r: run_value(r, objective))
    if clears_min_gain(s.gain, thresholds) and measured.rejects(s, 0.0, look.alpha):
        return "proven"
    if deterministic(train_before, train_after, objective):
        return "futile"
    if s.gain <= thresholds.futility_gain or measured.rejects(s, thresholds.min_gain, look.alpha, up=False):
        return "futile"
    if look.number == look.of or measured_out_of_reach(s, look, thresholds):
        return "unproven"
    return "continue"
