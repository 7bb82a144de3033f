from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import filelock
import pytest

from overseer.config import load_config
from overseer.optimize import Hooks, OptimizeOptions, Optimizer
from overseer.records import read_records
from overseer.registry import TargetLog
from overseer.report import run_progress
from tests.conftest import git, overseer
from tests.fake_llm import FakeLLM
from tests.toyloop import GOOD, START, make_loop_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_loop_project(tmp_path / "loop")


def _changed_files(repo: Path, rev: str) -> list[str]:
    return sorted(git(repo, "show", "--name-only", "--format=", rev).split())


def test_kept_edit_is_written_recorded_and_committed_alone(project: Path) -> None:
    (project / "notes.txt").write_text("mine\n")
    git(project, "add", "notes.txt")  # the user's own staged work must never be swept in
    result = overseer("optimize", "toy", "--iterations", "2", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [it["outcome"] for it in summary["iterations"]] == ["accepted", "rejected"]
    assert summary["baseline"]["train"]["pass_rate"] == 0.0 and summary["final"]["train"]["pass_rate"] == 1.0
    # baseline 10, candidate 10, the rejected candidate 8 (its holdout is not run: train failed)
    assert summary["runs_used"] == 28
    assert summary["iterations"][1]["holdout_gain"] is None
    assert (project / "prompts" / "system.md").read_text() == GOOD
    assert git(project, "log", "--format=%s").splitlines()[1:] == ["toy loop project"]
    assert _changed_files(project, "HEAD") == [
        "diffs/toy/0001-add-constraint-good.diff", "diffs/toy/0001-add-constraint-good.md",
        "prompts/system.md"]
    message = git(project, "log", "-1", "--format=%B")
    assert message.startswith("Saying GOOD makes every run pass\n\ntrain 0.000 → 1.000, holdout 0.000 → 1.000, p = 0.0039")
    assert "A  notes.txt" in git(project, "status", "--porcelain")
    md = (project / "diffs" / "toy" / "0001-add-constraint-good.md").read_text()
    assert "| p-value | 0.0039 | 0.05 | pass |" in md and "+Be careful. GOOD" in md
    statuses = [v.status for v in TargetLog(project / "runs", "toy").versions()]
    assert statuses == ["baseline", "accepted", "rejected"]


def test_history_show_and_rollback(project: Path) -> None:
    assert overseer("optimize", "toy", "--iterations", "1", cwd=project).returncode == 0
    versions = json.loads(overseer("history", "toy", "--json", cwd=project).stdout)
    assert [v["status"] for v in versions] == ["baseline", "accepted"]
    accepted = versions[1]
    shown = overseer("show", "toy", accepted["hash"][:6], cwd=project)
    assert shown.returncode == 0 and "+Be careful. GOOD" in shown.stdout and "p-value" in shown.stdout
    back = overseer("rollback", "toy", "--reason", "customers complained", cwd=project)
    assert back.returncode == 0, back.stderr
    assert (project / "prompts" / "system.md").read_text() == START
    assert git(project, "log", "-1", "--format=%B").startswith("Roll back toy prompt to")
    assert "customers complained" in git(project, "log", "-1", "--format=%B")
    assert _changed_files(project, "HEAD") == ["prompts/system.md"]
    last = json.loads(overseer("history", "toy", "--json", cwd=project).stdout)[-1]
    assert last["status"] == "rollback" and last["reason"] == "customers complained"
    missing = overseer("show", "toy", "ffff", cwd=project)
    assert missing.returncode == 2 and "no version of toy starts with 'ffff'" in missing.stderr


def test_refuses_a_dirty_prompt_unless_allowed(project: Path) -> None:
    (project / "prompts" / "system.md").write_text(START + "Edited by hand.\n")
    refused = overseer("optimize", "toy", "--iterations", "1", cwd=project)
    assert refused.returncode == 2 and "has uncommitted changes" in refused.stderr
    allowed = overseer("optimize", "toy", "--iterations", "1", "--allow-dirty", "--json", cwd=project)
    assert allowed.returncode == 0, allowed.stderr


def test_second_overseer_on_the_same_target_is_refused(project: Path) -> None:
    lock_dir = project / "runs" / "toy"
    lock_dir.mkdir(parents=True)
    with filelock.FileLock(lock_dir / ".lock"):
        (lock_dir / ".lock.pid").write_text(str(os.getpid()))
        result = overseer("optimize", "toy", cwd=project)
    assert result.returncode == 2
    assert f"being optimized by another overseer (pid {os.getpid()})" in result.stderr


def test_no_commit_and_branch(project: Path) -> None:
    head = git(project, "rev-parse", "HEAD")
    assert overseer("optimize", "toy", "--iterations", "1", "--no-commit", cwd=project).returncode == 0
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / "prompts" / "system.md").read_text() == GOOD
    git(project, "checkout", "-q", "--", "prompts/system.md")
    result = overseer("optimize", "toy", "--iterations", "1", "--branch", "overseer/toy", cwd=project)
    assert result.returncode == 0, result.stderr
    assert git(project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "overseer/toy"
    assert git(project, "log", "--format=%s", "-2").splitlines()[1] == "toy loop project"


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


def _reply(edit: dict) -> str:
    return json.dumps({"hypothesis": "h", "rationale": "r", "edit": edit})


def test_llm_proposer_end_to_end_against_a_fake_server(project: Path, fake_llm: FakeLLM,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    config = project / "overseer.yaml"
    text = config.read_text()
    config.write_text(text[: text.index("    proposer:")] + '    proposer: {kind: llm, model: "openai:fake-model"}\n')
    git(project, "commit", "-qam", "use a fake openai server")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_llm.base_url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-key-0123456789abcdef")
    good = {"op": "insert_after", "old": "Be careful.", "new": " GOOD", "kind": "add-constraint:good"}
    fake_llm.reply("Sure! Here is my idea: add GOOD.")                       # not JSON: retried
    fake_llm.reply("```json\n" + _reply(good) + "\n```")                     # valid after retry
    fake_llm.reply('{"hypothesis": "h"}')                                    # missing edit
    fake_llm.reply('{"hypothesis": "h", "edit": {"op": "explode"}}')         # still invalid: give up
    fake_llm.reply(_reply({"op": "delete", "old": "Be reckless."}))          # outside the prompt
    fake_llm.reply(_reply({"op": "insert_after", "old": "GOOD", "new": "!" * 500}))  # oversize
    fake_llm.reply(_reply({"op": "replace", "old": "e", "new": "E"}))       # matches many times
    fake_llm.reply(status=429, headers={"retry-after-ms": "10"})            # rate limited, retried
    fake_llm.reply(_reply({"op": "replace", "old": "careful", "new": "very careful"}))
    loaded = load_config(project / "overseer.yaml")
    options = OptimizeOptions(iterations=6, patience=10)
    summary = Optimizer(loaded, "toy", options, Hooks(progress=run_progress)).run()
    outcomes = [(d.outcome, d.reason) for d in summary.decisions]
    assert [o for o, _ in outcomes] == ["accepted", "failed", "invalid", "invalid", "invalid", "rejected"]
    assert "invalid twice" in outcomes[1][1] and "schema" in outcomes[1][1]
    assert "does not occur in the prompt" in outcomes[2][1]
    assert "limit is 400" in outcomes[3][1]
    assert f"occurs {GOOD.count('e')} times" in outcomes[4][1]
    assert len(fake_llm.requests) == 9  # 2 + 2 + 1 + 1 + 1 + 2 (one 429 retried by the SDK)
    retry = fake_llm.requests[1]["json"]["messages"][0]["content"]
    assert "Your previous reply was rejected: the reply holds no JSON object" in retry
    later = fake_llm.requests[5]["json"]["messages"][0]["content"]
    assert '"old":"Be reckless."' in later  # the model is shown what was already rejected
    assert "Be careful. GOOD" in later and "sk-fake" not in later
    assert (project / "prompts" / "system.md").read_text() == GOOD
    for path in (project / "runs").rglob("*"):
        if path.is_file():
            assert "sk-fake-key" not in path.read_text(errors="replace")


def _run_keys(project: Path) -> list[tuple[str, str, int]]:
    return [(r.prompt_hash, r.task_id, r.repeat)
            for jsonl in sorted((project / "runs" / "toy").glob("2*.jsonl")) for r in read_records(jsonl)[0]]


def test_a_clear_win_escalates_until_a_look_can_prove_it(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", accept="{screen_tasks: 4, max_repeats: 8}")
    result = overseer("optimize", "toy", "--iterations", "2", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [it["outcome"] for it in summary["iterations"]] == ["accepted", "rejected"]
    # Looks at 1, 2, 4, 8 repeats with α shares 0.00001, 0.00009, 0.0055, 0.044. 8 train tasks
    # cannot give a p-value below 2^-8 = 0.0039, so the 4-repeat look is the first that can prove
    # the edit: candidate train 32 runs, the parent catching up 24, holdout at 4 repeats 8 + 6;
    # baseline 10; the second candidate: screen 4, then futile at its first look (4 more).
    assert summary["runs_used"] == 10 + 32 + 24 + 8 + 6 + 8
    kept, rejected = TargetLog(project / "runs", "toy").decisions()
    assert kept.repeats == 4 and rejected.repeats == 1
    p_value = next(c for c in kept.criteria if c.name == "p-value")
    assert p_value.value == 0.0039 and p_value.limit == 0.005469 and "look 3 of 4, 4 repeats" in p_value.note
    assert (project / "prompts" / "system.md").read_text() == GOOD
    keys = _run_keys(project)
    assert len(keys) == len(set(keys)) == summary["runs_used"]  # nothing run twice


def test_killed_during_escalation_resumes_without_rerunning(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", accept="{screen_tasks: 4, max_repeats: 8}")
    killed = overseer("optimize", "toy", "--iterations", "1", cwd=project,
                      env={"OVERSEER_FAULT": "run:recorded#50"})  # inside the 4-repeat look
    assert killed.returncode == -signal.SIGKILL
    resumed = overseer("optimize", "toy", "--iterations", "1", "--resume", "--json", cwd=project)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["iterations"][0]["outcome"] == "accepted"
    keys = _run_keys(project)
    assert len(keys) == len(set(keys)) == 10 + 32 + 24 + 8 + 6


def test_too_few_train_tasks_to_ever_prove_an_edit_is_refused(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", n_tasks=5)
    result = overseer("optimize", "toy", cwd=project)
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if "error" in line] == [result.stderr.splitlines()[-1]]
    assert "targets.toy: 4 train tasks can never prove an edit: their smallest p-value is 0.0625" in result.stderr
    assert not (project / "runs").exists()


def test_escalation_stops_before_it_could_overrun_max_runs(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", accept="{screen_tasks: 4, max_repeats: 8}")
    result = overseer("optimize", "toy", "--max-runs", "30", "--iterations", "1", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    # baseline 10 + the first look 8 = 18; the 2-repeat look could add 16 more: over 30
    assert summary["runs_used"] == 18
    (decision,) = summary["iterations"]
    assert decision["outcome"] == "rejected"
    assert "escalation to 2 repeats stopped: it could overrun the run budget (30)" in decision["reason"]
    assert (project / "prompts" / "system.md").read_text() == START
