"""The proposal panel: personas propose, the reviewer critiques before any run (vetoes, one
refinement), the personas vote (Borda), and everything is recorded with the decisions."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import pytest

from overseer.commands.demo import build_demo_repo
from overseer.config import Directives, load_config
from overseer.decision import Decision
from overseer.edits import Edit
from overseer.insights import panel_summary
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.proposers.base import Proposal, ProposalContext, propose_up_to
from overseer.proposers.panel import (
    BLOAT_WORDS,
    PanelProposer,
    RulesPersona,
    RulesReviewer,
    panel_from_options,
)
from overseer.review import PanelProposal, PanelRecord
from overseer.sim.fast import fast_evaluator
from tests.helpers import git, overseer

PROMPT = ("You write Python.\n"
          "Security: never print secrets.\n"
          "- Start with a short explanation of your approach.\n"
          "- Use descriptive names for functions.\n"
          "- Add type hints and a docstring to every public function.\n")
COUNTS = {"SyntaxError": 12, "ImportError": 5}


def context(directives: Directives | None = None, counts: dict[str, int] | None = None) -> ProposalContext:
    return ProposalContext(prompt=PROMPT, prompt_hash="h0", start_length=4 * len(PROMPT), runs=40,
                           pass_rate=0.4, error_counts=COUNTS if counts is None else counts,
                           failures=[], directives=directives or Directives())


class Scripted(RulesPersona):
    """A persona that proposes these edits first, then what the rules persona would."""

    def __init__(self, name: str, *edits: Edit) -> None:
        super().__init__(name)
        self.edits = list(edits)

    def propose(self, context: ProposalContext) -> Proposal | None:
        for edit in self.edits:
            if edit.key() not in context.rejected_here():
                return Proposal(edit, f"scripted {edit.kind}", "a test's proposal")
        return super().propose(context)


def _add(line: str, kind: str = "add-constraint:style") -> Edit:
    return Edit(op="insert_after", old="You write Python.\n", new=line + "\n", kind=kind)


def test_the_reviewer_vetoes_duplicates_contradictions_directive_breaks_and_unseen_failures() -> None:
    reviewer, keep = RulesReviewer(), Directives(keep_lines=[r"^Security:"])
    security = Edit(op="delete", old="Security: never print secrets.\n", kind="delete-line:security")
    assert "violates a directive" in reviewer.review(Proposal(security, "", ""), context(keep)).reason
    assert reviewer.review(Proposal(security, "", ""), context()).verdict == "keep"
    duplicate = reviewer.review(Proposal(_add("- Add a docstring to the function."), "", ""), context())
    assert duplicate.verdict == "veto" and "duplicates an existing instruction" in duplicate.reason
    contradiction = reviewer.review(Proposal(_add("- Walk through the code after writing it."), "", ""),
                                    context())
    assert contradiction.verdict == "veto" and "seen in 12 failing runs" in contradiction.reason
    # the same line, when no failing run shows the failure it causes, is no contradiction
    assert reviewer.review(Proposal(_add("- Walk through the code after writing it."), "", ""),
                           context(counts={"ImportError": 5})).verdict == "keep"
    unseen = Edit(op="insert_after", old="You write Python.\n", kind="add-constraint:efficiency",
                  new="- Use an efficient algorithm.\n")
    assert "which no failing run shows" in reviewer.review(Proposal(unseen, "", ""), context()).reason
    long = " ".join(["word"] * (BLOAT_WORDS + 5))
    assert reviewer.review(Proposal(_add(f"- Be exact. {long}."), "", ""), context()).verdict == "refine"


def test_the_panel_vetoes_refines_votes_and_records_it_all() -> None:
    careless = _add("- Prefer camelCase names.")
    bloated = _add("- Return plain code only. " + " ".join(["Really"] * (BLOAT_WORDS + 2)) + ".")
    panel = PanelProposer([Scripted("minimalist", careless), Scripted("format-stickler", bloated),
                           RulesPersona("edge-case-hunter")], RulesReviewer())
    proposals = panel.propose_many(context(), 2)
    kept, refused = [p for p in proposals if not p.vetoed], [p for p in proposals if p.vetoed]
    assert [p.edit.key() for p in refused] == [careless.key()]
    record = proposals[0].panel
    assert record is not None and all(p.panel is record for p in proposals)
    entries = record.proposals
    assert [(e.persona, e.verdict, e.refined) for e in entries] == [
        ("minimalist", "vetoed", False), ("format-stickler", "vetoed", False),
        ("format-stickler", "kept", True), ("edge-case-hunter", "kept", False)]
    assert "asks for renamed functions" in entries[0].critiques[0]
    assert "adds bloat" in entries[1].critiques[0]
    assert any(p.edit.new.strip() == "- Return plain code only." for p in kept)   # the refinement
    assert set(record.ballots) == {"minimalist", "format-stickler", "edge-case-hunter"}
    assert all(sorted(b) == [2, 3] for b in record.ballots.values())
    assert sum(record.scores.values()) == 3 * 1   # three ballots, 1 + 0 points each
    assert len(record.chosen) == 2 and [p.edit.key() for p in kept] == [entries[i].key for i in record.chosen]
    # a race of 1 gets the vote's winner; the vetoed ones still come back, to be recorded
    assert len([p for p in propose_up_to(panel, context(), 1) if not p.vetoed]) == 1


def test_a_panel_proposal_deleting_a_kept_line_is_vetoed() -> None:
    security = Edit(op="delete", old="Security: never print secrets.\n", kind="delete-line:security")
    panel = PanelProposer([Scripted("minimalist", security)], RulesReviewer())
    proposals = panel.propose_many(context(Directives(keep_lines=[r"^Security:"])), 1)
    assert proposals[-1].vetoed and proposals[-1].edit.key() == security.key()
    assert proposals[0].panel is not None
    assert "a line the directives keep" in proposals[0].panel.proposals[0].critiques[0]


def test_a_panel_in_a_session_records_vetoes_without_spending_runs(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_demo_repo(root)
    loaded = load_config(root / "overseer.yaml")
    target = loaded.target("codewriter")
    decisions: list[Decision] = []
    careless = Edit(op="insert_after", old="Guidelines:\n", new="- Add a docstring to every function.\n",
                    kind="add-constraint:careless")
    panel = PanelProposer([Scripted("minimalist", careless), RulesPersona("format-stickler")],
                          RulesReviewer())
    optimize_target(loaded, "codewriter", OptimizeOptions(iterations=2, race=1), Hooks(
        progress=lambda label, total: nullcontext(lambda record: None), decided=decisions.append),
        proposer=panel, evaluator=fast_evaluator("codewriter", target.command, target.seed))
    vetoed = [d for d in decisions if d.outcome == "vetoed"]
    # vetoed in each iteration, since each iteration's prompt is new (an accepted edit)
    assert vetoed and all(d.edit is not None and d.edit.key() == careless.key() for d in vetoed)
    assert len({d.parent_hash for d in vetoed}) == len(vetoed)
    assert vetoed[0].runs_used == 0 and "duplicates an existing instruction" in vetoed[0].reason
    assert vetoed[0].panel is not None and vetoed[0].panel.ballots
    evaluated = [d for d in decisions if d.outcome != "vetoed"]
    assert evaluated and all(d.panel is not None for d in evaluated)
    shown = overseer("show", "codewriter", vetoed[0].candidate_hash or "", cwd=root)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "proposal panel" in text and "critique: duplicates an existing instruction" in text
    assert "ballot of minimalist" in text
    facts = json.loads(overseer("insights", "codewriter", "--json", cwd=root).stdout)["panel"]
    assert facts["iterations"] == 2 and facts["vetoed"] == len(vetoed)
    assert facts["veto_reasons"] == {"duplicate": len(vetoed)} and facts["vetoes_checked_later"] == 0
    assert "proposal panel:" in overseer("insights", "codewriter", cwd=root).stdout
    assert overseer("report", "codewriter", "-o", str(tmp_path / "r.html"), cwd=root).returncode == 0
    html = (tmp_path / "r.html").read_text()
    assert "<h2>Proposal panels</h2>" in html and "<summary>proposal panel</summary>" in html
    assert "duplicates an existing instruction" in html


def test_a_veto_is_right_when_the_edit_evaluated_later_was_not_kept() -> None:
    edit = _add("- Be terse.")
    record = PanelRecord(proposals=[PanelProposal(persona="minimalist", key=edit.key(), kind=edit.kind,
                                                  summary="terse", verdict="vetoed",
                                                  critiques=["adds bloat: 40 words (at most 30)"])])
    vetoed = Decision(outcome="vetoed", edit=edit, panel=record, session_id="s1", iteration=0)
    later = [Decision(outcome="rejected", edit=edit, session_id="s2", iteration=0),
             Decision(outcome="vetoed", edit=_add("- Be loud."), session_id="s2", iteration=1),
             Decision(outcome="accepted", edit=_add("- Be loud."), session_id="s3", iteration=0)]
    summary = panel_summary([vetoed, *later])
    assert summary["veto_reasons"] == {"bloat": 1}
    assert summary["vetoes_checked_later"] == 2 and summary["vetoes_right"] == 1


def test_panel_options_are_checked(tmp_path: Path) -> None:
    assert [p.name for p in panel_from_options({}).personas] == [
        "minimalist", "edge-case-hunter", "format-stickler"]
    with pytest.raises(ValueError, match="unknown persona 'poet'"):
        panel_from_options({"personas": ["poet"]})
    with pytest.raises(ValueError, match="unknown reviewer"):
        panel_from_options({"reviewer": "llm"})
    with pytest.raises(ValueError, match="personas: a list"):
        panel_from_options({"personas": "minimalist"})
    with pytest.raises(ValueError, match="a persona is a name, not"):
        panel_from_options({"personas": [{"poet": "writes verse"}]})   # descriptions need a model
    with pytest.raises(ValueError, match="reviewer_options: a mapping"):
        panel_from_options({"reviewer": "word_budget", "reviewer_options": 5})
    root = tmp_path / "demo"
    build_demo_repo(root)
    config = root / "overseer.yaml"
    config.write_text(config.read_text().replace(
        "    objective: pass_rate", "    objective: pass_rate\n    proposer: {kind: panel, options: {personas: [poet]}}", 1))
    git(root, "commit", "-qam", "a panel with an unknown persona")
    result = overseer("optimize", "codewriter", "--iterations", "1", cwd=root)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith(
        "overseer.yaml: targets.codewriter.proposer.options: unknown persona 'poet'; offline personas: "
        "minimalist, edge-case-hunter, format-stickler")
