"""The rule of an experiment: is a changed setting (a cheaper model for a band of tasks) not worse
than the current one by more than ``margin``, and cheaper? Pure functions from paired runs.

Non-inferiority, by betting (evidence/betting.py): the null hypothesis is "the mean paired
difference (changed minus current) is at most -margin"; the gambler bets that it is above, and the
setting is proven not worse when the wealth reaches 1/α. The wealth is a non-negative
supermartingale under that null, so the chance of promoting a setting that is truly worse by the
margin or more is at most α however often the evidence is looked at (a setting worse by twice the
margin, far less). The experiment stops early as soon as a bet the other way says the difference
is below -margin (the setting is worse), or after its first look when the setting is not cheaper
at all. At the last round, one proven neither way is refused when its difference so far is below
-margin, and unproven (no evidence against it) otherwise.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from overseer.acceptance import Objective
from overseer.decision import Criterion
from overseer.evidence.betting import above, below, confidence_sequence, log_wealth
from overseer.evidence.paired import infra_share, mean_gain, paired_differences, rounds_of, side_by_side_times
from overseer.evidence.signflip import binomial_tail
from overseer.metrics import Metrics, metrics
from overseer.records import RunRecord, now_iso
from overseer.routing import Route, Scalar, Selector

Cheaper = Literal["cost", "tokens", "time"]
Outcome = Literal["promoted", "refused", "unproven", "inconclusive", "reverted"]
LookVerdict = Literal["not_worse", "worse", "not_cheaper", "inconclusive", "continue"]


class Experiment(BaseModel):
    """One experiment (or one revert), as runs/<target>/experiments.jsonl records it."""

    model_config = ConfigDict(extra="forbid")
    experiment_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    time: str = Field(default_factory=now_iso)
    session_id: str = ""
    target: str = ""
    kind: Literal["experiment", "revert"] = "experiment"
    selector: Selector
    set: dict[str, Scalar]
    before: dict[str, list[str]] = Field(default_factory=dict)  # each changed setting's values in the band
    train_tasks: int = 0
    holdout_tasks: int = 0
    margin: float = 0.02
    alpha: float = 0.05
    cheaper: Cheaper = "cost"
    outcome: Outcome = "refused"
    reason: str = ""
    criteria: list[Criterion] = Field(default_factory=list)
    train_before: Metrics | None = None
    train_after: Metrics | None = None
    holdout_before: Metrics | None = None
    holdout_after: Metrics | None = None
    difference: float | None = None        # mean paired difference on train, changed minus current
    interval: list[float] | None = None    # its confidence sequence when the test stopped
    p_value: float | None = None           # 1 / the e-value against "worse by the margin or more"
    repeats: int | None = None
    cost_before: float | None = None       # per run, in the `cheaper` unit (US dollars, tokens, seconds)
    cost_after: float | None = None
    runs_used: int = 0
    rule: Route | None = None              # the rule written (promoted) or removed (reverted)
    commit: str | None = None

    def changes(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.set.items())

    def before_text(self) -> str:
        return ", ".join(f"{name}={'/'.join(values)}" for name, values in self.before.items())


@dataclass(frozen=True)
class Cheapness:
    """Is the changed setting cheaper: the figures of each arm (per run) and why."""

    cheaper: bool
    before: float | None
    after: float | None
    note: str


def per_run(records: Sequence[RunRecord], cheaper: Cheaper) -> float | None:
    """The mean cost of a run in US dollars, or its tokens; None when no run reported any."""
    values = [(r.usage.cost_usd if cheaper == "cost" else r.usage.tokens)
              for r in records if not r.infra and r.usage]
    return sum(values) / len(values) if values and any(values) else None


def cheapness(control: Sequence[RunRecord], changed: Sequence[RunRecord], cheaper: Cheaper, alpha: float,
              *, tested: bool = True) -> Cheapness:
    """Cost and tokens: the means per run compared (what a run is billed barely varies). Time: the
    pairs of runs made side by side (the same task and repeat in one batch), where load hits both
    alike; cheaper when the changed run was faster in so many pairs that a one-sided sign test gives
    p <= α (``tested=False``, after the first round: when its median is below at all)."""
    if cheaper == "time":
        pairs = side_by_side_times(control, changed)
        if not pairs:
            return Cheapness(False, None, None, "no runs made side by side")
        now_s, changed_s = statistics.median(b for b, _ in pairs), statistics.median(a for _, a in pairs)
        faster, slower = sum(a < b for b, a in pairs), sum(a > b for b, a in pairs)
        p = binomial_tail(faster, faster + slower)
        return Cheapness(p <= alpha if tested else changed_s < now_s, round(now_s, 4), round(changed_s, 4),
                         f"median {changed_s:.4g} s against {now_s:.4g} s; faster in {faster} of {len(pairs)} "
                         f"pairs run side by side (sign test p = {p:.3g})")
    before, after = per_run(control, cheaper), per_run(changed, cheaper)
    if before is None or after is None:
        what = "cost" if cheaper == "cost" else "token counts"
        hint = " (--cheaper tokens compares their tokens)" if cheaper == "cost" else ""
        return Cheapness(False, before, after, f"the runs report no {what}{hint}")
    unit = "$" if cheaper == "cost" else ""
    return Cheapness(after < before, before, after, f"{unit}{after:.6g} per run against {unit}{before:.6g}")


def look_verdict(control: Sequence[RunRecord], changed: Sequence[RunRecord], *, margin: float, alpha: float,
                 objective: Objective, cheaper: Cheaper, first: bool,
                 max_infra_share: float = 1.0) -> LookVerdict:
    """not_worse: proven not worse by more than the margin (the holdout is next); worse: proven
    worse by more than the margin; not_cheaper (first look only): the changed setting costs no
    less, so its quality does not matter; inconclusive: more pairs than ``max_infra_share`` were
    lost to infrastructure (no more rounds are spent on a broken provider or machine); continue:
    run one more round."""
    if infra_share(control, changed) > max_infra_share:
        return "inconclusive"
    if first and not cheapness(control, changed, cheaper, alpha, tested=False).cheaper:
        return "not_cheaper"
    rounds = rounds_of(control, changed, objective)
    if above(rounds, -margin, alpha):
        return "not_worse"
    if below(rounds, -margin, alpha):
        return "worse"
    return "continue"


def verdict(experiment: Experiment, *, train_control: Sequence[RunRecord], train_changed: Sequence[RunRecord],
            holdout_control: Sequence[RunRecord], holdout_changed: Sequence[RunRecord],
            objective: Objective, max_infra_share: float) -> Experiment:
    """The experiment with its criteria, figures and outcome filled in."""
    margin, alpha = experiment.margin, experiment.alpha
    rounds = rounds_of(train_control, train_changed, objective)
    values = [x for round_ in rounds for x in round_]
    difference = sum(values) / len(values) if values else 0.0
    p = min(1.0, math.exp(-log_wealth(rounds, -margin))) if values else 1.0
    interval = confidence_sequence(rounds, alpha)
    holdout_run = bool(holdout_changed)
    holdout_difference = mean_gain(paired_differences(holdout_control, holdout_changed, objective))
    cost = cheapness([*train_control, *holdout_control], [*train_changed, *holdout_changed],
                     experiment.cheaper, alpha)
    before, after, is_cheaper = cost.before, cost.after, cost.cheaper
    criteria = [
        Criterion(name="not worse on train", value=round(p, 4), limit=alpha, passed=p <= alpha, note=(
            f"anytime-valid betting test of 'worse by {margin:g} or more' after {len(rounds)} rounds; "
            f"the difference lies in {interval.describe()}")),
        Criterion(name="holdout difference", value=round(holdout_difference, 4) if holdout_run else None,
                  limit=-margin, passed=holdout_difference >= -margin, note="" if holdout_run else (
                      "not run: the train test did not pass" if experiment.holdout_tasks
                      else "no holdout task is in the band")),
        Criterion(name=f"cheaper ({experiment.cheaper})", value=None if after is None or not before
                  else round(after / before - 1, 4), limit=0.0, passed=is_cheaper, note=cost.note),
    ]
    figures = {
        "criteria": criteria, "difference": round(difference, 4), "interval": [interval.low, interval.high],
        "p_value": round(p, 4), "repeats": len(rounds), "cost_before": before, "cost_after": after,
        "train_before": metrics(train_control), "train_after": metrics(train_changed),
        "holdout_before": metrics(holdout_control) if holdout_run else None,
        "holdout_after": metrics(holdout_changed) if holdout_run else None,
        "runs_used": len(train_control) + len(train_changed) + len(holdout_control) + len(holdout_changed),
    }
    lost = max(infra_share(train_control, train_changed), infra_share(holdout_control, holdout_changed))
    failed = [c.name for c in criteria if not c.passed]
    if lost > max_infra_share:
        outcome: Outcome = "inconclusive"
        reason = (f"inconclusive: {lost:.0%} of the pairs failed for infrastructure reasons "
                  f"(limit {max_infra_share:.0%})")
    elif not failed:
        outcome, reason = "promoted", "not worse by more than the margin, and cheaper"
    elif not is_cheaper or below(rounds, -margin, alpha) or (holdout_run and "holdout difference" in failed):
        outcome, reason = "refused", f"failed: {', '.join(failed)}"
    elif difference < -margin:   # as optimize rejects a candidate whose gain so far is not above 0
        outcome, reason = "refused", (f"failed: {', '.join(failed)}; not proven either way in {len(rounds)} "
                                      f"rounds, but the difference so far ({difference:+.3f}) is a loss "
                                      f"beyond the margin")
    else:
        outcome = "unproven"
        reason = (f"unproven: not shown to be within {margin:g} after {len(rounds)} rounds (the "
                  f"difference lies in {interval.describe()}); neither promoted nor shown worse")
    return experiment.model_copy(update={**figures, "outcome": outcome, "reason": reason})
