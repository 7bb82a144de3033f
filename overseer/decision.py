"""What the acceptance rule says of a candidate, and the record of one candidate: the edit, its
provenance, each criterion with its value, and the outcome. Records only: the statistics are in
evidence/, the rule that fills these in is decide.py."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from overseer.edits import Edit
from overseer.metrics import Metrics
from overseer.records import now_iso
from overseer.review import PanelRecord

Outcome = Literal["accepted", "rejected", "invalid", "screened_out", "no_proposal", "failed",
                  "inconclusive", "unfinished", "unproven", "vetoed"]


# Outcomes that are no evidence against the edit: it may be proposed again (an unproven one is
# then continued from where its test stopped), and only "unproven" counts toward the plateau.
NOT_EVIDENCE: frozenset[str] = frozenset({"inconclusive", "unfinished", "unproven"})



class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    value: float | None
    limit: float | None
    passed: bool
    note: str = ""


class Verdict(BaseModel):
    """What the acceptance rule says of a candidate; the loop merges it into its Decision."""

    model_config = ConfigDict(extra="forbid")
    outcome: Outcome = "rejected"
    reason: str = ""
    criteria: list[Criterion] = Field(default_factory=list)
    train_before: Metrics | None = None
    train_after: Metrics | None = None
    holdout_before: Metrics | None = None
    holdout_after: Metrics | None = None
    gain: float | None = None
    p_value: float | None = None
    repeats: int | None = None
    # the confidence sequence's interval for the train gain when the test stopped (betting test)
    interval: list[float] | None = None


class Decision(Verdict):
    """One candidate's record: the verdict's fields, and the edit with its provenance."""

    decision_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    time: str = Field(default_factory=now_iso)
    session_id: str = ""
    target: str = ""
    iteration: int = 0
    parent_hash: str = ""
    candidate_hash: str | None = None
    proposer: str = ""
    edit: Edit | None = None
    hypothesis: str = ""
    rationale: str = ""
    runs_used: int = 0
    diff: str = ""
    panel: PanelRecord | None = None   # what the proposal panel did in this iteration


def gain_interval(decision: Decision) -> str:
    """The train gain with its confidence sequence when the test stopped, e.g.
    "gain +0.056, in [+0.006, +0.124]" ("" when no gain was measured)."""
    if decision.gain is None:
        return ""
    within = f", in [{decision.interval[0]:+.3f}, {decision.interval[1]:+.3f}]" if decision.interval else ""
    return f"gain {decision.gain:+.3f}{within}"
