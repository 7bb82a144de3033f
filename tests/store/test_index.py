from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from overseer.errors import FatalError
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




def test_a_failed_migration_leaves_the_index_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each migration is one transaction: its first statement is undone when its second fails."""
    Store(tmp_path).close()
    broken = ("0099-broken", "CREATE TABLE half (x INTEGER); CREATE TABLE sources (x INTEGER)")
    monkeypatch.setattr("overseer.store.index.MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(FatalError, match=r"overseer.db: the evidence index is broken .*index --rebuild"):
        Store(tmp_path)
    monkeypatch.undo()
    with closing(sqlite3.connect(tmp_path / DB_NAME)) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "half" not in tables
        assert ("0099-broken",) not in db.execute("SELECT name FROM migrations").fetchall()
    Store(tmp_path).close()   # and it still opens


def test_processes_opening_a_fresh_index_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    """Used to crash with `duplicate column name` in 4 rounds of 20: BEGIN IMMEDIATE serialises."""
    opener = ("import sys, time; from pathlib import Path; from overseer.store import Store\n"
              "go = Path(sys.argv[1]) / 'go'\n"
              "while not go.exists(): time.sleep(0.001)\n"
              "Store(Path(sys.argv[1]) / 'runs').close()\n")
    for round_ in range(6):
        directory = tmp_path / str(round_)
        directory.mkdir()
        procs = [subprocess.Popen([sys.executable, "-c", opener, str(directory)], stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
        (directory / "go").touch()
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
        with closing(sqlite3.connect(directory / "runs" / DB_NAME)) as db:
            assert [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY name")] == \
                [name for name, _ in MIGRATIONS]


def test_junk_database_is_one_line_saying_how_to_rebuild(optimized: Path) -> None:
    (optimized / "runs" / DB_NAME).write_bytes(b"this is not a database" * 100)
    result = overseer("stats", cwd=optimized)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "overseer index --rebuild" in result.stderr
    assert overseer("index", "--rebuild", cwd=optimized).returncode == 0
    assert overseer("stats", cwd=optimized).returncode == 0


def _corrupt_middle_line(log: Path) -> int:
    lines = log.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    lines[middle] = b'{"record_id": "torn in the middle\xff\n'   # shorter, not JSON, not UTF-8
    log.write_bytes(b"".join(lines))
    return middle + 1


def test_a_corrupt_middle_line_is_one_line_and_rebuild_sets_it_aside(optimized: Path) -> None:
    """It used to crash optimize (records read from stale offsets), and rebuild refused the line,
    so every command was blocked until the JSONL was edited by hand."""
    runs = optimized / "runs"
    assert overseer("verify", cwd=optimized).returncode == 0   # indexed before the damage
    log = sorted(runs.glob("toy/2*.jsonl"))[0]
    before = log.read_bytes().splitlines(keepends=True)
    line_no = _corrupt_middle_line(log)
    resumed = overseer("optimize", "toy", "--iterations", "1", cwd=optimized)
    assert resumed.returncode == 2 and "Traceback" not in resumed.stderr, resumed.stderr
    assert "changed since it was indexed" in resumed.stderr and "index --rebuild" in resumed.stderr
    verified = overseer("verify", cwd=optimized)
    assert verified.returncode == 1 and f"{log}:{line_no}: unreadable" in verified.stdout
    rebuilt = overseer("index", "--rebuild", cwd=optimized)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{log}:{line_no}: unreadable (not UTF-8" in rebuilt.stderr
    aside = log.with_name(log.name + ".unreadable")
    assert aside.read_bytes().startswith(b'{"record_id": "torn in the middle\xff')
    assert log.read_bytes() == b"".join(before[:line_no - 1] + before[line_no:])
    assert overseer("verify", cwd=optimized).returncode == 0
    assert overseer("optimize", "toy", "--iterations", "1", cwd=optimized).returncode == 0


def test_a_line_with_a_number_too_large_for_sqlite_does_not_poison_the_index(optimized: Path) -> None:
    runs = optimized / "runs"
    log = sorted(runs.glob("toy/2*.jsonl"))[0]
    record = json.loads(log.read_text().splitlines()[0])
    record.update(record_id="f" * 32, seed=10**20)
    with log.open("a") as out:
        out.write(json.dumps(record) + "\n")
    assert overseer("stats", cwd=optimized).returncode == 0
    assert overseer("history", "toy", cwd=optimized).returncode == 0
    verified = overseer("verify", cwd=optimized)
    assert verified.returncode == 1 and "seed is too large a number for the index" in verified.stdout
    assert overseer("index", "--rebuild", cwd=optimized).returncode == 0
    assert overseer("verify", cwd=optimized).returncode == 0
