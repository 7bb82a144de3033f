"""What a proposal panel did in one iteration (proposers/panel.py), as recorded with each of that
iteration's Decisions: kept apart so that decision.py can hold it without importing the proposers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PanelProposal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    persona: str
    key: str                         # the edit's key (Edit.key())
    kind: str
    summary: str                     # the edit in a few words (its hypothesis)
    verdict: Literal["kept", "vetoed"]
    critiques: list[str] = Field(default_factory=list)
    refined: bool = False            # sent back once, and this is the refinement


class PanelRecord(BaseModel):
    """What the panel did in one iteration: every proposal (in the order proposed), the ballots
    (persona -> indices of the kept proposals, best first), Borda scores, and the chosen order."""

    model_config = ConfigDict(extra="forbid")
    proposals: list[PanelProposal] = Field(default_factory=list)
    ballots: dict[str, list[int]] = Field(default_factory=dict)
    scores: dict[int, float] = Field(default_factory=dict)
    chosen: list[int] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)  # replies that were invalid twice, and why
