"""The acceptance rule: every criterion of a candidate, each with its value and verdict, from the
paired runs and the budgets (pure). The statistics it applies are in evidence/ (the sign-flip test,
the betting test and its confidence sequence, the looks, the allocation of runs); the records it
fills in are in decision.py."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from overseer.acceptance import Objective, Thresholds
from overseer.decision import Criterion, Verdict
from overseer.evidence import measured
from overseer.evidence.betting import Interval, confidence_sequence, parts
from overseer.evidence.looks import DETERMINISTIC, REACH_Z, Look, clears_min_gain, evidence_for, tasks_note
from overseer.evidence.paired import (
    deterministic,
    infra_share,
    mean_gain,
    paired_differences,
    run_value,
    side_by_side_times,
    walked_rounds,
)
from overseer.evidence.signflip import binomial_tail, sign_flip_p_value
from overseer.metrics import metrics
from overseer.records import RunRecord

TIME_ALPHA = 0.05


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


def _train_test(train_before: Sequence[RunRecord], train_after: Sequence[RunRecord],
                thresholds: Thresholds, objective: Objective, look: Look | None
                ) -> tuple[float, float, Interval | None, str]:
    """(gain, p-value, confidence sequence or None, what the p-value is) of the train runs: the
    exact sign-flip test for one fixed sample (no ``look``), else the betting test."""
    if measured.measured(train_after):
        return _measured_test(train_before, train_after, thresholds, objective, look)
    differences = paired_differences(train_before, train_after, objective)
    if look is None:
        gain, p = mean_gain(differences), sign_flip_p_value(list(differences.values()))
        return gain, p, None, "one-sided paired sign-flip test over tasks"
    rounds = walked_rounds(train_before, train_after, objective)
    gain, p = evidence_for(rounds)
    interval = confidence_sequence(rounds, thresholds.alpha)
    note = (f"anytime-valid betting test: 1/e-value after {len(rounds)} rounds of "
            f"{len(differences)} tasks; confidence sequence for the gain "
            f"{interval.describe()} (each end at {1 - thresholds.alpha:.0%})")
    if any(parts(r)[1] < 1 for r in rounds):
        note += ("; tasks on which both prompts agreed in every round so far were run in "
                 "only some later rounds, their differences weighted to keep the test exact")
    if deterministic(train_before, train_after, objective):
        note += f"; {tasks_note(differences)}"
    return gain, p, interval, note


def _measured_test(train_before: Sequence[RunRecord], train_after: Sequence[RunRecord],
                   thresholds: Thresholds, objective: Objective, look: Look | None
                   ) -> tuple[float, float, Interval | None, str]:
    s = measured.streams(train_before, train_after, lambda r: run_value(r, objective))
    interval = measured.interval(s, thresholds.alpha)
    note = (f"anytime-valid test against the well-measured parent: {measured.describe(s)}; "
            f"confidence sequence for the gain {interval.describe()} (each end at "
            f"{1 - thresholds.alpha:.0%})")
    if deterministic(train_before, train_after, objective):
        note += f"; {DETERMINISTIC}"
    return s.gain, measured.p_value(s), interval, note


# A holdout gain below the tolerance by less than this many standard errors is noise as much as a
# loss: the holdout runs again at twice the rounds before it is judged (holdout_rounds).
HOLDOUT_DOUBT_Z = 1.0


def _variance_of_mean(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1) / len(values)


def holdout_error(before: Sequence[RunRecord], after: Sequence[RunRecord], objective: Objective) -> float:
    """The standard error of holdout_gain: of the mean of the per-task paired differences, or, for
    a measured candidate, of the difference of the two streams' means."""
    if not measured.measured(after):
        return math.sqrt(_variance_of_mean(list(paired_differences(before, after, objective).values())))
    base, own = measured.stream_values(before, after, lambda r: run_value(r, objective))
    return math.sqrt(_variance_of_mean(own) + _variance_of_mean(base))


def holdout_rounds(before: Sequence[RunRecord], after: Sequence[RunRecord], rounds: int,
                   thresholds: Thresholds, objective: Objective) -> int | None:
    """Twice ``rounds`` when the holdout gain at ``rounds`` rounds misses the tolerance by less
    than HOLDOUT_DOUBT_Z standard errors (the holdout is then run again at those rounds and judged
    on them, once), else None: the gate stays a point estimate, on enough runs to mean one."""
    gain, limit = holdout_gain(before, after, objective), -thresholds.holdout_tolerance
    if gain >= limit or gain + HOLDOUT_DOUBT_Z * holdout_error(before, after, objective) < limit:
        return None
    return 2 * rounds


def holdout_gain(before: Sequence[RunRecord], after: Sequence[RunRecord], objective: Objective) -> float:
    """The candidate's holdout mean minus the parent's: per task paired, or, for a measured
    candidate, the candidate's runs at its own seeds against all the parent's."""
    if not measured.measured(after):
        return mean_gain(paired_differences(before, after, objective))
    s = measured.streams(before, after, lambda r: run_value(r, objective))
    return s.gain


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
    tasks = len(paired_differences(train_before, train_after, objective))
    gain, p, interval, p_note = _train_test(train_before, train_after, thresholds, objective, look)
    holdout = holdout_gain(holdout_before, holdout_after, objective)
    all_before = metrics([*train_before, *holdout_before])
    all_after = metrics([*train_after, *holdout_after])
    criteria = [
        Criterion(name="train gain", value=round(gain, 4), limit=thresholds.min_gain,
                  passed=clears_min_gain(gain, thresholds), note=f"{tasks} tasks paired"
                  + (f"; the gain lies in {interval.describe()}" if interval else "")),
        Criterion(name="p-value", value=round(p, 4), limit=round(alpha, 6),
                  passed=p <= alpha, note=p_note),
        Criterion(name="holdout gain", value=round(holdout, 4) if holdout_measured else None,
                  limit=-thresholds.holdout_tolerance,
                  passed=holdout >= -thresholds.holdout_tolerance,
                  note="" if holdout_measured else "not run: the train criteria already failed"),
        _budget("tokens per run", all_before.tokens_per_run, all_after.tokens_per_run,
                thresholds.max_token_increase),
        _time_criterion(*(timed or ([*train_before, *holdout_before], [*train_after, *holdout_after])),
                        thresholds),
    ]
    common = {"criteria": criteria, "train_before": metrics(train_before),
              "train_after": metrics(train_after), "gain": round(gain, 4), "p_value": round(p, 4),
              "repeats": look.repeats if look else None}
    share = measured.infra_share if measured.measured(train_after) else infra_share
    lost = max(share(train_before, train_after), share(holdout_before, holdout_after))
    if lost > max_infra_share:
        return Verdict(
            outcome="inconclusive", **common,
            reason=f"inconclusive: {lost:.0%} of the pairs failed for infrastructure reasons "
                   f"(limit {max_infra_share:.0%}); neither kept nor counted against the edit")
    failed = [c.name for c in criteria if not c.passed]
    return Verdict(
        outcome="rejected" if failed else "accepted", **common,
        reason=f"failed: {', '.join(failed)}" if failed else "all criteria hold",
        holdout_before=metrics(holdout_before) if holdout_measured else None,
        holdout_after=metrics(holdout_after) if holdout_measured else None,
        interval=[interval.low, interval.high] if interval else None)


def unproven(verdict: Verdict, look: Look, thresholds: Thresholds) -> Verdict:
    """The verdict of a candidate whose test ran out of rounds, or stopped at an earlier look
    because the rounds left could not prove it (looks.out_of_reach), with its gain still above
    ``futility_gain``: no evidence against it, continued when it is proposed again."""
    rounds = look.repeats
    why = ("the test ran out of rounds" if look.number >= look.of else
           f"stopped before round {look.last}: even a gain {REACH_Z:g} standard "
           "errors above its estimate could not be proven in the rounds left, so they were not spent,")
    reason = (f"unproven after {rounds} rounds: {why} with the gain still above "
              f"{thresholds.futility_gain:g}; it is continued from here when it is "
              "proposed again or the proposer has nothing new")
    if verdict.interval and verdict.interval[0] > 0:
        reason += (f"; it is better than the parent (the gain lies in [{verdict.interval[0]:+.3f}, "
                   f"{verdict.interval[1]:+.3f}]) but not shown to clear min_gain "
                   f"({thresholds.min_gain:g}, accept.min_gain)")
    return verdict.model_copy(update={"outcome": "unproven", "reason": reason})
