"""What is shipped to a cluster and how a node puts a prompt in place (no cluster needed)."""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

import pytest

from overseer.cluster.driver import deadline_s, import_ray, version_mismatch
from overseer.cluster.snapshot import make_snapshot
from overseer.cluster.worker import RemoteRun, _prompt_copy, clean, node_directory
from overseer.config import load_config
from overseer.errors import FatalError
from overseer.tasks import load_task_set
from tests.helpers import git, make_toy_project, overseer


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


def _run(key: str, text: bytes) -> RemoteRun:
    return RemoteRun(key=key, session_id="s", target_name="toy", target=None,  # type: ignore[arg-type]
                     environment="", batch="", root="sub", prompt_path="sub/prompts/system.md",
                     prompt_file=text, prompt_hash="h", task=None, task_set_hash="",  # type: ignore[arg-type]
                     repeat=0, artifacts="runs", env_names=())


def test_a_node_makes_one_copy_per_prompt_while_its_runs_wait(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "node").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "node"))   # this "node"'s temp dir
    snapshot = tmp_path / "ship"
    (snapshot / "tree" / "sub" / "prompts").mkdir(parents=True)
    (snapshot / "tree" / "sub" / "prompts" / "system.md").write_text("at HEAD\n")
    tops: list[Path] = []
    threads = [threading.Thread(target=lambda: tops.append(_prompt_copy(snapshot, _run("k1", b"candidate\n"))))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tops)) == 1
    assert (tops[0] / "sub" / "prompts" / "system.md").read_bytes() == b"candidate\n"
    other = _prompt_copy(snapshot, _run("k1", b"another\n"))
    assert other != tops[0] and (other / "sub" / "prompts" / "system.md").read_bytes() == b"another\n"
    assert (snapshot / "tree" / "sub" / "prompts" / "system.md").read_text() == "at HEAD\n"
    assert node_directory("k1").is_dir()
    clean("k1")
    assert not node_directory("k1").exists()


def test_a_node_on_another_version_is_named_in_one_line() -> None:
    here = ("0.1.0", "3.11.7")
    assert version_mismatch([("0.1.0", "3.11.9", "a" * 56)], here) is None
    problem = version_mismatch([("0.1.0", "3.11.7", "a" * 56), ("0.2.0", "3.11.7", "b" * 56)], here)
    assert problem is not None and "bbbbbbbbbbbb runs overseer 0.2.0" in problem and "\n" not in problem
    assert version_mismatch([("0.1.0", "3.12.1", "c" * 56)], here) is not None


def test_the_watchdog_waits_for_everything_a_run_may_legitimately_take(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    target = load_config(project / "overseer.yaml").target("toy")
    task = load_task_set(project / "tasks" / "toy").tasks[0]
    longest = (target.timeout_s + 5 * task.timeout_s) * (target.infra.retries + 1)
    assert deadline_s(target, task) > longest


def test_without_ray_installed_the_error_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)   # import ray raises ImportError
    with pytest.raises(FatalError, match=r"pip install 'overseer\[ray\]'"):
        import_ray()


def test_an_unknown_executor_is_one_line_and_exit_2(toy_project: Path) -> None:
    result = overseer("run", "toy", "--executor", "dask", cwd=toy_project)
    assert result.returncode == 2 and "--executor: 'dask' is not an executor" in result.stderr
    (toy_project / "overseer.yaml").write_text((toy_project / "overseer.yaml").read_text()
                                               + "    executor: {kind: ray, cpus_per_run: 0}\n")
    result = overseer("run", "toy", cwd=toy_project)
    assert result.returncode == 2 and "cpus_per_run" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
