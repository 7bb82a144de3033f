from __future__ import annotations

import sqlite3
from pathlib import Path

from overseer.decision import Decision
from overseer.edits import Edit
from overseer.registry import PromptVersion
from overseer.store.schema import MIGRATIONS, decision_row, run_row, source_kind, version_row
from tests.helpers import make_run


def test_every_migration_applies_in_order_to_an_empty_database() -> None:
    db = sqlite3.connect(":memory:")
    for _, script in MIGRATIONS:
        db.executescript(script)
    columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    assert set(run_row(make_run("a", True))) <= columns
    assert len({name for name, _ in MIGRATIONS}) == len(MIGRATIONS)
    assert [name for name, _ in MIGRATIONS] == sorted(name for name, _ in MIGRATIONS)


def test_each_kind_of_line_has_its_row() -> None:
    assert source_kind(Path("runs/t/registry.jsonl")) == "versions"
    assert source_kind(Path("runs/t/decisions.jsonl")) == "decisions"
    assert source_kind(Path("runs/t/session_x.jsonl")) == "runs"
    row = run_row(make_run("a", True).model_copy(update={"sanitized": {"strip_fences": ["x.py"]}}))
    assert row["passed"] == 1 and row["input_tokens"] == 100 and row["sanitizers"] == "strip_fences"
    decision = Decision(outcome="rejected", edit=Edit(op="delete", old="x\n", kind="delete-line:x"))
    assert decision_row(decision, "t")["kind"] == "delete-line:x"
    assert version_row(PromptVersion(hash="h", status="baseline", text="p"), "t")["status"] == "baseline"
