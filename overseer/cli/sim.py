"""``overseer sim``: the simulated code writer (the offline model)."""

from __future__ import annotations

from typing import Annotated

import typer

from overseer.cli.options import ConfigOption, JobsOption, JsonOption, exit_with
from overseer.commands import sim as sim_cmd

sim_app = typer.Typer(no_args_is_help=True, help="The simulated code writer (offline model).")


@sim_app.command("truth")
def sim_truth(
    target: Annotated[str, typer.Option("--target", "-t", help="The target whose current prompt is scored.")],
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """The simulator's exact expected pass rate of a target's current prompt."""
    exit_with(sim_cmd.truth_main(config=config, target=target, json_output=json_output))


@sim_app.command("check-tasks")
def sim_check_tasks(
    target: Annotated[str, typer.Option("--target", "-t", help="The target whose tasks are checked.")],
    jobs: JobsOption = None,
    config: ConfigOption = None,
) -> None:
    """Check that each task's reference passes and every failure mode the sim offers breaks it."""
    exit_with(sim_cmd.check_tasks_main(config=config, target=target, jobs=jobs))
