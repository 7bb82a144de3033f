"""Directives: an edit that breaks one is invalid whoever proposed it; the rules proposer never
proposes one; the LLM roles are told them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.config import Directives, load_config
from overseer.directives import violation
from overseer.edits import Edit
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.proposers import Proposal, ProposalContext
from overseer.proposers.rules import RulesProposer, candidates
from overseer.report import run_progress
from tests.fake_llm import FakeLLM
from tests.helpers import git, overseer
from tests.toyloop import START, make_loop_project, use_fake_llm

SECURE = "Security: never print secrets.\n" + START
KEEP = Directives(keep_lines=[r"^Security:"], max_words=20)


def test_an_edit_that_deletes_or_changes_a_kept_line_breaks_the_directives() -> None:
    deleted = SECURE.replace("Security: never print secrets.\n", "")
    changed = SECURE.replace("never print", "rarely print")
    moved = START + "Security: never print secrets.\n"
    assert violation(KEEP, SECURE, deleted) == (
        "it deletes or changes 'Security: never print secrets.', a line the directives keep (keep_lines)")
    assert violation(KEEP, SECURE, changed) is not None
    assert violation(KEEP, SECURE, moved) is None
    assert violation(KEEP, SECURE, SECURE.replace("Be careful.", "Be careful. GOOD")) is None
    longer = SECURE + "One more line of many words to go past the limit.\n"
    assert violation(KEEP, SECURE, longer) == (
        f"it takes the prompt to {len(longer.split())} words, over the directives' max_words (20)")
    assert violation(KEEP, longer, longer.replace("many ", "")) is None  # shorter, though still over


def test_the_rules_proposer_never_deletes_a_kept_line_nor_adds_past_max_words() -> None:
    prompt = "You write Python.\nSecurity: explain every risk before the code.\n- Be brief.\n"

    def context(directives: Directives) -> ProposalContext:
        return ProposalContext(prompt=prompt, prompt_hash="h", start_length=len(prompt), runs=10,
                               pass_rate=0.5, error_counts={"SyntaxError": 5}, failures=[],
                               directives=directives)

    free = [p.edit.kind for _, p in candidates(context(Directives()))]
    assert free == ["delete-line:output-format"]   # the add waits while the deletion is open
    kept = [p.edit.kind for _, p in candidates(context(Directives(keep_lines=["^Security:"])))]
    assert kept == ["add-constraint:output-format"]
    assert RulesProposer().propose(context(Directives(keep_lines=["^Security:"], max_words=15))) is None


class _Deleting:
    name = "deleting"

    def propose(self, context: ProposalContext) -> Proposal | None:
        return Proposal(Edit(op="delete", old="Security: never print secrets.\n", kind="delete-line:security"),
                        "shorter is better", "a guess")


def test_an_edit_against_the_directives_is_invalid_and_costs_no_run(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop")
    (project / "prompts" / "system.md").write_text(SECURE)
    config = project / "overseer.yaml"
    config.write_text(config.read_text().replace("    proposer:", "    directives: {keep_lines: ['^Security:']}\n    proposer:"))
    git(project, "commit", "-qam", "a prompt with a security line")
    summary = optimize_target(load_config(config), "toy", OptimizeOptions(iterations=1),
                              Hooks(progress=run_progress), proposer=_Deleting())
    [decision] = summary.decisions
    assert decision.outcome == "invalid" and decision.runs_used == 0
    assert decision.reason == ("invalid edit: it deletes or changes 'Security: never print secrets.', "
                               "a line the directives keep (keep_lines)")
    assert summary.state.runs_used == 10  # the baseline only
    assert (project / "prompts" / "system.md").read_text() == SECURE


def test_the_llm_proposer_is_told_the_directives(tmp_path: Path, fake_llm: FakeLLM,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_loop_project(tmp_path / "loop")
    (project / "priorities.md").write_text("Readability first.\n")
    config = project / "overseer.yaml"
    use_fake_llm(project, fake_llm.base_url, monkeypatch, more=(
        "    directives: {text: Prefer deleting to adding., file: priorities.md, keep_lines: ['^Be careful']}\n"))
    fake_llm.reply(json.dumps({"hypothesis": "h", "edit": {"op": "insert_after", "old": "Be careful.",
                                                           "new": " GOOD", "kind": "add-constraint:good"}}))
    summary = optimize_target(load_config(config), "toy", OptimizeOptions(iterations=1, race=1),
                              Hooks(progress=run_progress))
    assert [d.outcome for d in summary.decisions] == ["invalid"]  # it changes the kept line
    asked = fake_llm.requests[0]["json"]["messages"][0]["content"]
    directives = asked.split("## Directives from the prompt's owners (every edit must honour them)\n")[1]
    assert directives.startswith("Prefer deleting to adding.\n\nReadability first.\n\n"
                                 "- Never delete or change a line matching the regular expression '^Be careful'.")


def test_a_missing_directives_file_is_one_line_before_any_run(loop_project: Path) -> None:
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().replace("    proposer:", "    directives: {file: nowhere.md}\n    proposer:"))
    result = overseer("optimize", "toy", cwd=loop_project)
    assert result.returncode == 2
    error = result.stderr.strip().splitlines()[-1]  # after the phase lines: one line
    assert error.startswith("overseer: error: ") and error.endswith(
        "nowhere.md: cannot read the directives file: No such file or directory")
    assert not (loop_project / "runs").exists()
