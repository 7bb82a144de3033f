from __future__ import annotations

from pathlib import Path

from overseer.edits import Edit
from overseer.proposers.base import PastEdit, Proposal, ProposalContext, build_context, propose_up_to
from overseer.tasks import Task
from tests.helpers import make_run

PROMPT = "Write code.\n- Explain first.\n- Be brief.\n"


def _edit(line: str) -> Edit:
    return Edit(op="delete", old=line, kind=f"delete-line:{line.strip()}")


def _context(history: list[PastEdit] | None = None) -> ProposalContext:
    return ProposalContext(prompt=PROMPT, prompt_hash="h0", start_length=len(PROMPT), runs=0,
                           pass_rate=0.0, error_counts={}, failures=[], history=history or [],
                           session_id="s2")


class _Many:
    name = "many"

    def __init__(self, proposals: list[Proposal]) -> None:
        self.proposals = proposals

    def propose(self, context: ProposalContext) -> Proposal | None:
        return self.proposals[0] if self.proposals else None

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        return self.proposals


def test_a_race_gets_distinct_edits_and_the_vetoed_ones_come_back_after() -> None:
    a, b = Proposal(_edit("- Explain first.\n"), "h", "r"), Proposal(_edit("- Be brief.\n"), "h", "r")
    vetoed = Proposal(_edit("Write code.\n"), "h", "r", vetoed=True)
    proposer = _Many([a, vetoed, a, b])
    assert propose_up_to(proposer, _context(), 3) == [a, b, vetoed]
    assert propose_up_to(proposer, _context(), 1) == [a]        # one asked: propose() only
    assert propose_up_to(_Many([]), _context(), 1) == []


def test_what_was_tried_here_and_what_ran_out_elsewhere() -> None:
    tried = _edit("- Explain first.\n")
    unproven_now, unproven_before = _edit("- Be brief.\n"), _edit("Write code.\n")
    history = [PastEdit(tried, "rejected", -0.1, "h0", session_id="s1"),
               PastEdit(unproven_now, "unproven", 0.02, "h0", session_id="s2"),
               PastEdit(unproven_before, "unproven", 0.02, "h0", session_id="s1"),
               PastEdit(_edit("x\n"), "unfinished", None, "h0"),
               PastEdit(_edit("y\n"), "unproven", 0.01, "other-prompt")]
    context = _context(history)
    assert context.rejected_here() == {tried.key(), unproven_now.key()}
    assert context.ran_out_elsewhere() == {_edit("y\n").key()}


def test_the_context_shows_one_failing_run_per_task_most_common_class_first(tmp_path: Path) -> None:
    def failed(task: str, error: str) -> object:
        return make_run(task, False).model_copy(update={"error_class": error, "messages": [f"{error} in {task}"]})

    records = [failed("a", "SyntaxError"), failed("a", "SyntaxError"), failed("b", "SyntaxError"),
               failed("c", "ImportError"), make_run("d", True),
               failed("e", "Timeout").model_copy(update={"infra": True})]
    tasks = [Task(id=t, title=t, spec=f"spec of {t}", check="", timeout_s=1, tags=(), complexity=1,
                  directory=tmp_path, content_hash="") for t in "abcd"]
    context = build_context(prompt=PROMPT, prompt_hash="h0", start_length=len(PROMPT), records=records,  # type: ignore[arg-type]
                            tasks=tasks, artifacts_base=tmp_path, history=[], max_failures=2)
    assert context.error_counts == {"SyntaxError": 3, "ImportError": 1}
    assert [(f.task_id, f.error_class) for f in context.failures] == [("a", "SyntaxError"), ("b", "SyntaxError")]
    assert context.failures[0].spec == "spec of a" and context.pass_rate == 1 / 6
