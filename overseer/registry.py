"""The versioned prompt registry and the decision log of a target, both append-only JSONL:
``runs/<target>/registry.jsonl`` (every prompt version) and ``runs/<target>/decisions.jsonl``.

This module writes them; everything reads them back through the evidence index
(``Store.versions``, ``Store.decisions``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from overseer.decision import Decision
from overseer.edits import Edit
from overseer.records import RecordLog, now_iso, read_jsonl

Status = Literal["baseline", "accepted", "rejected", "rollback"]
# A version with one of these statuses was (or is) the prompt in the file; a rejected one never was.
KEPT_STATUSES: frozenset[str] = frozenset({"baseline", "accepted", "rollback"})


class PromptVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hash: str
    parent: str | None = None
    status: Status
    text: str
    edit: Edit | None = None
    decision_id: str | None = None
    session_id: str = ""
    time: str = Field(default_factory=now_iso)
    train_pass_rate: float | None = None
    holdout_pass_rate: float | None = None
    commit: str | None = None
    reason: str = ""


@dataclass
class VersionDetail:
    """One version as ``overseer show`` gives it: with the decision about it and its diff."""

    version: PromptVersion
    decision: Decision | None
    diff: str


class TargetLog:
    """Where one target's registry and decisions live, with idempotent appends (an append that is
    already in the file, e.g. repeated by ``--resume``, is skipped)."""

    def __init__(self, runs_dir: Path, target: str) -> None:
        self.directory = runs_dir / target
        self.registry_path = self.directory / "registry.jsonl"
        self.decisions_path = self.directory / "decisions.jsonl"

    def _versions(self) -> list[PromptVersion]:
        if not self.registry_path.exists():
            return []
        return read_jsonl(self.registry_path, PromptVersion)[0]

    def _decisions(self) -> list[Decision]:
        if not self.decisions_path.exists():
            return []
        return read_jsonl(self.decisions_path, Decision)[0]

    def add_version(self, version: PromptVersion) -> None:
        known = {(v.hash, v.status, v.decision_id) for v in self._versions()}
        if (version.hash, version.status, version.decision_id) in known:
            return
        with RecordLog(self.registry_path) as log:
            log.append(version)

    def add_decision(self, decision: Decision) -> None:
        if any(d.decision_id == decision.decision_id for d in self._decisions()):
            return
        with RecordLog(self.decisions_path) as log:
            log.append(decision)
