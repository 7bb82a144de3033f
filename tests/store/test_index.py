from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from overseer.store import DB_NAME, Store, open_store, rebuild
from overseer.store.schema import MIGRATIONS
from tests.helpers import overseer


def test_rebuilt_index_equals_the_incremental_one(optimized: Path) -> None:
    runs = optimized / "runs"
    with open_store(runs, update=False) as store:  # incremental: index, add more lines, index again
        store.update()
        more = overseer("run", "toy", "--json", cwd=optimized)
        assert more.returncode == 0
        assert store.update().added == 10
        incremental = store.dump()
    assert rebuild(runs).added == sum(len(rows) for t, rows in incremental.items() if t in ("runs", "versions", "decisions"))
    with open_store(runs, update=False) as store:
        assert store.dump() == incremental
        assert store.update().added == 0  # idempotent
        assert [m[0] for m in incremental["migrations"]] == [name for name, _ in MIGRATIONS]
        assert len(store.versions("toy")) == 3 and len(store.decisions("toy")) == 2


def test_verify_catches_a_deleted_row_and_an_edited_line(optimized: Path) -> None:
    runs = optimized / "runs"
    assert overseer("verify", cwd=optimized).returncode == 0
    with closing(sqlite3.connect(runs / DB_NAME)) as db, db:  # a row lost behind the store's back
        db.row_factory = sqlite3.Row
        victim = db.execute("SELECT record_id, source, line FROM runs ORDER BY source, line LIMIT 1").fetchone()
        db.execute("DELETE FROM runs WHERE record_id = ?", (victim["record_id"],))
    log = next(runs.glob("toy/2*.jsonl"))
    lines = log.read_text().splitlines(keepends=True)
    edited = json.loads(lines[2])
    edited["passed"] = not edited["passed"]
    lines[2] = json.dumps(edited) + "\n"
    log.write_text("".join(lines))
    result = overseer("verify", cwd=optimized)
    assert result.returncode == 1
    assert f"{runs / victim['source']}:{victim['line']}: in the JSONL but not in the index" in result.stdout
    assert f"{log}:3: differs from the index (edited after indexing)" in result.stdout
    assert overseer("index", "--rebuild", cwd=optimized).returncode == 0
    assert overseer("verify", cwd=optimized).returncode == 0


def test_a_migration_added_later_is_applied_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(tmp_path).close()
    monkeypatch.setattr("overseer.store.index.MIGRATIONS", [*MIGRATIONS, ("0099-extra", "CREATE TABLE extra (x INTEGER)")])
    store = Store(tmp_path)
    assert store.migrate() == []
    assert ("0099-extra",) in store.dump()["migrations"]
    store.close()


