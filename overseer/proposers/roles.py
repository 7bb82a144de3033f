"""The roles of a proposal panel (a Persona proposes, ranks and refines; a Reviewer critiques),
and the check every reviewer makes first. Apart from panel.py so that the LLM roles
(panel_llm.py) and the panel both build on them without importing each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from overseer.directives import violation
from overseer.edits import EditRejected, apply_edit
from overseer.proposers.base import Proposal, ProposalContext


class Persona(Protocol):
    name: str

    def propose(self, context: ProposalContext) -> Proposal | None:
        """Its best edit, or None. The context's history holds this round's proposals so far
        (outcome "proposed") and the vetoed ones: both count as tried (rejected_here)."""

    def rank(self, proposals: Sequence[Proposal], context: ProposalContext) -> list[int]:
        """Indices of ``proposals``, its favourite first."""

    def refine(self, proposal: Proposal, critique: str, context: ProposalContext) -> Proposal | None:
        """The proposal changed to answer the critique, or None when it cannot be."""


@dataclass(frozen=True)
class Critique:
    verdict: Literal["keep", "refine", "veto"]
    reason: str = ""


class Reviewer(Protocol):
    name: str

    def review(self, proposal: Proposal, context: ProposalContext) -> Critique: ...


def mechanical_check(proposal: Proposal, context: ProposalContext) -> str | Critique:
    """The edited prompt, or a veto when the edit cannot be applied or breaks a directive: what
    every reviewer checks first, without judgement."""
    try:
        after = apply_edit(context.prompt, proposal.edit, start_length=context.start_length).text
    except EditRejected as exc:
        return Critique("veto", f"the edit cannot be applied: {exc}")
    if problem := violation(context.directives, context.prompt, after):
        return Critique("veto", f"violates a directive: {problem}")
    return after
