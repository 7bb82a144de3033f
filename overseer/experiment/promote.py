"""Writing a promoted routing rule into overseer.yaml, and committing it alone with its record.

The file is edited as YAML that keeps its comments, order and style (ruamel.yaml's round trip):
only the target's ``routing:`` list changes. The new text is validated as a whole config before it
replaces the old one atomically; then a diffs/ record is written and exactly those two files are
committed, as a kept prompt edit is.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import git
import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from overseer.config import Config
from overseer.errors import FatalError, validation_message
from overseer.experiment.verdict import Experiment
from overseer.routing import Route
from overseer.vcs import atomic_write, commit_paths, is_dirty


def _yaml() -> YAML:
    handler = YAML()  # round trip: comments, key order and quoting are kept
    handler.preserve_quotes = True
    handler.width = 4096  # never re-wrap the user's long lines
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def _edited(text: str, path: Path, target: str, change: Callable[[Any], None]) -> str:
    """``text`` (overseer.yaml) after ``change`` edited the mapping of ``targets.<target>``."""
    handler = _yaml()
    try:
        data = handler.load(text)
        change(data["targets"][target])
    except (YAMLError, KeyError, TypeError, IndexError) as exc:
        raise FatalError(f"{path}: cannot edit targets.{target}: {exc}") from None
    out = io.StringIO()
    handler.dump(data, out)
    return out.getvalue()


def with_route(text: str, path: Path, target: str, route: Route) -> str:
    """``text`` with ``route`` appended to ``targets.<target>.routing``."""
    def append(entry: Any) -> None:
        rule = route.model_dump(exclude_none=True)
        if entry.get("routing") is not None:
            entry["routing"].append(rule)
        else:
            entry["routing"] = [rule]
    return _edited(text, path, target, append)


def without_route(text: str, path: Path, target: str, index: int) -> str:
    """``text`` with rule ``index`` (0-based) of ``targets.<target>.routing`` removed (the key
    too when no rule is left)."""
    def remove(entry: Any) -> None:
        del entry["routing"][index]
        if not entry["routing"]:
            del entry["routing"]
    return _edited(text, path, target, remove)


def checked(text: str, path: Path) -> None:
    """The new overseer.yaml must load as a config, or nothing is written."""
    try:
        Config.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        detail = validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
        raise FatalError(f"{path}: the routing rule would make it invalid: {detail}") from None


def config_diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def record_markdown(experiment: Experiment, diff: str) -> str:
    change = ["", "## Change", "", "```diff", diff.rstrip("\n"), "```", ""]
    if experiment.kind == "revert":
        return "\n".join([f"# Revert {experiment.experiment_id}: routing rule removed", "",
                          f"- target: {experiment.target}",
                          f"- band: {experiment.selector.describe()}, set {experiment.changes()}",
                          f"- {experiment.reason}", *change])
    low, high = experiment.interval or [float("nan"), float("nan")]
    lines = [f"# Experiment {experiment.experiment_id}: {experiment.outcome}", "",
             f"- target: {experiment.target}",
             f"- band: {experiment.selector.describe()} ({experiment.train_tasks} train tasks, "
             f"{experiment.holdout_tasks} holdout tasks)",
             f"- set: {experiment.changes()} (before: {experiment.before_text()})",
             f"- margin {experiment.margin:g}, α {experiment.alpha:g}, {experiment.repeats} rounds, "
             f"{experiment.runs_used} runs",
             f"- difference on train {experiment.difference or 0:+.3f}, in [{low:+.3f}, {high:+.3f}]",
             f"- {experiment.reason}", "", "## Criteria", ""]
    lines += [f"- {c.name}: {c.value} (limit {c.limit}) {'pass' if c.passed else 'FAIL'}; {c.note}"
              for c in experiment.criteria]
    return "\n".join(lines + change)


def next_record(diffs_dir: Path, experiment: Experiment) -> Path:
    return diffs_dir / f"experiment-{experiment.time[:10]}-{experiment.experiment_id}.md"


def write_and_commit(*, config_path: Path, diffs_dir: Path, repo: git.Repo | None, experiment: Experiment,
                     new_text: str, old_text: str, message: str) -> str | None:
    """Replace overseer.yaml atomically, write the record, commit exactly both (None: no repo)."""
    checked(new_text, config_path)
    record = next_record(diffs_dir, experiment)
    atomic_write(config_path, new_text.encode("utf-8"), fault_prefix="config-write")
    atomic_write(record, record_markdown(experiment, config_diff(old_text, new_text, config_path.name))
                 .encode("utf-8"), fault_prefix="diff-write")
    if repo is None:
        return None
    return commit_paths(repo, [config_path, record], message)


def require_clean(repo: git.Repo | None, config_path: Path) -> None:
    """A rule is committed alone: overseer.yaml may not carry uncommitted changes of the user's."""
    if repo is not None and is_dirty(repo, config_path):
        raise FatalError(f"{config_path}: has uncommitted changes; commit them first (a promoted rule is "
                         "committed alone), or pass --no-commit")
