"""The two consoles and the primitives every command's output goes through."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from overseer.records import RunRecord

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

JSONValue = object  # whatever json.dumps takes, with str() as the fallback


def error(message: str) -> None:
    err.print(f"[bold red]overseer: error:[/] {message}", markup=True, highlight=False)


def warn(message: str) -> None:
    err.print(f"[yellow]overseer: warning:[/] {message}")


def note(message: str) -> None:
    """One line of progress on stderr, printed as it is: an edit shown in [brackets] or a
    path is never taken for rich markup."""
    err.print(message, markup=False)


def line(message: str) -> None:
    """One line of plain output on stdout (no markup)."""
    out.print(message, markup=False)


def print_json(data: JSONValue) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _run_line(record: RunRecord) -> str:
    verdict = "pass" if record.passed else f"FAIL {record.error_class or ''}".rstrip()
    return (f"{record.task_id} r{record.repeat}: {verdict} "
            f"({record.tests_passed}/{record.tests_total} tests, {record.command_s + record.check_s:.1f}s)")


@contextmanager
def run_progress(label: str, total: int) -> Iterator[Callable[[RunRecord], None]]:
    """A callback to give each finished run: a bar on a terminal, plain lines otherwise."""
    if err.is_terminal:
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[passed]} passed"), TimeElapsedColumn(),
                            console=err, transient=True)
        with progress:
            bar = progress.add_task(label, total=total, passed=0)
            passed = 0

            def advance(record: RunRecord) -> None:
                nonlocal passed
                passed += record.passed
                progress.update(bar, advance=1, passed=passed)

            yield advance
        return
    done = 0

    def plain(record: RunRecord) -> None:
        nonlocal done
        done += 1
        err.print(f"[{done}/{total}] {label}: {_run_line(record)}", markup=False)

    yield plain
