"""A panel of three LLM personas and an LLM reviewer against the fake OpenAI-compatible server on
127.0.0.1: proposals, a refinement, a veto, a malformed critique retried, a malformed ballot
dropped with its reason, the vote, all recorded and shown; the key never recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.report import run_progress
from tests.fake_llm import FakeLLM
from tests.helpers import git, overseer
from tests.toyloop import FAKE_KEY, PROPOSAL, make_loop_project

PANEL = ('    proposer: {kind: panel, model: "openai:fake-model", '
         'options: {personas: [minimalist, edge-case-hunter, format-stickler], reviewer: llm}}\n')


def _edit(new: str, kind: str) -> str:
    return json.dumps({"hypothesis": f"adding{new}", "rationale": "a guess",
                       "edit": {"op": "insert_after", "old": "Be careful.", "new": new, "kind": kind}})


def test_a_panel_of_llm_roles_runs_end_to_end(tmp_path: Path, fake_llm: FakeLLM,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_loop_project(tmp_path / "loop")
    config = project / "overseer.yaml"
    text = config.read_text()
    config.write_text(text[: text.index("    proposer:")] + PANEL)
    git(project, "commit", "-qam", "a panel of LLM roles")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_llm.base_url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    for reply in [
        json.dumps(PROPOSAL),                                        # minimalist proposes GOOD
        '{"verdict": "keep", "reason": "it targets the failing runs"}',
        _edit(" Be kind.", "add-constraint:kind"),                   # edge-case hunter
        '{"verdict": "refine", "reason": "too vague"}',
        _edit(" Be very kind.", "add-constraint:kind"),              # its refinement
        '{"verdict": "veto", "reason": "still vague: no failure shows a lack of kindness"}',
        _edit(" Stay calm.", "add-constraint:calm"),                 # format stickler
        "I think this one is fine!",                                 # a malformed critique...
        '{"verdict": "keep", "reason": "harmless"}',                 # ...retried once
        '{"ranking": [1, 2]}',                                       # minimalist's ballot
        "first one",                                                 # edge-case hunter's ballot:
        '{"ranking": [1]}',                                          # invalid twice, dropped
        '{"ranking": [2, 1]}',                                       # format stickler's ballot
    ]:
        fake_llm.reply(reply)
    summary = optimize_target(load_config(config), "toy", OptimizeOptions(iterations=1, race=2),
                              Hooks(progress=run_progress))
    assert not fake_llm.replies                                      # every scripted reply used
    outcomes = {d.edit.new if d.edit else "": d.outcome for d in summary.decisions}
    assert outcomes == {" Be very kind.": "vetoed", " GOOD": "accepted", " Stay calm.": "unfinished"}
    vetoed = next(d for d in summary.decisions if d.outcome == "vetoed")
    assert vetoed.runs_used == 0 and "still vague" in vetoed.reason
    panel = vetoed.panel
    assert panel is not None
    assert [(p.persona, p.verdict, p.refined) for p in panel.proposals] == [
        ("minimalist", "kept", False), ("edge-case-hunter", "vetoed", False),
        ("edge-case-hunter", "vetoed", True), ("format-stickler", "kept", False)]
    assert panel.ballots == {"minimalist": [0, 3], "format-stickler": [3, 0]}
    assert panel.scores == {0: 1.0, 3: 1.0} and panel.chosen == [0, 3]   # a tie: the order proposed
    assert panel.dropped == ["edge-case-hunter's ballot: the reply was invalid twice; last: the "
                             "ranking must list each of the numbers 1 to 2 exactly once"]
    # the retry shows the model its error; the persona's request carries its role
    asked = [r["json"]["messages"][0]["content"] for r in fake_llm.requests]
    assert "Your previous reply was rejected: the reply holds no JSON object" in asked[8]
    assert "You are the edge-case-hunter of a panel" in asked[2]
    assert "You are the format-stickler" in asked[12]
    shown = overseer("show", "toy", vetoed.candidate_hash or "", cwd=project)
    assert shown.returncode == 0, shown.stderr
    out = " ".join(shown.stdout.split())
    for said in ("proposal panel", "critique: too vague", "edge-case-hunter refinement",
                 "ballot of minimalist: #0 > #3", "dropped: edge-case-hunter's ballot"):
        assert said in out, said
    for path in project.joinpath("runs").rglob("*"):
        if path.is_file():
            assert FAKE_KEY not in path.read_text(errors="replace"), path
