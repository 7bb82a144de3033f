"""What is shipped to a cluster once per session (no cluster needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.cluster.snapshot import make_snapshot
from overseer.errors import FatalError
from overseer.tasks import load_task_set
from tests.helpers import git, make_toy_project


def test_the_snapshot_is_head_without_git_and_runs_plus_the_task_sets(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project = make_toy_project(repo / "sub", with_git=False)
    (repo / "top.txt").write_text("outside the project, inside the repository\n")
    (project / "runs").mkdir()
    (project / "runs" / "old.jsonl").write_text("{}\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    (repo / "uncommitted.txt").write_text("not at HEAD\n")
    outside = make_toy_project(tmp_path / "other", with_git=False)
    sets = [load_task_set(project / "tasks" / "toy"), load_task_set(outside / "tasks" / "toy")]
    snapshot = make_snapshot(project, sets, tmp_path / "ship")
    tree = tmp_path / "ship" / "tree"
    assert snapshot.root == "sub"
    assert (tree / "top.txt").is_file() and (tree / "sub" / "overseer.yaml").is_file()
    assert not (tree / ".git").exists() and not (tree / "sub" / "runs").exists()
    assert not (tree / "uncommitted.txt").exists()
    task = sets[1].tasks[0]
    place = snapshot.task_place(task)
    assert place.parts[:2] == ("tasks", "1") and (tmp_path / "ship" / place / "task.yaml").is_file()
    stranger = load_task_set(make_toy_project(tmp_path / "third", with_git=False) / "tasks" / "toy").tasks[0]
    with pytest.raises(FatalError, match="none of the task sets"):
        snapshot.task_place(stranger)
    assert snapshot.excludes(["*.bin", "build/", "data/big", "/models"]) == [
        "*.bin", "build/", "/tree/sub/data/big", "/tree/sub/models"]

