"""The options several commands share, and how a command's exit code leaves the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from overseer.errors import EXIT_OK

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Path to overseer.yaml (default: found by walking up from the current directory).")]
JsonOption = Annotated[bool, typer.Option("--json", metavar="", help="Print the facts as one JSON object.")]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=64, help="Runs at once (default: the target's jobs).")]
ExecutorOption = Annotated[str | None, typer.Option("--executor", help="Where runs are made: local or ray (default: the target's executor.kind, local).")]
ExecutorAddressOption = Annotated[str | None, typer.Option("--executor-address", help="The Ray cluster: auto, ray://HOST:10001, HOST:PORT, or '' for a Ray started here.")]


def exit_with(code: int) -> None:
    if code != EXIT_OK:
        raise typer.Exit(code)
