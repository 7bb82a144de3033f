"""SIGKILL `overseer optimize` at many points of a session (DESIGN.md invariant 1), then --resume."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from overseer.records import read_records
from overseer.store import open_store
from tests.helpers import git, overseer, overseer_process
from tests.toyloop import GOOD, START, make_loop_project

KILL_POINTS = [
    "state-write:temp-written#1", "state:saved#1", "run:recorded#1", "run:recorded#5",
    "run:recorded#10", "baseline:done", "propose:done", "run:recorded#12", "screen:done",
    "run:recorded#16", "evaluate:done", "state:saved#2", "accept:pending-saved",
    "write:temp-written", "write:temp-synced", "write:replaced", "diff-write:temp-written#1",
    "diff-write:replaced#2", "diffs:written", "commit:tree-written", "commit:commit-created",
    "commit:ref-updated", "commit:index-updated", "registry:appended", "state-write:replaced#3",
    "state:saved#3",
]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_then_resume(tmp_path: Path, point: str) -> None:
    project = make_loop_project(tmp_path / "loop")
    prompt = project / "prompts" / "system.md"
    killed = overseer_process("optimize", "toy", "--iterations", "1", cwd=project, env={"OVERSEER_FAULT": point})
    assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-2000:])
    assert prompt.read_text() in (START, GOOD)  # invariant 1: never partial, never rejected

    resumed = overseer("optimize", "toy", "--iterations", "1", "--resume", "--json", cwd=project)
    assert resumed.returncode == 0, (point, resumed.stderr[-2000:])
    assert prompt.read_text() == GOOD
    assert git(project, "show", "HEAD:prompts/system.md") == GOOD
    assert git(project, "log", "--format=%s").count("\n") == 2  # the start, and one kept edit
    assert git(project, "status", "--porcelain") == ""
    assert sorted(p.name for p in (project / "diffs" / "toy").iterdir()) == [
        "0001-add-constraint-good.diff", "0001-add-constraint-good.md"]
    with open_store(project / "runs") as store:
        assert [v.status for v in store.versions("toy")].count("accepted") == 1
        assert [d.outcome for d in store.decisions("toy")].count("accepted") == 1
    for jsonl in (project / "runs" / "toy").glob("2*.jsonl"):
        read_records(jsonl)
    summary = json.loads(resumed.stdout)
    assert summary["final"]["train"]["pass_rate"] == 1.0


@pytest.mark.parametrize("point", ["accept:pending-saved", "registry:appended"])
def test_resume_recognises_an_accept_another_session_finished(tmp_path: Path, point: str) -> None:
    """Killed while keeping an edit; a plain optimize then ran to its end; a later --resume used
    to overwrite the committed diffs/ record with the old session's, stage it, and register a
    second accepted version, or fail on every try with "changed by someone else"."""
    project = make_loop_project(tmp_path / "loop")
    killed = overseer_process("optimize", "toy", "--iterations", "1", cwd=project, env={"OVERSEER_FAULT": point})
    assert killed.returncode == -signal.SIGKILL
    plain = overseer("optimize", "toy", "--iterations", "1", cwd=project)
    assert plain.returncode == 0, plain.stderr
    diffs = {p.name: p.read_bytes() for p in (project / "diffs" / "toy").iterdir()}
    head = git(project, "rev-parse", "HEAD").strip()
    resumed = overseer("optimize", "toy", "--iterations", "1", "--resume", cwd=project)
    assert resumed.returncode == 0, resumed.stderr
    assert "no interrupted session to resume" in resumed.stderr
    assert {p.name: p.read_bytes() for p in (project / "diffs" / "toy").iterdir()} == diffs
    assert git(project, "rev-list", f"{head}..HEAD") == ""   # nothing was committed again
    assert git(project, "status", "--porcelain") == ""
    with open_store(project / "runs") as store:
        assert [v.status for v in store.versions("toy")].count("accepted") == 1
    again = overseer("optimize", "toy", "--iterations", "1", "--resume", cwd=project)
    assert again.returncode == 0, again.stderr


def test_a_new_session_after_an_interrupted_accept_says_resume(tmp_path: Path) -> None:
    """The prompt file holds the accepted text, uncommitted: "commit them first" would commit a
    half-kept edit; the way out is --resume."""
    project = make_loop_project(tmp_path / "loop")
    killed = overseer_process("optimize", "toy", "--iterations", "1", cwd=project,
                              env={"OVERSEER_FAULT": "write:replaced"})
    assert killed.returncode == -signal.SIGKILL
    plain = overseer("optimize", "toy", "--iterations", "1", cwd=project)
    assert plain.returncode == 2 and "--resume" in plain.stderr and "commit them" not in plain.stderr
    assert plain.stderr.count("overseer: error") == 1 and "Traceback" not in plain.stderr
