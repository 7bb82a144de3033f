"""Paired differences: what the test compares of a run, and the candidate-minus-parent values of
the (task, repeat) pairs both prompts ran. A pair with an infrastructure failure on either side is
no evidence and is left out everywhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from overseer.acceptance import Objective
from overseer.evidence.allocate import differences_by_round, walk_records
from overseer.evidence.betting import Rounds
from overseer.records import RunRecord


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


def mean_gain(differences: dict[str, float]) -> float:
    return sum(differences.values()) / len(differences) if differences else 0.0


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

