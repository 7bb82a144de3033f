"""Evaluate one prompt text on a task set: isolated copy, scheduling with -j, recording."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from overseer.config import LoadedConfig
from overseer.faults import checkpoint
from overseer.fingerprint import environment_fingerprint
from overseer.metrics import Summary, summarize
from overseer.process import cancel_all, pause, reset_cancel
from overseer.prompts import prompt_hash, write_prompt_in_copy
from overseer.records import RecordLog, RunRecord
from overseer.runner import RunContext, run_one
from overseer.sandbox import IsolatedCopy
from overseer.tasks import Task, TaskSet


@dataclass
class Evaluation:
    records: list[RunRecord]
    summary: Summary
    log_path: Path


def runs_dir(loaded: LoadedConfig) -> Path:
    return loaded.root / "runs"


def session_log_path(loaded: LoadedConfig, target_name: str, session_id: str) -> Path:
    return runs_dir(loaded) / target_name / f"{session_id}.jsonl"


def run_with_retries(ctx: RunContext, task: Task, task_set_hash: str, repeat: int) -> RunRecord:
    """One run; after an infrastructure failure it is run again (``infra.retries`` times, waiting
    ``infra.backoff_s``, doubling), and the last attempt is what is recorded."""
    policy, attempt = ctx.target.infra, 1
    record = run_one(ctx, task, task_set_hash, repeat)
    while record.infra and attempt <= policy.retries:
        pause(policy.backoff_s * 2 ** (attempt - 1))
        attempt += 1
        record = run_one(ctx, task, task_set_hash, repeat)
    return record.model_copy(update={"attempts": attempt})


def evaluate_prompt(
    *,
    loaded: LoadedConfig,
    target_name: str,
    prompt_text: str,
    task_set: TaskSet,
    repeats: int,
    jobs: int,
    only: set[tuple[str, int]] | None = None,
    session_id: str,
    log: RecordLog,
    on_run: Callable[[RunRecord], None] = lambda record: None,
) -> Evaluation:
    """Run every (task, repeat) of ``task_set`` (or just the pairs in ``only``) with
    ``prompt_text`` in place; record each run.

    On Ctrl-C every running command group is killed, no new run starts, and the interrupt is
    re-raised; records already appended stay, and no half-written record exists.
    """
    target = loaded.target(target_name)
    started = time.monotonic()
    order = {task.id: i for i, task in enumerate(task_set.tasks)}
    records: list[RunRecord] = []
    with IsolatedCopy(loaded.root) as copy, \
            tempfile.TemporaryDirectory(prefix="overseer-work-") as scratch:
        copy.bring_file(target.prompt.file)
        ctx = RunContext(
            session_id=session_id, target_name=target_name, target=target, copy_root=copy.root,
            prompt_file=write_prompt_in_copy(copy.root, target.prompt, prompt_text),
            prompt_hash=prompt_hash(prompt_text), scratch=Path(scratch),
            artifacts=runs_dir(loaded) / target_name / session_id,
            artifacts_base=loaded.root, environment=environment_fingerprint(target, loaded.root),
        )
        reset_cancel()
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="overseer-run") as pool:
            futures: list[Future[RunRecord]] = [
                pool.submit(run_with_retries, ctx, task, task_set.content_hash, repeat)
                for repeat in range(repeats) for task in task_set.tasks
                if only is None or (task.id, repeat) in only
            ]
            try:
                for future in as_completed(futures):
                    record = future.result()
                    log.append(record)
                    checkpoint("run:recorded")
                    records.append(record)
                    on_run(record)
            except BaseException:
                for future in futures:
                    future.cancel()
                cancel_all()
                raise
    records.sort(key=lambda r: (r.repeat, order.get(r.task_id, 0)))
    return Evaluation(records, summarize(records, time.monotonic() - started), log.path)
