"""evaluate_prompt and evaluate_batch: prompt texts on a task set, each in an isolated copy, the
runs of a batch interleaved in a seeded order."""

from __future__ import annotations

import json
from pathlib import Path

from overseer.cache import grid
from overseer.config import load_config
from overseer.evaluate import Arm, evaluate_batch, evaluate_prompt, run_order
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


def test_a_batch_runs_both_prompts_interleaved_in_its_seeded_order(toy_project: Path) -> None:
    loaded = load_config(toy_project / "overseer.yaml")
    task_set = load_task_set(toy_project / "tasks" / "toy")
    pairs = grid(task_set.tasks, 3)
    arms = [Arm.of("Be careful. GOOD\n", task_set, pairs), Arm.of("bad prompt\n", task_set, pairs)]
    order = run_order(arms, seed=7)
    assert order == run_order(arms, seed=7) and order != run_order(arms, seed=8)
    assert sorted((i, t.id, r) for i, t, r in order) == sorted(
        (i, t.id, r) for i in (0, 1) for t in task_set.tasks for r in range(3))
    arms_in_order = [i for i, _, _ in order]
    assert arms_in_order != sorted(arms_in_order)  # not one prompt's runs, then the other's
    with RecordLog(toy_project / "runs" / "x.jsonl") as log:
        good, bad = evaluate_batch(loaded=loaded, target_name="toy", arms=arms, jobs=1,
                                   session_id="s1", log=log, batch="s1:1", order_seed=7)
    assert all(r.passed for r in good) and not any(r.passed for r in bad)
    assert {r.batch for r in good + bad} == {"s1:1"}
    started = sorted(good + bad, key=lambda r: r.started_at)  # one worker: they start in order
    assert [(r.prompt_hash == bad[0].prompt_hash, r.task_id, r.repeat) for r in started] == [
        (i == 1, t.id, r) for i, t, r in order]
    assert (toy_project / "prompts" / "system.md").read_text() == "Be careful. GOOD\n"
