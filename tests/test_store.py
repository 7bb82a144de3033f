from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.records import RecordLog
from overseer.signatures import check_codes, signature
from overseer.records import TestOutcome
from overseer.store import MIGRATIONS, Store, open_store, rebuild
from tests.conftest import overseer
from tests.toyloop import make_loop_project


@pytest.fixture
def optimized(tmp_path: Path) -> Path:
    project = make_loop_project(tmp_path / "loop")
    result = overseer("optimize", "toy", "--iterations", "2", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


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
    with open_store(runs) as store:
        victim = store.query("SELECT record_id, source, line FROM runs ORDER BY source, line LIMIT 1")[0]
        with store.db:
            store.db.execute("DELETE FROM runs WHERE record_id = ?", (victim["record_id"],))
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


def test_history_reads_the_index_and_stats_reports_sampling(optimized: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (optimized / "runs" / f"overseer.db{suffix}").unlink(missing_ok=True)
    history = json.loads(overseer("history", "toy", "--json", cwd=optimized).stdout)
    assert [v["status"] for v in history] == ["baseline", "accepted", "rejected"]
    facts = json.loads(overseer("stats", "--json", cwd=optimized).stdout)
    toy = facts["targets"][0]
    assert toy["runs"] == 28 and toy["failures_kept"] == 10
    assert toy["successes_kept"] + toy["successes_dropped"] == toy["runs"] - toy["failures_kept"]
    assert facts["index_bytes"] > 0


def test_a_migration_added_later_is_applied_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(tmp_path).close()
    monkeypatch.setattr("overseer.store.MIGRATIONS", [*MIGRATIONS, ("0099-extra", "CREATE TABLE extra (x INTEGER)")])
    store = Store(tmp_path)
    assert store.migrate() == []
    assert [r[0] for r in store.query("SELECT name FROM migrations WHERE name = '0099-extra'")] == ["0099-extra"]
    store.close()


@pytest.mark.parametrize("error_class, tests, messages, output, expected", [
    (None, [], [], "", None),
    ("SyntaxError", [], ["invalid syntax"], "", "SyntaxError"),
    ("ImportError", [], ["ImportError: cannot import name 'slugify' from 'solution'"], "", "ImportError@name"),
    ("ModuleNotFoundError", [], ["No module named 'solution'"], "", "MissingOutput"),
    ("ModuleNotFoundError", [], ["No module named 'numpy'"], "", "ModuleNotFoundError"),
    ("AssertionError", [TestOutcome(name="test_x::test_a", outcome="passed"),
                        TestOutcome(name="test_x::test_b", outcome="failed", message="assert 1 == 2")],
     [], "", "AssertionError@test_x::test_b"),
    ("CheckFailed", [], [], "src/a.ts(3,5): error TS2345: Argument of type", "TS2345"),
    ("CheckFailed", [], [], "a.py:3: error: Incompatible types  [arg-type]\na.py:9: error: x  [arg-type]", "mypy[arg-type]"),
    ("CheckFailed", [], [], "a.py:1:80: E501 Line too long (90 > 79)", "ruff[E501]"),
    ("Timeout", [], ["check timed out after 6s"], "", "Timeout"),
])
def test_signatures(error_class, tests, messages, output, expected) -> None:
    assert signature(error_class=error_class, tests=tests, messages=messages, check_output=output) == expected


def test_check_codes_most_frequent_first() -> None:
    text = "a.py:1:1: F401 unused\nb.py:2:1: E501 long\nc.py:3:1: E501 long\n"
    assert check_codes(text) == ["ruff[E501]", "ruff[F401]"]


def test_runs_are_read_back_by_experiment_key(optimized: Path) -> None:
    from overseer.cache import RunCache, run_key
    from overseer.records import read_records

    log = next((optimized / "runs" / "toy").glob("2*.jsonl"))
    records = read_records(log)[0]
    cache = RunCache(optimized / "runs", "toy")
    for record in records[:5] + records[-3:]:
        assert cache.get(run_key(record)) == record
    missing = run_key(records[0])[:-1] + (99,)
    assert cache.get(missing) is None
