"""Where runs are made: the executor seam.

An executor takes runs (a RunContext, a task, a repeat), gives back a future of each one's
RunRecord (or of its failure), and can cancel everything at once. Nothing above it (the cache, the
records, the decisions) knows where the runs are made. ``LocalExecutor`` (threads on this machine,
each run in its own isolated scratch directory and process group) is the default;
``RayExecutor`` (cluster/) sends them to a Ray cluster, for ``executor: {kind: ray}``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Protocol

from overseer.config import Target
from overseer.process import cancel_all, reset_cancel
from overseer.records import RunRecord
from overseer.runner import RunContext, run_with_retries
from overseer.tasks import Task, TaskSet
from overseer.throttle import Throttle


class RunExecutor(Protocol):
    """``with executor:`` submit runs; leaving the block waits for those still running."""

    def submit(self, ctx: RunContext, task: Task, task_set_hash: str, repeat: int) -> Future[RunRecord]:
        """Start (or queue) one run, with its retries; its future holds the record."""

    def cancel_all(self) -> None:
        """Stop every running command at once; queued runs never start."""

    def __enter__(self) -> RunExecutor: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...


class LocalExecutor:
    """``jobs`` runs at a time in threads of this process, fewer while the provider fails
    (throttle.py; a session passes one throttle to all its batches)."""

    def __init__(self, jobs: int, throttle: Throttle | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="overseer-run")
        self._futures: list[Future[RunRecord]] = []
        self.throttle = throttle or Throttle(jobs)

    def submit(self, ctx: RunContext, task: Task, task_set_hash: str, repeat: int) -> Future[RunRecord]:
        future = self._pool.submit(run_with_retries, ctx, task, task_set_hash, repeat, self.throttle)
        self._futures.append(future)
        return future

    def cancel_all(self) -> None:
        for future in self._futures:
            future.cancel()
        cancel_all()

    def __enter__(self) -> LocalExecutor:
        reset_cancel()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._pool.shutdown(wait=True)


@contextlib.contextmanager
def session_executor(root: Path, target: Target, task_sets: Sequence[TaskSet], jobs: int
                     ) -> Iterator[RunExecutor | None]:
    """The executor a whole session's runs go through: None for the local one (each batch then
    makes its own threads), else one connection to the target's Ray cluster for the session."""
    if target.executor.kind == "local":
        yield None
        return
    from overseer.cluster.session import ray_session

    with ray_session(root, target, task_sets, jobs) as executor:
        yield executor
