from __future__ import annotations

from overseer.config import Directives
from overseer.edits import Edit
from overseer.proposers.base import Proposal, ProposalContext
from overseer.proposers.roles import Critique, mechanical_check

PROMPT = "You write Python.\nSecurity: never print secrets.\n- Be brief.\n"


def _context() -> ProposalContext:
    return ProposalContext(prompt=PROMPT, prompt_hash="h", start_length=len(PROMPT), runs=0, pass_rate=0,
                           error_counts={}, failures=[],
                           directives=Directives(keep_lines=["Security:"]))


def _proposal(edit: Edit) -> Proposal:
    return Proposal(edit, "h", "r")


def test_an_edit_that_applies_and_honours_the_directives_gives_the_edited_prompt() -> None:
    after = mechanical_check(_proposal(Edit(op="delete", old="- Be brief.\n", kind="k")), _context())
    assert after == "You write Python.\nSecurity: never print secrets.\n"


def test_an_edit_that_cannot_apply_or_breaks_a_directive_is_vetoed() -> None:
    missing = mechanical_check(_proposal(Edit(op="delete", old="- Not there.\n", kind="k")), _context())
    assert isinstance(missing, Critique) and missing.verdict == "veto"
    assert missing.reason.startswith("the edit cannot be applied")
    security = mechanical_check(_proposal(Edit(op="delete", old="Security: never print secrets.\n", kind="k")),
                                _context())
    assert isinstance(security, Critique) and security.reason.startswith("violates a directive")
