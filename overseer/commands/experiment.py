"""``overseer experiment TARGET --set NAME=VALUE --where ...``: a changed setting for a band of
tasks, promoted to a routing rule only when proven not worse and cheaper (experiment/)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from overseer import report
from overseer.config import load_config
from overseer.errors import EXIT_FAILED, EXIT_OK, FatalError, validation_message
from overseer.experiment.session import ExperimentOptions, finish_interrupted, revert_rule, run_experiment
from overseer.experiment.verdict import Cheaper, Experiment
from overseer.routing import Scalar, Selector


def parse_changes(items: list[str]) -> dict[str, Scalar]:
    """``["model=openai:gpt-4o-mini", "temperature=0.2"]`` -> typed values, as YAML reads them."""
    if not items:
        raise FatalError("--set: give at least one NAME=VALUE (a setting the target declares)")
    changes: dict[str, Scalar] = {}
    for item in items:
        name, equals, text = item.partition("=")
        if not equals or not name.strip():
            raise FatalError(f"--set {item!r}: expected NAME=VALUE")
        try:
            value = yaml.safe_load(text) if text.strip() else text
        except yaml.YAMLError:
            value = text
        changes[name.strip()] = value if isinstance(value, str | int | float | bool) else text
    return changes


def parse_selector(where: str | None, tag: str | None) -> Selector:
    try:
        return Selector(where=where, tag=tag)
    except ValidationError as exc:
        raise FatalError(f"--where/--tag: {validation_message(exc).removeprefix('(top level): ')}") from None


def experiment_json(experiment: Experiment) -> dict[str, object]:
    return experiment.model_dump(mode="json")


def revert_main(*, config: Path | None, target: str, which: str, commit: bool, json_output: bool) -> int:
    experiment = revert_rule(load_config(config), target, which, commit=commit)
    if json_output:
        report.print_json(experiment_json(experiment))
    else:
        report.line(f"{target}: {experiment.reason}: {experiment.selector.describe()}, {experiment.changes()}"
                    + (f"; commit {experiment.commit[:12]}" if experiment.commit else ""))
    return EXIT_OK


def finish_note(config: Path | None, target: str) -> None:
    """Complete a rule change a kill cut short, and say so (on stderr)."""
    finished = finish_interrupted(load_config(config), target)
    if finished is not None:
        report.note(f"{target}: finished the interrupted {finished.outcome} rule of experiment "
                    f"{finished.experiment_id} ({finished.selector.describe()}, {finished.changes()})"
                    + (f"; commit {finished.commit[:12]}" if finished.commit else ""))


def main(*, config: Path | None, target: str, changes: list[str], where: str | None, tag: str | None,
         margin: float, cheaper: Cheaper, max_repeats: int | None, jobs: int | None, commit: bool,
         json_output: bool, revert: str | None = None, executor: str | None = None,
         executor_address: str | None = None) -> int:
    if revert is not None:
        if changes or where or tag:
            raise FatalError("--revert undoes a rule: give it alone, without --set, --where or --tag")
        finish_note(config, target)
        return revert_main(config=config, target=target, which=revert, commit=commit, json_output=json_output)
    options = ExperimentOptions(changes=parse_changes(changes), selector=parse_selector(where, tag),
                                margin=margin, cheaper=cheaper, jobs=jobs, max_repeats=max_repeats,
                                commit=commit)
    finish_note(config, target)
    loaded = load_config(config).with_executor(target, executor, executor_address)

    def on_look(repeats: int, verdict: str) -> None:
        if not json_output:
            report.note(f"{repeats} rounds: {verdict.replace('_', ' ')}")

    experiment = run_experiment(loaded, target, options, on_look=on_look)
    if json_output:
        report.print_json(experiment_json(experiment))
    else:
        report.show_experiment(experiment)
    return EXIT_OK if experiment.outcome == "promoted" else EXIT_FAILED
