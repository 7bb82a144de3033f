"""Proposers: from the evidence (failing runs, past edits) to ONE small edit with a hypothesis."""

from __future__ import annotations

from overseer.proposers.base import (
    FailureExample,
    PastEdit,
    Proposal,
    ProposalContext,
    ProposalFailed,
    Proposer,
    build_context,
    propose_up_to,
)

__all__ = ["FailureExample", "PastEdit", "Proposal", "ProposalContext", "ProposalFailed",
           "Proposer", "build_context", "propose_up_to"]
