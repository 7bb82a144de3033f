"""Keeping an accepted edit in a real git repository, and recording one that was not kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.decision import Decision
from overseer.edits import Edit
from overseer.errors import FatalError
from overseer.optimize.keep import keep_accepted, next_number, record_not_kept
from overseer.optimize.options import OptimizeOptions
from overseer.optimize.setup import Setup, make_setup
from overseer.optimize.state import Pending, latest_session, new_state
from overseer.prompts import prompt_hash
from overseer.records import read_jsonl
from overseer.registry import PromptVersion, TargetLog
from tests.helpers import changed_files, git
from tests.toyloop import GOOD, START

EDIT = Edit(op="insert_after", old="Be careful.", new=" GOOD", kind="add-constraint:good")


def _setup(project: Path) -> Setup:
    return make_setup(load_config(project / "overseer.yaml"), "toy", OptimizeOptions())


def _decision(outcome: str) -> Decision:
    return Decision(outcome=outcome, edit=EDIT, hypothesis="Say GOOD", parent_hash=prompt_hash(START),  # type: ignore[arg-type]
                    candidate_hash=prompt_hash(GOOD), diff="-Be careful.\n+Be careful. GOOD\n", iteration=0)


def test_a_kept_edit_is_written_recorded_and_committed_alone_and_keeping_again_changes_nothing(
        loop_project: Path) -> None:
    setup, log = _setup(loop_project), TargetLog(loop_project / "runs", "toy")
    (loop_project / "notes.txt").write_text("the user's own uncommitted file\n")
    state = new_state("toy", START, commit=True)
    state.pending = Pending(decision=_decision("accepted"), text=GOOD, number=next_number(setup.diffs_dir))
    sha = keep_accepted(setup, state, log)
    assert (loop_project / "prompts" / "system.md").read_text() == GOOD
    assert changed_files(loop_project, "HEAD") == [
        "diffs/toy/0001-add-constraint-good.diff", "diffs/toy/0001-add-constraint-good.md", "prompts/system.md"]
    assert sha == git(loop_project, "rev-parse", "HEAD").strip() and "?? notes.txt" in git(loop_project, "status", "--short")
    assert state.pending is None and state.current_text == GOOD and latest_session(setup.directory) == state
    assert next_number(setup.diffs_dir) == 2
    versions = read_jsonl(log.registry_path, PromptVersion)[0]
    assert [(v.status, v.commit) for v in versions] == [("accepted", sha)]


def test_a_prompt_changed_by_someone_else_meanwhile_is_not_overwritten(loop_project: Path) -> None:
    setup = _setup(loop_project)
    (loop_project / "prompts" / "system.md").write_text("Someone else's prompt.\n")
    state = new_state("toy", START, commit=True)
    state.pending = Pending(decision=_decision("accepted"), text=GOOD, number=1)
    with pytest.raises(FatalError, match="changed by someone else"):
        keep_accepted(setup, state, TargetLog(loop_project / "runs", "toy"))
    assert (loop_project / "prompts" / "system.md").read_text() == "Someone else's prompt.\n"


@pytest.mark.parametrize("outcome, registered, toward_plateau", [
    ("rejected", True, 1), ("unproven", False, 1), ("unfinished", False, 0), ("vetoed", True, 0),
])
def test_a_decision_not_kept_is_logged_and_counts_toward_the_plateau_only_as_evidence(
        loop_project: Path, outcome: str, registered: bool, toward_plateau: int) -> None:
    setup, log = _setup(loop_project), TargetLog(loop_project / "runs", "toy")
    state = new_state("toy", START, commit=True)
    record_not_kept(setup, state, _decision(outcome), log)
    assert len(read_jsonl(log.decisions_path, Decision)[0]) == 1
    versions = read_jsonl(log.registry_path, PromptVersion)[0] if log.registry_path.exists() else []
    assert [v.text for v in versions] == ([GOOD] if registered else [])
    assert state.consecutive_rejections == toward_plateau and state.iteration == 1
