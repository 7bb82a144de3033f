"""Candidates raced against one parent (optimize/race.py): the runs go to the candidate that
leads, the parent's runs are shared, the first proven is kept alone, and the others' decisions
say why they ended."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.edits import Edit
from overseer.optimize import Hooks, OptimizeOptions, SessionSummary, optimize_target
from overseer.proposers import Proposal, ProposalContext
from overseer.records import read_records
from overseer.report import run_progress
from overseer.store import open_store
from tests.fake_llm import FakeLLM
from tests.helpers import changed_files, git
from tests.toyloop import GOOD, make_loop_project, use_fake_llm

CALM = Proposal(Edit(op="insert_after", old="Be careful.", new=" Stay calm.", kind="add-constraint:calm"),
                "Calm helps", "a guess")
KIND = Proposal(Edit(op="insert_after", old="Be careful.", new=" Be kind.", kind="add-constraint:kind"),
                "Kindness helps", "another guess")
NO_TIME = "{screen_tasks: 4, max_repeats: null, max_time_increase: null}"
NO_SCREEN = "{screen_tasks: 0, max_repeats: null, max_time_increase: null}"
WIN = Proposal(Edit(op="insert_after", old="Be careful.", new=" GOOD", kind="add-constraint:good"),
               "Saying GOOD makes every run pass", "toy evidence")


class Fixed:
    """Proposes the same edits, in this order, every time."""

    name = "fixed"

    def __init__(self, *proposals: Proposal) -> None:
        self.proposals = list(proposals)

    def propose(self, context: ProposalContext) -> Proposal | None:
        return self.proposals[0]

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        return self.proposals[:count]


def _session(project: Path, proposer: Fixed, **options: object) -> SessionSummary:
    loaded = load_config(project / "overseer.yaml")
    return optimize_target(loaded, "toy", OptimizeOptions(**{"iterations": 1, **options}),  # type: ignore[arg-type]
                           Hooks(progress=run_progress), proposer=proposer)


def _run_keys(project: Path) -> list[tuple[str, str, int]]:
    return [(r.prompt_hash, r.task_id, r.repeat)
            for jsonl in sorted((project / "runs" / "toy").glob("2*.jsonl")) for r in read_records(jsonl)[0]]


def test_the_leader_on_the_screen_is_raced_first_and_kept_alone(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", accept=NO_TIME)  # 8 train tasks, screen on 4, one look
    summary = _session(project, Fixed(CALM, KIND, WIN))
    outcomes = [(d.outcome, d.edit.kind if d.edit else "") for d in summary.decisions]
    assert outcomes == [("unfinished", "add-constraint:calm"), ("unfinished", "add-constraint:kind"),
                        ("accepted", "add-constraint:good")]
    kept = summary.decisions[-1].candidate_hash
    for outraced in summary.decisions[:2]:
        assert outraced.reason == (f"unfinished: outraced: candidate {kept} was proven first and kept; "
                                   "this evidence was about the prompt it replaced")
        assert outraced.parent_hash == summary.decisions[-1].parent_hash
        assert outraced.runs_used == 4  # its screen only
    assert (project / "prompts" / "system.md").read_text() == GOOD
    assert git(project, "log", "--format=%s").splitlines()[1:] == ["toy loop project"]
    assert changed_files(project, "HEAD") == [
        "diffs/toy/0001-add-constraint-good.diff", "diffs/toy/0001-add-constraint-good.md",
        "prompts/system.md"]
    with open_store(project / "runs") as store:
        assert [v.status for v in store.versions("toy")] == ["baseline", "accepted"]  # none rejected
    keys = _run_keys(project)
    assert len(keys) == len(set(keys)) == summary.state.runs_used  # the parent's runs made once
    # baseline 10; three screens of 4; the winner's other 4 train tasks and 2 holdout
    assert summary.state.runs_used == 10 + 3 * 4 + 4 + 2


def test_when_the_leader_stops_the_next_candidate_gets_the_runs(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", accept=NO_SCREEN)
    summary = _session(project, Fixed(CALM, WIN, KIND))  # no screen: the proposer's order
    outcomes = [(d.outcome, d.edit.kind if d.edit else "") for d in summary.decisions]
    assert outcomes == [("rejected", "add-constraint:calm"), ("unfinished", "add-constraint:kind"),
                        ("accepted", "add-constraint:good")]
    calm, kind, good = summary.decisions
    assert calm.gain == 0.0 and calm.runs_used == 8
    assert kind.runs_used == 0 and kind.repeats is None  # never run: only its proposal is recorded
    assert good.runs_used == 8 + 2  # its train and holdout runs: the parent's were there
    keys = _run_keys(project)
    assert len(keys) == len(set(keys)) == summary.state.runs_used == 10 + 8 + 8 + 2


def test_the_race_shrinks_to_what_the_run_budget_allows(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop", accept=NO_SCREEN)
    # baseline 10; a first look takes 8 train + 2 holdout = 10, and each more candidate 8 more:
    # 27 leaves room for one candidate only
    summary = _session(project, Fixed(CALM, WIN, KIND), max_runs=27)
    assert [(d.outcome, d.edit.kind if d.edit else "") for d in summary.decisions] == [
        ("rejected", "add-constraint:calm")]
    assert summary.state.runs_used == 18
    one = _session(project, Fixed(WIN, CALM), max_runs=10, race=1)
    assert [d.outcome for d in one.decisions] == ["unfinished"]
    assert one.decisions[0].reason.startswith("not started: its first look could take 10 runs")


def test_an_llm_proposer_gives_the_race_its_candidates_in_one_call(
        tmp_path: Path, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_loop_project(tmp_path / "loop", accept=NO_TIME)
    use_fake_llm(project, fake_llm.base_url, monkeypatch)

    def reply(*proposals: Proposal) -> str:
        return json.dumps({"proposals": [
            {"hypothesis": p.hypothesis, "edit": p.edit.model_dump(exclude_defaults=True)} for p in proposals]})

    fake_llm.reply(reply(CALM, WIN).replace('"hypothesis": "Calm helps", ', ""))  # one lacks its hypothesis
    fake_llm.reply(reply(CALM, WIN, KIND, CALM))                                # four asked for three
    loaded = load_config(project / "overseer.yaml")
    summary = optimize_target(loaded, "toy", OptimizeOptions(iterations=1), Hooks(progress=run_progress))
    assert [(d.outcome, d.edit.kind if d.edit else "") for d in summary.decisions] == [
        ("unfinished", "add-constraint:calm"), ("unfinished", "add-constraint:kind"),
        ("accepted", "add-constraint:good")]
    assert len(fake_llm.requests) == 2
    asked = fake_llm.requests[0]["json"]["messages"][0]["content"]
    assert "propose up to 3 different edits" in asked
    retry = fake_llm.requests[1]["json"]["messages"][0]["content"]
    assert "Your previous reply was rejected: the JSON does not match the schema: proposals.0.hypothesis" in retry
