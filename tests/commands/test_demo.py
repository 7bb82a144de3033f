from __future__ import annotations

import json
from pathlib import Path

from overseer.records import read_records
from tests.helpers import git, overseer


def test_demo_runs_the_whole_loop_offline(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    # one iteration and at most 2 rounds keep the suite short; the README command runs the defaults
    result = overseer("demo", "--dir", str(repo), "--iterations", "1", "--max-repeats", "2", "--json",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["repo"] == str(repo)
    assert 0.2 < facts["baseline"]["pass_rate"] < 0.9
    assert facts["accepted"] >= 1 and facts["accepted"] + facts["rejected"] == len(facts["iterations"])
    assert facts["final"]["pass_rate"] > facts["baseline"]["pass_rate"]
    for split in ("train", "holdout"):
        assert facts["truth"]["final"][split] > facts["truth"]["start"][split]
    records, warnings = read_records(Path(facts["jsonl"][0]))
    assert len(records) == facts["runs_used"] and warnings == []
    commits = git(repo, "log", "--format=%H").split()
    assert len(commits) == facts["accepted"] + 1
    for sha in commits[:-1]:
        changed = git(repo, "show", "--name-only", "--format=", sha).split()
        assert changed[-1] == "examples/codewriter/codewriter.py"
        assert all(p.startswith("diffs/codewriter/") for p in changed[:-1]) and len(changed) == 3
    assert git(repo, "status", "--porcelain") == ""


def test_demo_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    result = overseer("demo", "--dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "not an empty directory" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_the_triage_demo_runs_its_promptfoo_suite_through_real_runs(tmp_path: Path) -> None:
    """`demo --example triage`: the ticket classifier and its promptfoo suite, each run a real
    command and a real check (the simulated judge grading the rubric), the kept edit committed."""
    repo = tmp_path / "demo"
    result = overseer("demo", "--example", "triage", "--dir", str(repo), "--iterations", "1",
                      "--max-repeats", "2", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["accepted"] == 1, facts["iterations"]
    assert facts["truth"]["final"]["holdout"] > facts["truth"]["start"]["holdout"]
    records, _ = read_records(Path(facts["jsonl"][0]))
    failing = {r.error_class for r in records if not r.passed}
    assert {"AnswerFormatError", "FencedAnswerError", "LabelCaseError"} <= failing
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed[-1] == "examples/triage/prompt.md"


def test_demo_names_the_examples_it_has(tmp_path: Path) -> None:
    result = overseer("demo", "--example", "nope", "--dir", str(tmp_path / "d"), cwd=tmp_path)
    assert result.returncode == 2 and "--example 'nope': no such example (one of: codewriter, triage)" in result.stderr
    assert not (tmp_path / "d").exists()
