"""evaluate_prompt: a prompt text on a task set, in an isolated copy."""

from __future__ import annotations

import json
from pathlib import Path

from overseer.config import load_config
from overseer.evaluate import evaluate_prompt
from overseer.records import RecordLog
from overseer.tasks import load_task_set
from tests.helpers import overseer


def test_candidate_prompt_is_evaluated_in_isolation(toy_project: Path) -> None:
    loaded = load_config(toy_project / "overseer.yaml")
    task_set = load_task_set(toy_project / "tasks" / "toy")
    with RecordLog(toy_project / "runs" / "x.jsonl") as log:
        evaluation = evaluate_prompt(loaded=loaded, target_name="toy", prompt_text="bad prompt\n",
                                     task_set=task_set, repeats=2, jobs=2, session_id="s1", log=log)
    assert evaluation.summary.runs == 4 and evaluation.summary.pass_rate == 0.0
    assert evaluation.summary.error_classes == {"AssertionError": 4}
    assert [(r.task_id, r.repeat) for r in evaluation.records] == [
        ("add", 0), ("sub", 0), ("add", 1), ("sub", 1)]
    record = evaluation.records[0]
    assert record.tests_passed == 1 and abs(record.score - 1 / 3) < 1e-9  # only test_zero passes
    assert record.failing_tests == ["test_add::test_small", "test_add::test_negative"]
    assert (toy_project / "prompts" / "system.md").read_text() == "Be careful. GOOD\n"


def test_uncommitted_prompt_is_what_gets_evaluated(toy_project: Path) -> None:
    (toy_project / "prompts" / "system.md").write_text("edited, no longer good\n")
    result = overseer("run", "toy", "--json", "--fail-under", "0.5", cwd=toy_project)
    assert result.returncode == 100, result.stderr
    assert json.loads(result.stdout)["summary"]["pass_rate"] == 0.0
    assert (toy_project / "prompts" / "system.md").read_text() == "edited, no longer good\n"
