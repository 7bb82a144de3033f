"""``overseer sim``: the simulator's ground truth, and a check that a task set suits it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from overseer import report
from overseer.config import LoadedConfig, Target, load_config
from overseer.errors import EXIT_FAILED, EXIT_OK
from overseer.prompts import read_prompt
from overseer.sim.calibrate import TaskCalibration, calibrate
from overseer.sim.profile import load_profile
from overseer.sim.writer import expected_cost, mode_probabilities, model_name, pass_probability
from overseer.tasks import Task, TaskSet, target_task_sets

SIM_SETTING = "model"  # the setting the example command reads its model from (--model {model})


@dataclass
class BandTruth:
    tasks: int
    pass_rate: float
    cost_per_run: float


@dataclass
class Truth:
    pass_rates: dict[str, float]
    mode_means: dict[str, float]
    # complexity -> model -> the band's expected pass rate and cost per run; models: "current"
    # (what the target's settings and routing give each task), "sim" and every "sim:NAME"
    bands: dict[int, dict[str, BandTruth]]


def simulated_model(target: Target, task: Task) -> str | None:
    """The simulated model a run of ``task`` gets (its ``model`` setting after routing; None for
    plain ``sim`` or no such setting); ValueError when the setting names a real model."""
    return model_name(target.settings_for(task).get(SIM_SETTING, "sim"))


def _named(name: str, task: Task) -> str | None:
    return name


def truth_for_prompt(prompt: str, sets: dict[str, TaskSet], target: Target | None = None) -> Truth:
    def current(task: Task) -> str | None:
        try:
            return simulated_model(target, task) if target else None
        except ValueError:
            return None  # a real model: the simulator's truth is about the plain sim

    def band(tasks: list[Task], pick: Callable[[Task], str | None]) -> BandTruth:
        return BandTruth(len(tasks), sum(pass_probability(prompt, t, model=pick(t)) for t in tasks) / len(tasks),
                         sum(expected_cost(prompt, t, model=pick(t)) for t in tasks) / len(tasks))

    rates = {name: band(list(ts.tasks), current).pass_rate if ts.tasks else 0.0 for name, ts in sets.items()}
    everything = [t for ts in sets.values() for t in ts.tasks]
    totals: dict[str, float] = {}
    for task in everything:
        for mode, p in mode_probabilities(prompt, task, model=current(task)).items():
            totals[mode] = totals.get(mode, 0.0) + p
    means = {mode: total / len(everything) for mode, total in sorted(totals.items())}
    models: dict[str, Callable[[Task], str | None]] = {"current": current, "sim": lambda task: None}
    for name in load_profile().profile.models:
        models[f"sim:{name}"] = partial(_named, name)
    bands = {complexity: {label: band([t for t in everything if t.complexity == complexity], pick)
                          for label, pick in models.items()}
             for complexity in sorted({t.complexity for t in everything})}
    return Truth(rates, means, bands)


def target_truth(*, loaded: LoadedConfig, target_name: str, prompt: str | None = None) -> Truth:
    target = loaded.target(target_name)
    train, holdout = target_task_sets(loaded, target)
    text = read_prompt(loaded.root, target.prompt) if prompt is None else prompt
    return truth_for_prompt(text, {"train": train, "holdout": holdout}, target)


def check_target_tasks(*, loaded: LoadedConfig, target_name: str, jobs: int) -> list[TaskCalibration]:
    train, holdout = target_task_sets(loaded, loaded.target(target_name))
    return calibrate([*train.tasks, *holdout.tasks], jobs=jobs)


def truth_main(*, config: Path | None, target: str, json_output: bool) -> int:
    truth = target_truth(loaded=load_config(config), target_name=target)
    if json_output:
        report.print_json({"target": target, "pass_rate": truth.pass_rates, "modes": truth.mode_means,
                           "bands": {str(c): {label: asdict(b) for label, b in models.items()}
                                     for c, models in truth.bands.items()}})
    else:
        report.show_truth(truth.pass_rates, truth.mode_means, truth.bands)
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
