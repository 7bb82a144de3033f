"""Tasks and task sets: loading ``task.yaml``, pinning a set by content hash, the holdout split."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from overseer.errors import FatalError
from overseer.seeds import holdout_rank
from overseer.templates import CHECK_PLACEHOLDERS, check_template
from overseer.yamlfile import load_yaml_model

if TYPE_CHECKING:  # only named here: the simulated model reads tasks without the config models
    from overseer.config import LoadedConfig, Target

TASK_FILE = "task.yaml"
DEFAULT_CHECK = "{python} -m pytest -q -p no:cacheprovider --junitxml={junit_xml} tests"
_IGNORED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


class TaskFile(BaseModel):
    """The contents of one ``task.yaml``."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    spec: str = Field(min_length=1)
    check: str | None = Field(None, description="command template; default: pytest on tests/")
    timeout_s: float = Field(30.0, gt=0)
    tags: list[str] = Field(default_factory=list)
    complexity: int = Field(1, ge=1, le=5)

    @field_validator("check")
    @classmethod
    def _check_template(cls, value: str | None) -> str | None:
        return None if value is None else check_template(value, CHECK_PLACEHOLDERS)


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    spec: str
    check: str
    timeout_s: float
    tags: tuple[str, ...]
    complexity: int
    directory: Path
    content_hash: str

    @property
    def tests_dir(self) -> Path:
        return self.directory / "tests"

    @property
    def fixture_dir(self) -> Path:
        return self.directory / "fixture"


@dataclass(frozen=True)
class TaskSet:
    name: str
    directory: Path
    tasks: tuple[Task, ...]
    content_hash: str

    def __len__(self) -> int:
        return len(self.tasks)

    def subset(self, name: str, tasks: list[Task]) -> TaskSet:
        # A subset keeps the pin of the whole set: its tasks' contents are what was pinned.
        return TaskSet(name=name, directory=self.directory, tasks=tuple(tasks),
                       content_hash=self.content_hash)


def _hashed_files(directory: Path) -> list[Path]:
    files = [
        p for p in directory.rglob("*")
        if p.is_file() and not _IGNORED_PARTS.intersection(p.relative_to(directory).parts)
        and p.suffix != ".pyc"
    ]
    return sorted(files, key=lambda p: p.relative_to(directory).as_posix())


def content_hash(directory: Path) -> str:
    """A hash of every file's relative path and bytes under ``directory``: the pin of a task set."""
    digest = hashlib.sha256()
    for path in _hashed_files(directory):
        rel = path.relative_to(directory).as_posix().encode()
        data = path.read_bytes()
        digest.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:16]


def load_task(directory: Path) -> Task:
    task_file = directory / TASK_FILE
    parsed = load_yaml_model(task_file, TaskFile, "id, title and spec")
    if parsed.id != directory.name:
        raise FatalError(f"{task_file}: id: {parsed.id!r} must equal its folder name {directory.name!r}")
    if parsed.check is None and not (directory / "tests").is_dir():
        raise FatalError(f"{directory}: no tests/ folder, and task.yaml sets no check command")
    return Task(
        id=parsed.id, title=parsed.title, spec=parsed.spec, check=parsed.check or DEFAULT_CHECK,
        timeout_s=parsed.timeout_s, tags=tuple(parsed.tags), complexity=parsed.complexity,
        directory=directory, content_hash=content_hash(directory),
    )


def load_task_set(directory: Path) -> TaskSet:
    """The task set in a folder of task folders, or a promptfoo suite (a config or a test file,
    suites/): its cases as tasks, named by the file's stem."""
    from overseer.suites.promptfoo import is_suite

    if is_suite(directory):
        from overseer.suites.materialize import materialize

        suite = load_task_set(materialize(directory))
        return TaskSet(name=directory.stem, directory=suite.directory, tasks=suite.tasks,
                       content_hash=suite.content_hash)
    if not directory.is_dir():
        raise FatalError(f"{directory}: task set folder does not exist")
    task_dirs = sorted(p for p in directory.iterdir() if (p / TASK_FILE).is_file())
    if not task_dirs:
        raise FatalError(f"{directory}: no tasks (each task is a folder holding {TASK_FILE})")
    tasks = tuple(load_task(p) for p in task_dirs)
    return TaskSet(name=directory.name, directory=directory, tasks=tasks,
                   content_hash=content_hash(directory))


def split_holdout(task_set: TaskSet, fraction: float) -> tuple[TaskSet, TaskSet]:
    """Deterministic split: the same ids land in the holdout whatever order they were listed in."""
    ranked = sorted(task_set.tasks, key=lambda t: holdout_rank(t.id))
    n_holdout = round(len(ranked) * fraction)
    if fraction > 0 and len(ranked) > 1:
        n_holdout = min(max(n_holdout, 1), len(ranked) - 1)
    held = {t.id for t in ranked[:n_holdout]}
    train = [t for t in task_set.tasks if t.id not in held]
    holdout = [t for t in task_set.tasks if t.id in held]
    return task_set.subset("train", train), task_set.subset("holdout", holdout)


def _sealed_split(task_set: TaskSet, fraction: float) -> tuple[TaskSet, TaskSet]:
    """(the rest, the sealed test tasks): ``fraction`` of the tasks by a rank of their ids that is
    not the holdout's, so that a test set cut from a set does not take its holdout's tasks."""
    ranked = sorted(task_set.tasks, key=lambda t: holdout_rank(f"test:{t.id}"))
    sealed = {t.id for t in ranked[:max(1, round(len(ranked) * fraction))]} if fraction > 0 else set()
    rest = [t for t in task_set.tasks if t.id not in sealed]
    return task_set.subset(task_set.name, rest), task_set.subset("test", [t for t in task_set.tasks if t.id in sealed])


def target_test_set(loaded: LoadedConfig, target: Target) -> TaskSet | None:
    """The target's sealed test set (``test:``), or None."""
    if target.test is None:
        return None
    if isinstance(target.test, str):
        sealed = load_task_set(loaded.root / target.test)
        return sealed.subset("test", list(sealed.tasks))
    return _sealed_split(load_task_set(loaded.root / target.tasks), target.test)[1]


def target_task_sets(loaded: LoadedConfig, target: Target) -> tuple[TaskSet, TaskSet]:
    """The (train, holdout) task sets of a target; a sealed test set cut from ``tasks`` is never
    among them."""
    full = load_task_set(loaded.root / target.tasks)
    if isinstance(target.test, float | int) and target.test > 0:
        full = _sealed_split(full, float(target.test))[0]
    if isinstance(target.holdout, str):
        holdout = load_task_set(loaded.root / target.holdout)
        return full.subset("train", list(full.tasks)), holdout.subset("holdout", list(holdout.tasks))
    return split_holdout(full, target.holdout)


def select_tasks(loaded: LoadedConfig, target: Target, which: str) -> TaskSet:
    """``train``, ``holdout``, ``all`` (train then holdout), or a path to another task set."""
    if which in ("train", "holdout", "all"):
        train, holdout = target_task_sets(loaded, target)
        if which == "train":
            return train
        if which == "holdout":
            return holdout
        combined = [*train.tasks, *(t for t in holdout.tasks if t not in train.tasks)]
        return train.subset("all", combined)
    path = Path(which)
    return load_task_set(path if path.is_absolute() else Path.cwd() / path)
