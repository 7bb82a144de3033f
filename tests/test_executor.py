"""The executor seam: every run of an evaluation goes through the executor it is given."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from overseer.cache import grid
from overseer.config import load_config
from overseer.evaluate import Arm, evaluate_batch
from overseer.executor import LocalExecutor
from overseer.records import RecordLog, RunRecord
from overseer.runner import RunContext
from overseer.tasks import Task, load_task_set


class CountingExecutor(LocalExecutor):
    """Local threads, counting what it is given: as another executor (a cluster's) would be used."""

    def __init__(self, jobs: int) -> None:
        super().__init__(jobs)
        self.submitted: list[tuple[str, str, int]] = []

    def submit(self, ctx: RunContext, task: Task, task_set_hash: str, repeat: int) -> Future[RunRecord]:
        self.submitted.append((ctx.prompt_hash, task.id, repeat))
        return super().submit(ctx, task, task_set_hash, repeat)


def test_every_run_goes_through_the_executor_given(toy_project: Path) -> None:
    loaded = load_config(toy_project / "overseer.yaml")
    task_set = load_task_set(toy_project / "tasks" / "toy")
    pairs = grid(task_set.tasks, 2)
    arms = [Arm.of("Be careful. GOOD\n", task_set, pairs), Arm.of("bad prompt\n", task_set, pairs)]
    executor = CountingExecutor(2)
    with RecordLog(toy_project / "runs" / "x.jsonl") as log:
        good, bad = evaluate_batch(loaded=loaded, target_name="toy", arms=arms, jobs=2, session_id="s1",
                                   log=log, batch="s1:1", executor=executor)
    made = sorted((r.prompt_hash, r.task_id, r.repeat) for r in good + bad)
    assert sorted(executor.submitted) == made and len(made) == 2 * len(pairs)
    assert all(r.passed for r in good) and not any(r.passed for r in bad)
