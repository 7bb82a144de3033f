"""``overseer sim``: the simulator's ground truth, and a check that a task set suits it."""

from __future__ import annotations

from dataclasses import dataclass

from overseer.config import LoadedConfig
from overseer.prompts import read_prompt
from overseer.sim.calibrate import TaskCalibration, calibrate
from overseer.sim.writer import expected_pass_rate, mode_probabilities
from overseer.tasks import TaskSet, target_task_sets


@dataclass
class Truth:
    pass_rates: dict[str, float]
    mode_means: dict[str, float]


def truth_for_prompt(prompt: str, sets: dict[str, TaskSet]) -> Truth:
    rates = {name: expected_pass_rate(prompt, list(ts.tasks)) for name, ts in sets.items()}
    everything = [t for ts in sets.values() for t in ts.tasks]
    totals: dict[str, float] = {}
    for task in everything:
        for mode, p in mode_probabilities(prompt, task).items():
            totals[mode] = totals.get(mode, 0.0) + p
    means = {mode: total / len(everything) for mode, total in sorted(totals.items())}
    return Truth(rates, means)


def target_truth(*, loaded: LoadedConfig, target_name: str, prompt: str | None = None) -> Truth:
    target = loaded.target(target_name)
    train, holdout = target_task_sets(loaded, target)
    text = read_prompt(loaded.root, target.prompt) if prompt is None else prompt
    return truth_for_prompt(text, {"train": train, "holdout": holdout})


def check_target_tasks(*, loaded: LoadedConfig, target_name: str, jobs: int) -> list[TaskCalibration]:
    train, holdout = target_task_sets(loaded, loaded.target(target_name))
    return calibrate([*train.tasks, *holdout.tasks], jobs=jobs)
