"""overseer optimize on the command line: refusals, the lock, --no-commit and --branch."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import filelock

from tests.helpers import git, overseer
from tests.toyloop import GOOD, START, make_loop_project


def test_refuses_a_dirty_prompt_unless_allowed(loop_project: Path) -> None:
    (loop_project / "prompts" / "system.md").write_text(START + "Edited by hand.\n")
    refused = overseer("optimize", "toy", "--iterations", "1", cwd=loop_project)
    assert refused.returncode == 2 and "has uncommitted changes" in refused.stderr
    allowed = overseer("optimize", "toy", "--iterations", "1", "--allow-dirty", "--json", cwd=loop_project)
    assert allowed.returncode == 0, allowed.stderr
    # The kept edit's commit carries the hand edit too: its message and diffs/ record say so
    # (the record showed only the edit).
    assert git(loop_project, "show", "HEAD:prompts/system.md") == GOOD + "Edited by hand.\n"
    assert "Also commits uncommitted changes" in git(loop_project, "log", "-1", "--format=%B")
    [record] = (loop_project / "diffs" / "toy").glob("*.md")
    swept = record.read_text().split("## Uncommitted changes committed with it")[1]
    assert "+Edited by hand." in swept


def test_second_overseer_on_the_same_target_is_refused(loop_project: Path) -> None:
    lock_dir = loop_project / "runs" / "toy"
    lock_dir.mkdir(parents=True)
    with filelock.FileLock(lock_dir / ".lock"):
        (lock_dir / ".lock.pid").write_text(str(os.getpid()))
        result = overseer("optimize", "toy", cwd=loop_project)
    assert result.returncode == 2
    assert f"being optimized by another overseer (pid {os.getpid()})" in result.stderr


def test_no_commit_and_branch(loop_project: Path) -> None:
    head = git(loop_project, "rev-parse", "HEAD")
    assert overseer("optimize", "toy", "--iterations", "1", "--no-commit", cwd=loop_project).returncode == 0
    assert git(loop_project, "rev-parse", "HEAD") == head
    assert (loop_project / "prompts" / "system.md").read_text() == GOOD
    git(loop_project, "checkout", "-q", "--", "prompts/system.md")
    result = overseer("optimize", "toy", "--iterations", "1", "--branch", "overseer/toy", cwd=loop_project)
    assert result.returncode == 0, result.stderr
    assert "iteration 1: ACCEPTED [insert: GOOD]" in result.stderr  # the edit, not taken for markup
    assert git(loop_project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "overseer/toy"
    assert git(loop_project, "log", "--format=%s", "-2").splitlines()[1] == "toy loop project"


def test_too_few_train_tasks_to_ever_prove_an_edit_is_refused(tmp_path: Path) -> None:
    loop_project = make_loop_project(tmp_path / "loop", n_tasks=5)
    result = overseer("optimize", "toy", cwd=loop_project)
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if "error" in line] == [result.stderr.splitlines()[-1]]
    assert "targets.toy: 4 train tasks can never prove an edit in 1 repeats: their smallest p-value " \
        "is 0.214, above α 0.05" in result.stderr
    assert not (loop_project / "runs").exists()


def test_a_target_whose_check_always_times_out_stops_before_any_proposal(loop_project: Path) -> None:
    for task in (loop_project / "tasks" / "toy").iterdir():
        task_yaml = task / "task.yaml"
        task_yaml.write_text(task_yaml.read_text().replace('check: "grep -qx ok answer.txt"', (
            "check: \"sh -c 'while :; do :; done'\"")).replace("timeout_s: 10", "timeout_s: 0.3"))
    git(loop_project, "commit", "-qam", "a check that never ends")
    result = overseer("optimize", "toy", "--iterations", "3", cwd=loop_project)
    assert result.returncode == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "the baseline is not evidence about the prompt: every run timed out" in errors[0]
    assert not (loop_project / "runs" / "toy" / "decisions.jsonl").exists()  # nothing was proposed


def test_a_target_whose_every_run_passes_has_nothing_to_improve(loop_project: Path) -> None:
    (loop_project / "prompts" / "system.md").write_text(GOOD)
    git(loop_project, "commit", "-qam", "a prompt that already works")
    result = overseer("optimize", "toy", "--iterations", "3", "--json", cwd=loop_project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["iterations"] == [] and summary["stop_reason"].startswith("nothing to improve: every run passed")


def test_all_goes_on_past_an_unhealthy_target_and_exits_3(loop_project: Path) -> None:
    config = loop_project / "overseer.yaml"
    text = config.read_text()
    toy = text[text.index("  toy:"):]
    broken = toy.replace("  toy:", "  broken:", 1).replace(
        'command: "if grep -q GOOD {prompt_file}; then echo ok; else echo bad; fi > {workdir}/answer.txt"',
        'command: "exit 1"')
    config.write_text(text + broken)
    git(loop_project, "commit", "-qam", "a second target whose command always fails")
    result = overseer("optimize", "--all", "--iterations", "1", "--json", cwd=loop_project)
    assert result.returncode == 3, result.stderr
    assert "broken: the baseline is not evidence about the prompt: no run passed" in result.stderr
    assert [s["target"] for s in json.loads(result.stdout)] == ["toy"]


def test_a_prompt_outside_the_project_is_refused_and_never_written(tmp_path: Path) -> None:
    """An absolute prompt path in a project without git, or a committed symlink leading out of
    the repository: evaluation used to write every candidate into that file (issue 14 item 1)."""
    outside = tmp_path / "outside.md"
    outside.write_text(START)
    plain = make_loop_project(tmp_path / "plain")
    shutil.rmtree(plain / ".git")
    config = plain / "overseer.yaml"
    config.write_text(config.read_text().replace("prompt: prompts/system.md", f"prompt: {outside}"))
    linked = make_loop_project(tmp_path / "linked")
    (linked / "prompts" / "system.md").unlink()
    (linked / "prompts" / "system.md").symlink_to(outside)
    git(linked, "commit", "-qam", "the prompt lives elsewhere")
    for project, args in ((plain, ["--no-commit"]), (linked, ["--no-commit", "--allow-dirty"])):
        for command in (["run", "toy"], ["optimize", "toy", "--iterations", "1", *args]):
            result = overseer(*command, cwd=project)
            assert result.returncode == 2, (command, result.stderr)
            assert "the prompt file resolves outside the project" in result.stderr.splitlines()[-1]
            assert outside.read_text() == START


def test_a_relative_symlink_prompt_is_edited_through_to_its_target(loop_project: Path) -> None:
    """The kept edit goes to the file the link points to; the link stays a link (issue 14 item 13)."""
    prompts = loop_project / "prompts"
    (prompts / "system.md").rename(prompts / "real.md")
    (prompts / "system.md").symlink_to("real.md")
    git(loop_project, "add", "-A")
    git(loop_project, "commit", "-qm", "the prompt is a link")
    result = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["iterations"][0]["outcome"] == "accepted"
    assert (prompts / "system.md").is_symlink() and os.readlink(prompts / "system.md") == "real.md"
    assert (prompts / "real.md").read_text() == GOOD
    assert "prompts/real.md" in git(loop_project, "show", "--name-only", "--format=", "HEAD").split()
    assert git(loop_project, "status", "--porcelain") == ""


def test_a_repository_without_commits_is_refused_up_front(tmp_path: Path) -> None:
    """It said "has uncommitted changes", and with --allow-dirty wrote the edit and then failed
    with a traceback, leaving it pending (issue 14 item 10)."""
    project = make_loop_project(tmp_path / "loop")
    shutil.rmtree(project / ".git")
    git(project, "init", "-q")
    for extra in ([], ["--allow-dirty"]):
        result = overseer("optimize", "toy", "--iterations", "1", *extra, cwd=project)
        assert result.returncode == 2, result.stderr
        assert "the git repository has no commits yet; commit your project first" in result.stderr.splitlines()[-1]
        assert (project / "prompts" / "system.md").read_text() == START
    assert overseer("optimize", "toy", "--iterations", "1", "--no-commit", "--allow-dirty", cwd=project).returncode == 0
