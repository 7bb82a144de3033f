"""The acceptance rule: pure functions from paired runs to a Decision.

The test is a one-sided paired permutation (sign-flip) test over tasks. Each task contributes the
mean, over its repeats, of candidate minus baseline; under the null hypothesis (the edit does not
help) each task's difference is as likely positive as negative, so flipping signs gives the null
distribution of their sum. Why this test: it uses the size of each difference (partial scores and
repeats make differences fractional, where a sign test would throw that away), it assumes no
distribution, and it is exact (the null distribution is built by convolution; a seeded Monte Carlo
estimate is used only if the differences take too many distinct values). Tasks are the unit, not runs: runs of the
same task are not independent evidence.
"""

from __future__ import annotations

import random
import statistics
import uuid
from collections import defaultdict
from collections.abc import Sequence
from math import comb
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from overseer.config import Objective, Thresholds
from overseer.edits import Edit
from overseer.metrics import Metrics, metrics
from overseer.records import RunRecord, now_iso

EXACT_STATES = 200_000
MONTE_CARLO_ROUNDS = 20_000
Outcome = Literal["accepted", "rejected", "invalid", "screened_out", "no_proposal", "failed",
                  "inconclusive", "unfinished"]
# Outcomes that are no evidence against the edit: it may be proposed again, and they do not count
# toward the plateau.
NOT_EVIDENCE: frozenset[str] = frozenset({"inconclusive", "unfinished"})


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    value: float | None
    limit: float | None
    passed: bool
    note: str = ""


class Verdict(BaseModel):
    """What the acceptance rule says of a candidate; the loop merges it into its Decision."""

    model_config = ConfigDict(extra="forbid")
    outcome: Outcome = "rejected"
    reason: str = ""
    criteria: list[Criterion] = Field(default_factory=list)
    train_before: Metrics | None = None
    train_after: Metrics | None = None
    holdout_before: Metrics | None = None
    holdout_after: Metrics | None = None
    gain: float | None = None
    p_value: float | None = None
    repeats: int | None = None


class Decision(Verdict):
    """One candidate's record: the verdict's fields, and the edit with its provenance."""

    decision_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    time: str = Field(default_factory=now_iso)
    session_id: str = ""
    target: str = ""
    iteration: int = 0
    parent_hash: str = ""
    candidate_hash: str | None = None
    proposer: str = ""
    edit: Edit | None = None
    hypothesis: str = ""
    rationale: str = ""
    runs_used: int = 0
    diff: str = ""


def run_value(record: RunRecord, objective: Objective) -> float:
    return float(record.passed) if objective == "pass_rate" else float(record.score)


def paired_differences(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
                       objective: Objective) -> dict[str, float]:
    """Per task, the mean over repeats present in both of candidate minus baseline; a pair with
    an infrastructure failure on either side is no evidence and is left out."""
    base = {(r.task_id, r.repeat): run_value(r, objective) for r in baseline if not r.infra}
    per_task: dict[str, list[float]] = defaultdict(list)
    for r in candidate:
        if (r.task_id, r.repeat) in base and not r.infra:
            per_task[r.task_id].append(run_value(r, objective) - base[(r.task_id, r.repeat)])
    return {task: sum(d) / len(d) for task, d in per_task.items()}


def infra_share(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord]) -> float:
    """The share of (task, repeat) pairs lost because either side failed for infrastructure."""
    base = {(r.task_id, r.repeat): r.infra for r in baseline}
    pairs = [base[(r.task_id, r.repeat)] or r.infra for r in candidate if (r.task_id, r.repeat) in base]
    return sum(pairs) / len(pairs) if pairs else 0.0


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


def mean_gain(differences: dict[str, float]) -> float:
    return sum(differences.values()) / len(differences) if differences else 0.0


def screen(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
           thresholds: Thresholds, objective: Objective) -> Criterion:
    """Early drop on the minibatch, only when the candidate is clearly worse: the same sign-flip
    test, turned around, says it is worse with p <= screen_alpha."""
    differences = list(paired_differences(baseline, candidate, objective).values())
    p_worse = sign_flip_p_value([-d for d in differences])
    gain = sum(differences) / len(differences) if differences else 0.0
    return Criterion(name="screen", value=round(p_worse, 4), limit=thresholds.screen_alpha,
                     passed=p_worse > thresholds.screen_alpha,
                     note=f"minibatch of {len(differences)} train tasks, gain {gain:+.3f}; "
                          "value is the p-value that the candidate is worse")


class Look(NamedTuple):
    """One look of the sequential evaluation: train runs so far, and this look's p-value limit."""

    number: int
    of: int
    repeats: int
    alpha: float

    def describe(self) -> str:
        return f"look {self.number} of {self.of}, {self.repeats} repeats"


def looks(repeats: int, thresholds: Thresholds) -> list[Look]:
    """The sequential plan: repeats double from ``repeats`` up to ``max_repeats``.

    The overall α is spent across the looks by the power function α·t³ of the information fraction
    t = repeats / max_repeats (Kim and DeMets): little early, when a look is noisy, most of it at the
    last look. Each look tests at its own increment, so by the union bound the chance that a
    useless edit is proven at any look is at most α, whatever the correlation between looks.
    (benchmarks/decisions.py compares plans; O'Brien-Fleming spending had the same power.)
    """
    top = max(repeats, thresholds.max_repeats or repeats)
    counts = [repeats]
    while counts[-1] < top:
        counts.append(min(2 * counts[-1], top))
    plan, spent = [], 0.0
    for number, count in enumerate(counts, start=1):
        total = thresholds.alpha * (count / top) ** 3
        plan.append(Look(number, len(counts), count, total - spent))
        spent = total
    return plan


def smallest_p_value(tasks: int) -> float:
    """The sign-flip test over ``tasks`` tasks cannot give less than this (all differences > 0)."""
    return 0.5 ** tasks


LookVerdict = Literal["proven", "futile", "continue"]


def look_verdict(train_before: Sequence[RunRecord], train_after: Sequence[RunRecord],
                 thresholds: Thresholds, objective: Objective, look: Look,
                 max_infra_share: float = 1.0) -> LookVerdict:
    """proven: gain and p-value hold at this look's α (the holdout is next); futile: the last
    look, a p-value above ``futility_p``, or too many pairs lost to infrastructure (no more runs
    are spent; decide() calls it inconclusive); continue: promising, run more repeats."""
    if infra_share(train_before, train_after) > max_infra_share:
        return "futile"
    differences = paired_differences(train_before, train_after, objective)
    p = sign_flip_p_value(list(differences.values()))
    if mean_gain(differences) >= thresholds.min_gain and p <= look.alpha:
        return "proven"
    if look.number == look.of or p > thresholds.futility_p:
        return "futile"
    return "continue"


TIME_ALPHA = 0.05


def side_by_side_times(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord]
                       ) -> list[tuple[float, float]]:
    """(parent, candidate) run times, in seconds, of the pairs whose two runs were made in one
    batch (evaluate.py): runs measured at different moments, under different load, are never
    compared."""
    def seconds(record: RunRecord) -> float:
        return record.command_s + record.check_s

    base = {(r.task_id, r.repeat): r for r in baseline if r.batch and not r.infra}
    return [(seconds(base[key]), seconds(r)) for r in candidate
            if not r.infra and (key := (r.task_id, r.repeat)) in base and base[key].batch == r.batch]


def binomial_tail(successes: int, trials: int) -> float:
    """P(X >= successes) for X ~ Binomial(trials, 1/2)."""
    return sum(comb(trials, k) for k in range(successes, trials + 1)) / 2 ** trials if trials else 1.0


def _time_criterion(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
                    thresholds: Thresholds) -> Criterion:
    """Fails only when the candidate is shown to be slower than the budget allows: a pair is
    over the budget when the candidate's run took more than (1 + max_time_increase) times the
    parent's plus ``time_noise_s``; under a candidate within the budget a pair is over it at
    most half the time, so the criterion fails when a one-sided sign test on those counts gives
    p <= TIME_ALPHA. A load spike during one pair cannot fail a candidate; a slower prompt does."""
    name, limit = "median run time", thresholds.max_time_increase
    pairs = side_by_side_times(baseline, candidate)
    if not pairs:
        return Criterion(name=name, value=None, limit=limit, passed=True,
                         note="not measured: no runs made side by side")
    before = statistics.median(b for b, _ in pairs)
    after = statistics.median(a for _, a in pairs)
    increase = _relative_increase(before, after)
    over = sum(a > b * (1 + (limit or 0.0)) + thresholds.time_noise_s for b, a in pairs)
    p = binomial_tail(over, len(pairs))
    return Criterion(
        name=name, value=None if increase is None else round(increase, 4), limit=limit,
        passed=limit is None or p > TIME_ALPHA,
        note=f"{before:.4g} → {after:.4g} s over {len(pairs)} pairs run side by side; {over} over "
             f"the budget (sign test p = {p:.3g}, fails when p <= {TIME_ALPHA})")


def _relative_increase(before: float, after: float) -> float | None:
    return None if before <= 0 else after / before - 1


def _budget(name: str, before: float, after: float, limit: float | None,
            noise: float = 0.0) -> Criterion:
    increase = _relative_increase(before, after)
    passed = limit is None or increase is None or increase <= limit or after - before <= noise
    return Criterion(name=name, value=None if increase is None else round(increase, 4),
                     limit=limit, passed=passed,
                     note="not measured" if increase is None else f"{before:.4g} → {after:.4g}")


def decide(
    *,
    train_before: Sequence[RunRecord],
    train_after: Sequence[RunRecord],
    holdout_before: Sequence[RunRecord],
    holdout_after: Sequence[RunRecord],
    thresholds: Thresholds,
    objective: Objective,
    holdout_measured: bool = True,
    look: Look | None = None,
    max_infra_share: float = 1.0,
    timed: tuple[Sequence[RunRecord], Sequence[RunRecord]] | None = None,
) -> Verdict:
    """Accept only if every criterion holds; each is recorded with its value and verdict.
    ``look`` is the sequential look the train runs come from (its α is the p-value limit);
    ``holdout_measured=False`` records the holdout as not run (the train already failed);
    ``timed`` holds runs of both prompts made side by side for the time criterion (default: the
    pairs of train and holdout that were)."""
    alpha = look.alpha if look else thresholds.alpha
    p_note = "one-sided paired sign-flip test over tasks"
    if look and look.of > 1:
        p_note += f"; {look.describe()}, its share of α {thresholds.alpha:g}"
    differences = paired_differences(train_before, train_after, objective)
    gain = mean_gain(differences)
    p = sign_flip_p_value(list(differences.values()))
    holdout_gain = mean_gain(paired_differences(holdout_before, holdout_after, objective))
    before, after = metrics(train_before), metrics(train_after)
    all_before = metrics([*train_before, *holdout_before])
    all_after = metrics([*train_after, *holdout_after])
    criteria = [
        Criterion(name="train gain", value=round(gain, 4), limit=thresholds.min_gain,
                  passed=gain >= thresholds.min_gain, note=f"{len(differences)} tasks paired"),
        Criterion(name="p-value", value=round(p, 4), limit=round(alpha, 6),
                  passed=p <= alpha, note=p_note),
        Criterion(name="holdout gain", value=round(holdout_gain, 4) if holdout_measured else None,
                  limit=-thresholds.holdout_tolerance,
                  passed=holdout_gain >= -thresholds.holdout_tolerance,
                  note="" if holdout_measured else "not run: the train criteria already failed"),
        _budget("tokens per run", all_before.tokens_per_run, all_after.tokens_per_run,
                thresholds.max_token_increase),
        _time_criterion(*(timed or ([*train_before, *holdout_before], [*train_after, *holdout_after])),
                        thresholds),
    ]
    lost = max(infra_share(train_before, train_after), infra_share(holdout_before, holdout_after))
    if lost > max_infra_share:
        return Verdict(
            outcome="inconclusive", criteria=criteria,
            reason=f"inconclusive: {lost:.0%} of the pairs failed for infrastructure reasons "
                   f"(limit {max_infra_share:.0%}); neither kept nor counted against the edit",
            train_before=before, train_after=after, gain=round(gain, 4), p_value=round(p, 4),
            repeats=look.repeats if look else None)
    failed = [c.name for c in criteria if not c.passed]
    return Verdict(
        outcome="rejected" if failed else "accepted",
        reason=f"failed: {', '.join(failed)}" if failed else "all criteria hold",
        criteria=criteria,
        train_before=before, train_after=after,
        holdout_before=metrics(holdout_before) if holdout_measured else None,
        holdout_after=metrics(holdout_after) if holdout_measured else None,
        gain=round(gain, 4), p_value=round(p, 4),
        repeats=look.repeats if look else None,
    )
