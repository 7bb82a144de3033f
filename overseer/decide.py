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

import math
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
from overseer.evidence.allocate import differences_by_round, walk_records
from overseer.evidence.betting import Rounds, below, confidence_sequence, log_wealth, parts
from overseer.metrics import Metrics, metrics
from overseer.records import RunRecord, now_iso
from overseer.review import PanelRecord

EXACT_STATES = 200_000
MONTE_CARLO_ROUNDS = 20_000
Outcome = Literal["accepted", "rejected", "invalid", "screened_out", "no_proposal", "failed",
                  "inconclusive", "unfinished", "unproven", "vetoed"]
# Outcomes that are no evidence against the edit: it may be proposed again (an unproven one is
# then continued from where its test stopped), and only "unproven" counts toward the plateau.
NOT_EVIDENCE: frozenset[str] = frozenset({"inconclusive", "unfinished", "unproven"})


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
    # the confidence sequence's interval for the train gain when the test stopped (betting test)
    interval: list[float] | None = None


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
    panel: PanelRecord | None = None   # what the proposal panel did in this iteration


def run_value(record: RunRecord, objective: Objective) -> float:
    """What the test compares of a run: whether it passed, its score, or a weighted value of its
    quality and what it spent (config.WeightedObjective)."""
    if isinstance(objective, str):
        return float(record.passed) if objective == "pass_rate" else float(record.score)
    quality = float(record.passed) if objective.measure == "pass_rate" else float(record.score)
    usage = record.usage
    return objective.value(quality, {"tokens": usage.tokens if usage else None,
                                     "cost_usd": usage.cost_usd if usage else None})


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
    """The train evidence at one moment: repeats 0..repeats-1 (rounds) of every train task."""

    number: int
    of: int
    repeats: int
    alpha: float

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


def rounds_of(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
              objective: Objective) -> list[list[float]]:
    """The paired differences, round by round (repeat 0, 1, ...), task by task; a pair with an
    infrastructure failure on either side is no evidence and is left out."""
    by_round = differences_by_round(baseline, candidate, lambda r: run_value(r, objective))
    return [[by_round[k][task] for task in sorted(by_round[k])] for k in sorted(by_round)]


def walked_rounds(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
                objective: Objective) -> Rounds:
    """The optimizer's test rounds: the rounds evidence/allocate.py's walk makes of these runs
    (tasks that agreed so far are run in only some rounds, their differences weighted)."""
    return walk_records(baseline, candidate, lambda r: run_value(r, objective)).rounds


def evidence_for(rounds: Rounds) -> tuple[float, float]:
    """(the mean paired gain over every pair, the anytime-valid p-value 1/K(0))."""
    values = [x for round_ in rounds for x in parts(round_)[0]]
    gain = sum(values) / len(values) if values else 0.0
    return gain, min(1.0, math.exp(-log_wealth(rounds, 0.0)))


def smallest_p_value(tasks: int, rounds: int) -> float:
    """The betting test cannot give less than this: every difference +1 in every round."""
    return min(1.0, math.exp(-log_wealth([[1.0] * tasks] * rounds, 0.0)))


def deterministic(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
                  objective: Objective) -> bool:
    """Both prompts gave every task the same outcome in every repeat, over at least 2 repeats:
    the command is deterministic (temperature 0), and more repeats add no evidence."""
    seen: dict[tuple[int, str], set[float]] = defaultdict(set)
    repeats = set()
    for side, records in enumerate((baseline, candidate)):
        for r in records:
            if not r.infra:
                seen[(side, r.task_id)].add(run_value(r, objective))
                repeats.add(r.repeat)
    return len(repeats) >= 2 and bool(seen) and all(len(values) == 1 for values in seen.values())


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


def look_verdict(train_before: Sequence[RunRecord], train_after: Sequence[RunRecord],
                 thresholds: Thresholds, objective: Objective, look: Look,
                 max_infra_share: float = 1.0) -> LookVerdict:
    """proven: the gain clears min_gain and the betting test's p-value is <= α (the holdout is
    next); futile: the confidence sequence already says the gain is below min_gain, the gain so
    far is not above ``futility_gain`` after the first look, or too many pairs were lost to
    infrastructure (no more runs are spent; decide() calls it inconclusive); unproven: the last
    look came with a gain still above ``futility_gain`` (the test may be continued later);
    continue: run one more round."""
    if infra_share(train_before, train_after) > max_infra_share:
        return "futile"
    rounds = walked_rounds(train_before, train_after, objective)
    gain, p = evidence_for(rounds)
    if gain >= thresholds.min_gain and p <= look.alpha:
        return "proven"
    if deterministic(train_before, train_after, objective):
        return "futile"  # every repeat the same: another round would add no evidence
    if below(rounds, thresholds.min_gain, look.alpha) or gain <= thresholds.futility_gain:
        return "futile"
    return "unproven" if look.number == look.of else "continue"


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
    differences = paired_differences(train_before, train_after, objective)
    interval = None
    if look is None:  # one fixed sample: the exact sign-flip test
        p_note = "one-sided paired sign-flip test over tasks"
        gain, p = mean_gain(differences), sign_flip_p_value(list(differences.values()))
    else:
        rounds = walked_rounds(train_before, train_after, objective)
        gain, p = evidence_for(rounds)
        interval = confidence_sequence(rounds, thresholds.alpha)
        p_note = (f"anytime-valid betting test: 1/e-value after {len(rounds)} rounds of "
                  f"{len(differences)} tasks; confidence sequence for the gain "
                  f"{interval.describe()} (each end at {1 - thresholds.alpha:.0%})")
        if any(parts(r)[1] < 1 for r in rounds):
            p_note += ("; tasks on which both prompts agreed in every round so far were run in "
                       "only some later rounds, their differences weighted to keep the test exact")
        if deterministic(train_before, train_after, objective):
            p_note += f"; {tasks_note(differences)}"
    holdout_gain = mean_gain(paired_differences(holdout_before, holdout_after, objective))
    before, after = metrics(train_before), metrics(train_after)
    all_before = metrics([*train_before, *holdout_before])
    all_after = metrics([*train_after, *holdout_after])
    criteria = [
        Criterion(name="train gain", value=round(gain, 4), limit=thresholds.min_gain,
                  passed=gain >= thresholds.min_gain, note=f"{len(differences)} tasks paired"
                  + (f"; the gain lies in {interval.describe()}" if interval else "")),
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
        interval=[interval.low, interval.high] if interval else None,
    )
