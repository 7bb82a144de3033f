from __future__ import annotations

import json
from pathlib import Path

from overseer.records import read_records
from tests.conftest import git, overseer


def test_demo_evaluates_the_example_offline(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    result = overseer("demo", "--dir", str(repo), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["repo"] == str(repo)
    baseline = facts["baseline"]
    assert 0.2 < baseline["pass_rate"] < 0.9
    assert baseline["runs"] == 48 and baseline["train"]["runs"] == 36 and baseline["holdout"]["runs"] == 12
    assert 0.2 < facts["truth"]["start"]["train"] < 0.9
    records, warnings = read_records(Path(facts["jsonl"][0]))
    assert len(records) == 48 and warnings == []
    assert {r.prompt_hash for r in records} == {records[0].prompt_hash}
    assert git(repo, "log", "--oneline").count("\n") == 1
    assert git(repo, "status", "--porcelain") == ""


def test_demo_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    result = overseer("demo", "--dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "not an empty directory" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
