from __future__ import annotations

from overseer.evaluate import Arm
from overseer.seeds import run_seed
from overseer.sim import complete
from overseer.sim.fast import fast_evaluator, simulated_records
from overseer.tasks import Task, load_task_set
from tests.sim.example import EXAMPLE_SET, START_PROMPT


def test_a_fast_run_is_the_reply_a_real_run_would_get(tasks: list[Task]) -> None:
    chosen = tasks[:5]
    records = simulated_records(START_PROMPT, chosen, 2, seed=4)
    assert [(r.task_id, r.repeat) for r in records] == [(t.id, r) for r in range(2) for t in chosen]
    for record in records:
        task = next(t for t in chosen if t.id == record.task_id)
        reply = complete(START_PROMPT, task.directory, repeat=record.repeat,
                         seed=run_seed(4, task.id, record.repeat))
        assert record.passed == (not reply.modes)
        assert record.usage is not None and record.usage.output_tokens == reply.output_tokens


def test_the_evaluator_runs_each_arms_pairs_and_charges_them() -> None:
    task_set = load_task_set(EXAMPLE_SET)
    charged: list[int] = []
    evaluate = fast_evaluator("codewriter", "sim", 0, charged.append)
    pairs = [(task_set.tasks[0].id, 0), (task_set.tasks[1].id, 1)]
    [records] = evaluate([Arm.of(START_PROMPT, task_set, pairs)], "session", "batch-1")
    assert sorted((r.task_id, r.repeat) for r in records) == sorted(pairs)
    assert charged == [2] and {r.batch for r in records} == {"batch-1"}
