"""Evaluate prompt texts on task sets: isolated copies, scheduling with -j, recording.

A batch holds one or more arms (a prompt text and the (task, repeat) pairs it needs); their runs
are started in one seeded random order, interleaved, so that whatever the machine or the provider
does while the batch runs (load, rate limits, a slow hour) hits every arm alike. Every run of a
batch is stamped with its batch id; comparisons of time use only runs of the same batch.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path

from overseer.cache import Pair, grid
from overseer.config import LoadedConfig, Target
from overseer.executor import LocalExecutor, RunExecutor
from overseer.faults import checkpoint
from overseer.fingerprint import environment_fingerprint
from overseer.metrics import Summary, summarize
from overseer.prompts import prompt_hash, write_prompt_in_copy
from overseer.records import RecordLog, RunRecord
from overseer.runner import RunContext
from overseer.sandbox import IsolatedCopy, claim
from overseer.tasks import Task, TaskSet
from overseer.throttle import Throttle


@dataclass(frozen=True)
class Arm:
    """One prompt's share of a batch: its text, the tasks it runs on, and the (task id, repeat)
    pairs to run; ``target`` when the arm runs under other settings than the configured target's
    (an experiment's changed setting), else None."""

    text: str
    task_set: TaskSet
    pairs: frozenset[Pair]
    target: Target | None = None

    @classmethod
    def of(cls, text: str, task_set: TaskSet, pairs: Iterable[Pair], target: Target | None = None) -> Arm:
        """The arm for these pairs, on the subset of ``task_set`` they name."""
        pairs = frozenset(pairs)
        ids = {task_id for task_id, _ in pairs}
        return cls(text, task_set.subset(task_set.name, [t for t in task_set.tasks if t.id in ids]), pairs,
                   target)

    def jobs(self) -> list[tuple[Task, int]]:
        top = max((r for _, r in self.pairs), default=-1) + 1
        return [(task, repeat) for repeat in range(top) for task in self.task_set.tasks
                if (task.id, repeat) in self.pairs]


def run_order(arms: Sequence[Arm], seed: int) -> list[tuple[int, Task, int]]:
    """Every (arm, task, repeat) of a batch in the seeded random order its runs start in."""
    jobs = [(index, task, repeat) for index, arm in enumerate(arms) for task, repeat in arm.jobs()]
    random.Random(seed).shuffle(jobs)
    return jobs


@dataclass
class Evaluation:
    records: list[RunRecord]
    summary: Summary
    log_path: Path


def runs_dir(loaded: LoadedConfig) -> Path:
    return loaded.root / "runs"


def session_log_path(loaded: LoadedConfig, target_name: str, session_id: str) -> Path:
    return runs_dir(loaded) / target_name / f"{session_id}.jsonl"


def _completed(futures: Iterable[Future[RunRecord]]) -> Iterator[Future[RunRecord]]:
    """The futures as they complete. The wait wakes a few times a second, so that Ctrl-C is
    handled at once even when the signal was delivered to a worker thread (the main thread's
    wait is then not interrupted by it)."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        yield from done


def evaluate_batch(
    *,
    loaded: LoadedConfig,
    target_name: str,
    arms: Sequence[Arm],
    jobs: int,
    session_id: str,
    log: RecordLog,
    batch: str = "",
    order_seed: int = 0,
    on_run: Callable[[RunRecord], None] = lambda record: None,
    executor: RunExecutor | None = None,
    throttle: Throttle | None = None,
) -> list[list[RunRecord]]:
    """Run every arm's pairs, interleaved in the seeded order of ``run_order``, each arm in its own
    isolated copy with its prompt in place; record each run. Returns each arm's records in
    (repeat, task) order. The runs are made by ``executor`` (executor.py; threads on this machine,
    ``jobs`` at a time, by default; ``throttle`` carries what the provider's failures taught from
    one batch to the next: throttle.py).

    On Ctrl-C every running command group is killed, no new run starts, and the interrupt is
    re-raised; records already appended stay, and no half-written record exists.
    """
    configured = loaded.target(target_name)
    results: list[list[RunRecord]] = [[] for _ in arms]
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="overseer-work-")))
        claim(scratch)
        contexts = []
        for index, arm in enumerate(arms):
            target = arm.target or configured
            copy = stack.enter_context(IsolatedCopy(loaded.root))
            copy.bring_file(target.prompt.file)
            contexts.append(RunContext(
                session_id=session_id, target_name=target_name, target=target, copy_root=copy.root,
                prompt_file=write_prompt_in_copy(copy.root, target.prompt, arm.text),
                prompt_hash=prompt_hash(arm.text), scratch=scratch / f"arm{index}",
                artifacts=runs_dir(loaded) / target_name / session_id,
                artifacts_base=loaded.root, environment=environment_fingerprint(target, loaded.root),
                batch=batch,
            ))
        with executor or LocalExecutor(jobs, throttle) as runner:
            futures: dict[Future[RunRecord], int] = {}
            try:
                for index, task, repeat in run_order(arms, order_seed):
                    futures[runner.submit(contexts[index], task, arms[index].task_set.content_hash,
                                          repeat)] = index
                for future in _completed(futures):
                    record = future.result()
                    log.append(record)
                    checkpoint("run:recorded")
                    results[futures[future]].append(record)
                    on_run(record)
            except BaseException:
                runner.cancel_all()
                raise
    for arm, records in zip(arms, results, strict=True):
        order = {task.id: i for i, task in enumerate(arm.task_set.tasks)}
        records.sort(key=lambda r: (r.repeat, order.get(r.task_id, 0)))
    return results


def evaluate_prompt(
    *,
    loaded: LoadedConfig,
    target_name: str,
    prompt_text: str,
    task_set: TaskSet,
    repeats: int,
    jobs: int,
    session_id: str,
    log: RecordLog,
    on_run: Callable[[RunRecord], None] = lambda record: None,
    executor: RunExecutor | None = None,
) -> Evaluation:
    """Run every (task, repeat) of ``task_set`` with ``prompt_text`` in place (a batch of one arm)."""
    started = time.monotonic()
    [records] = evaluate_batch(loaded=loaded, target_name=target_name,
                               arms=[Arm.of(prompt_text, task_set, grid(task_set.tasks, repeats))], jobs=jobs,
                               session_id=session_id, log=log, on_run=on_run, executor=executor)
    return Evaluation(records, summarize(records, time.monotonic() - started), log.path)
