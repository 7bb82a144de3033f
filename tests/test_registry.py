from __future__ import annotations

from pathlib import Path

from overseer.decision import Decision
from overseer.records import read_jsonl
from overseer.registry import KEPT_STATUSES, PromptVersion, TargetLog


def test_appends_are_idempotent(tmp_path: Path) -> None:
    log = TargetLog(tmp_path, "codewriter")
    version = PromptVersion(hash="h1", status="baseline", text="prompt")
    log.add_version(version)
    log.add_version(version.model_copy(update={"time": "later"}))   # the same version again: skipped
    log.add_version(PromptVersion(hash="h1", status="rollback", text="prompt"))
    decision = Decision(outcome="accepted")
    log.add_decision(decision)
    log.add_decision(decision)
    assert [v.status for v in read_jsonl(log.registry_path, PromptVersion)[0]] == ["baseline", "rollback"]
    assert len(read_jsonl(log.decisions_path, Decision)[0]) == 1
    assert log.registry_path == tmp_path / "codewriter" / "registry.jsonl"


def test_a_rejected_version_was_never_the_prompt() -> None:
    assert "rejected" not in KEPT_STATUSES and "accepted" in KEPT_STATUSES
