"""The session's snapshot, shipped once to the cluster as the Ray job's working directory:

    tree/       the repository at HEAD (the isolated copy runs are made in), without .git and
                the project's runs/
    tasks/<k>/  each task set the session may run

A run's prompt is not in it: its text travels with each run (worker.py puts it in place).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from overseer.errors import FatalError
from overseer.runner import RunContext
from overseer.sandbox import IsolatedCopy
from overseer.tasks import Task, TaskSet


@dataclass(frozen=True)
class Snapshot:
    directory: Path
    root: str                      # overseer.yaml's directory, relative to tree/
    task_sets: dict[Path, str]     # a task set's directory here -> its place in the snapshot

    def task_place(self, task: Task) -> Path:
        """Where ``task``'s directory is inside the snapshot."""
        directory = task.directory.resolve()
        for source, place in self.task_sets.items():
            if directory == source or source in directory.parents:
                return Path(place) / directory.relative_to(source)
        raise FatalError(f"task {task.id} ({task.directory}) is in none of the task sets shipped "
                         "to the cluster at the start of the session")

    def top_of(self, ctx: RunContext) -> Path:
        """The top of the repository copy that ``ctx``'s runs are made in on this machine."""
        depth = len(Path(self.root).parts)
        return ctx.copy_root.parents[depth - 1] if depth else ctx.copy_root

    def excludes(self, patterns: Sequence[str]) -> list[str]:
        """The user's patterns (gitignore style, relative to the project) for the snapshot."""
        inside = f"/tree/{self.root}/" if self.root else "/tree/"
        return [f"{inside}{p.lstrip('/')}" if "/" in p.rstrip("/") or p.startswith("/") else p
                for p in patterns]


def make_snapshot(root: Path, task_sets: Sequence[TaskSet], directory: Path) -> Snapshot:
    """Fill ``directory`` with the snapshot of the project at ``root`` and ``task_sets``."""
    with IsolatedCopy(root) as copy:
        top = copy.top
        relative = copy.root.relative_to(top).as_posix()
        relative = "" if relative == "." else relative
        runs = (copy.root / "runs").resolve()
        shutil.copytree(top, directory / "tree", symlinks=True,
                        ignore=lambda folder, names: [n for n in names if n == ".git" or
                                                      (Path(folder) / n).resolve() == runs])
    places: dict[Path, str] = {}
    for task_set in task_sets:
        source = task_set.directory.resolve()
        if source not in places:
            places[source] = f"tasks/{len(places)}"
            shutil.copytree(source, directory / places[source], symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return Snapshot(directory, relative, places)
