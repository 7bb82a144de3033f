"""``overseer sim``: the simulator's ground truth, and a check that a task set suits it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overseer import report
from overseer.config import LoadedConfig, load_config
from overseer.errors import EXIT_FAILED, EXIT_OK
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


def truth_main(*, config: Path | None, target: str, json_output: bool) -> int:
    truth = target_truth(loaded=load_config(config), target_name=target)
    if json_output:
        report.print_json({"target": target, "pass_rate": truth.pass_rates, "modes": truth.mode_means})
    else:
        report.show_truth(truth.pass_rates, truth.mode_means)
    return EXIT_OK


def check_tasks_main(*, config: Path | None, target: str, jobs: int | None) -> int:
    results = check_target_tasks(loaded=load_config(config), target_name=target, jobs=jobs or 4)
    bad = [r for r in results if not r.ok]
    for r in bad:
        reasons = ([] if r.reference_passes else ["reference fails its tests"]) + \
            [f"{m} does not break it" for m in r.unbroken] + r.problems
        report.line(f"{r.task_id}: {'; '.join(reasons)}")
    report.line(f"{len(results) - len(bad)} of {len(results)} tasks suit the simulator")
    return EXIT_FAILED if bad else EXIT_OK
