"""The Ray executor: its pure parts, then against a real 2-node cluster on loopback
(tests/cluster/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from overseer.cluster import driver
from overseer.cluster.driver import deadline_s, import_ray
from overseer.commands.demo import build_demo_repo
from overseer.config import load_config
from overseer.errors import FatalError
from overseer.records import RunRecord, read_jsonl
from overseer.tasks import load_task_set
from tests.cluster.conftest import LoopbackCluster, on_cluster
from tests.helpers import git, make_toy_project, overseer, sigint_as_from_a_terminal
from tests.toyloop import commit_project, write_say_ok_tasks


def _records(project: Path, target: str) -> list[RunRecord]:
    [log] = sorted((project / "runs" / target).glob("*.jsonl"))
    records, _ = read_jsonl(log, RunRecord)
    return records


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


def _small_demo(root: Path) -> Path:
    """The demo's repository with 12 of its tasks (9 train, 3 holdout): a few runs per look."""
    build_demo_repo(root)
    for task in sorted((root / "tasks" / "pyfuncs").iterdir())[12:]:
        shutil.rmtree(task)
    git(root, "commit", "-qam", "12 tasks")
    return root


def _ray(cluster: LoopbackCluster, *more: str) -> tuple[str, ...]:
    return ("--executor", "ray", "--executor-address", cluster.address, *more)


@on_cluster
def test_remote_runs_give_the_records_local_runs_give(ray_cluster: LoopbackCluster, tmp_path: Path) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    for project in (local, remote):
        _small_demo(project)
    args = ("run", "codewriter", "--repeats", "1", "-j", "2", "--json")
    assert overseer(*args, cwd=local).returncode == 0
    result = overseer(*args, *_ray(ray_cluster), cwd=remote, env=ray_cluster.env)
    assert result.returncode == 0, result.stderr

    def facts(r: RunRecord) -> tuple[object, ...]:
        return (r.task_id, r.repeat, r.prompt_hash, r.passed, r.error_class,
                [(t.name, t.outcome) for t in r.tests], r.infra)

    here, there = _records(local, "codewriter"), _records(remote, "codewriter")
    assert sorted(map(facts, here)) == sorted(map(facts, there)) and len(there) == 12
    assert {r.node for r in there} == {ray_cluster.head_id, ray_cluster.worker_id}
    assert all(r.node is None for r in here)
    kept = [path for r in there for path in r.artifacts.values()]
    assert kept and all((remote / path).is_file() for path in kept)
    assert not list(ray_cluster.node_temp.glob("overseer-node-*"))  # cleaned at the session's end


SLOW = """\
schema_version: 1
targets:
  slow:
    command: "echo $OVERSEER_TASK_ID-$OVERSEER_REPEAT >> {marks}/started; echo $PPID >> {marks}/workers; sleep {sleep}; echo ok > {{workdir}}/answer.txt"
    prompt: prompts/system.md
    tasks: tasks/slow
    holdout: 0.0
    repeats: 1
    jobs: {jobs}
    timeout_s: 300
    infra: {{retries: 0}}
    executor: {{kind: ray, cpus_per_run: {cpus}}}
"""


def _slow_project(tmp_path: Path, *, tasks: int, sleep: float, jobs: int, cpus: float) -> tuple[Path, Path]:
    """A project whose runs sleep, and the folder where each run marks its start (its task and
    repeat in ``started``, its Ray worker's pid in ``workers``)."""
    root, marks = tmp_path / "p", tmp_path / "marks"
    marks.mkdir()
    (root / "prompts").mkdir(parents=True)
    (root / "prompts" / "system.md").write_text("Say ok.\n")
    (root / "overseer.yaml").write_text(SLOW.format(marks=marks, sleep=sleep, jobs=jobs, cpus=cpus))
    write_say_ok_tasks(root / "tasks" / "slow", tasks)
    commit_project(root, "slow project")
    return root, marks


def _started(marks: Path) -> list[str]:
    path = marks / "started"
    return path.read_text().split() if path.is_file() else []


def _wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@on_cluster
def test_runs_lost_with_a_node_are_run_again_and_never_judged(ray_cluster: LoopbackCluster,
                                                              tmp_path: Path) -> None:
    project, marks = _slow_project(tmp_path, tasks=6, sleep=2, jobs=2, cpus=1)
    def remove_worker() -> None:
        # Two runs started at once on two 1-CPU nodes: one of them is on the worker node.
        _wait_for(lambda: len(_started(marks)) >= 2)
        ray_cluster.cluster.remove_node(ray_cluster.worker, allow_graceful=False)

    remover = threading.Thread(target=remove_worker)
    remover.start()
    try:
        done = overseer("run", "slow", "--executor-address", ray_cluster.address, cwd=project,
                        env=ray_cluster.env)
        remover.join(timeout=60)
    finally:
        ray_cluster.replace_worker()
    assert done.returncode == 0, done.stderr
    records = _records(project, "slow")
    pairs = [(r.task_id, r.repeat) for r in records]
    assert sorted(pairs) == sorted(set(pairs)) and len(pairs) == 6   # none lost, none twice
    started = _started(marks)
    again = {mark for mark in started if started.count(mark) > 1}
    assert again, f"no run was lost with the node: {started}"
    by_pair = {f"{r.task_id}-{r.repeat}": r for r in records}
    for mark in again:  # the verdict of a lost run is that of its second run, on a node still there
        assert by_pair[mark].passed and not by_pair[mark].infra and by_pair[mark].node == ray_cluster.head_id


@on_cluster
def test_ray_client_addresses_work_as_a_kuberay_head_would_be_used(ray_cluster: LoopbackCluster,
                                                                     tmp_path: Path) -> None:
    project, _ = _slow_project(tmp_path, tasks=4, sleep=0.2, jobs=2, cpus=1)
    result = overseer("run", "slow", "--executor-address", f"ray://127.0.0.1:{ray_cluster.client_port}",
                      cwd=project, env=ray_cluster.env)
    assert result.returncode == 0, result.stderr
    records = _records(project, "slow")
    assert len(records) == 4 and all(r.passed and r.node for r in records)


@on_cluster
def test_the_variables_of_the_fingerprint_reach_remote_runs_with_this_machines_values(
        ray_cluster: LoopbackCluster, tmp_path: Path) -> None:
    """The nodes were started without ANSWER_WORD; the target names it as a variable that changes
    what the command does (environment:), so the runs get this machine's value, the value the
    fingerprint of their records was made of."""
    project, _ = _slow_project(tmp_path, tasks=2, sleep=0, jobs=2, cpus=1)
    config = project / "overseer.yaml"
    config.write_text(config.read_text().replace("echo ok >", "echo $ANSWER_WORD >")
                      .replace("    repeats: 1\n", "    repeats: 1\n    environment: [ANSWER_WORD]\n"))
    git(project, "commit", "-qam", "the answer comes from a variable")
    result = overseer("run", "slow", "--executor-address", ray_cluster.address, cwd=project,
                      env={**ray_cluster.env, "ANSWER_WORD": "ok"})
    assert result.returncode == 0, result.stderr
    assert all(r.passed for r in _records(project, "slow"))


@on_cluster
def test_ctrl_c_stops_every_run_on_every_node(ray_cluster: LoopbackCluster, tmp_path: Path) -> None:
    # Half a CPU per run: 4 runs in flight on the two 1-CPU nodes.
    project, marks = _slow_project(tmp_path, tasks=6, sleep=600, jobs=4, cpus=0.5)
    process = subprocess.Popen(
        [sys.executable, "-m", "overseer", "run", "slow", "--executor-address", ray_cluster.address],
        cwd=project, env={**os.environ, **ray_cluster.env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=sigint_as_from_a_terminal)
    try:
        _wait_for(lambda: len(_started(marks)) >= 4, timeout=90)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "interrupted" in err
    pattern = "sleep 600"   # every run's command; none may be left on any node (all are on this machine)
    _wait_for(lambda: subprocess.run(["pgrep", "-f", f"{marks}/started; {pattern}"]).returncode == 1,
              timeout=15)


@on_cluster
def test_optimize_on_the_cluster_decides_as_locally(ray_cluster: LoopbackCluster, tmp_path: Path) -> None:
    projects = {name: tmp_path / name for name in ("local", "remote")}
    for project in projects.values():
        _small_demo(project)
    args = ("optimize", "codewriter", "--iterations", "1", "--repeats", "1", "--max-repeats", "2",
            "--race", "1", "-j", "2", "--json")
    outcomes = {}
    for name, project in projects.items():
        more = _ray(ray_cluster) if name == "remote" else ()
        result = overseer(*args, *more, cwd=project, env=ray_cluster.env if more else None)
        assert result.returncode == 0, result.stderr
        outcomes[name] = json.loads(result.stdout)
    decisions = {name: ([(d["edit"], d["outcome"], d["gain"], d["p_value"]) for d in o["iterations"]],
                        o["final_hash"], o["runs_used"]) for name, o in outcomes.items()}
    assert decisions["local"] == decisions["remote"] and decisions["local"][0]


@on_cluster
def test_a_run_stuck_on_a_frozen_node_is_sent_again(ray_cluster: LoopbackCluster, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    project, marks = _slow_project(tmp_path, tasks=1, sleep=1, jobs=1, cpus=1)
    monkeypatch.setattr(driver, "deadline_s", lambda target, task: 4.0)
    frozen: list[int] = []

    def freeze_first_worker() -> None:  # the Ray worker making the run: the command's parent
        _wait_for(lambda: (marks / "workers").is_file() and (marks / "workers").read_text().strip())
        frozen.append(int((marks / "workers").read_text().split()[0]))
        os.kill(frozen[0], signal.SIGSTOP)

    freezer = threading.Thread(target=freeze_first_worker)
    freezer.start()
    try:
        done = overseer("run", "slow", "--executor-address", ray_cluster.address, cwd=project,
                        env=ray_cluster.env)
    finally:
        freezer.join(timeout=60)
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    assert done.returncode == 0, done.stderr
    [record] = _records(project, "slow")
    assert _started(marks) == ["t00-0", "t00-0"]        # sent twice
    assert record.passed and not record.infra           # the verdict is the second run's
    workers = (marks / "workers").read_text().split()
    assert workers[1] != workers[0]
