"""The Ray executor, driver side: connect once per session, ship the snapshot, send runs, bring
their records and captured files back; lost runs, a watchdog, Ctrl-C.

Runs are sent at most ``slots`` at a time (the session's ``jobs``, as the local executor's threads)
so that a run sent is a run started, give or take a worker's start. A run lost with its node (its
worker died, the node went away, its result was lost) is sent again by Ray itself, up to
``max_retries``; after that it is recorded as an infrastructure failure (``infra``), never as a
verdict of the prompt. A run still unanswered past its deadline (the longest its command, check
and retries may take, plus ``MARGIN_S``) is cancelled and sent once more; stuck again, it is an
infrastructure failure too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from overseer.cluster.snapshot import Snapshot
from overseer.cluster.worker import RemoteResult, RemoteRun, run_remote
from overseer.config import ExecutorConfig, Target
from overseer.cpuclock import WALL_BACKSTOP
from overseer.errors import FatalError
from overseer.fingerprint import fingerprinted_names
from overseer.process import TERM_GRACE_S, Cancelled
from overseer.records import RunRecord, now_iso
from overseer.runner import RunContext
from overseer.tasks import Task

MARGIN_S = 300.0      # a worker's start, a busy node, an autoscaler adding one
CANCEL_WAIT_S = 10.0  # Ctrl-C: how long in-flight runs get to stop and kill their processes
CONNECT_TIMEOUT_S = 120.0
_LOST = ("WorkerCrashedError", "NodeDiedError", "ObjectLostError", "OwnerDiedError",
         "OutOfMemoryError", "ObjectFetchTimedOutError", "ObjectReconstructionFailedError",
         "ReferenceCountingAssertionError", "LocalRayletDiedError", "RaySystemError")


def import_ray() -> ModuleType:
    try:
        import ray
    except ImportError:
        raise FatalError("executor: ray needs Ray on this machine: pip install 'overseer[ray]'") from None
    return ray


def deadline_s(target: Target, task: Task) -> float:
    """The longest a run may take on its node before the watchdog gives up on it."""
    one = target.timeout_s + task.timeout_s * WALL_BACKSTOP + 2 * TERM_GRACE_S
    retries = target.infra.retries
    backoff = sum(target.infra.backoff_s * 2.0 ** attempt for attempt in range(retries))
    return one * (retries + 1) + backoff + MARGIN_S


def lost_record(job: _Job, cause: str) -> RunRecord:
    """The record of a run that never came back: an infrastructure failure, not evidence."""
    ctx = job.ctx
    return RunRecord(
        session_id=ctx.session_id, target=ctx.target_name, command=ctx.target.command,
        prompt_hash=ctx.prompt_hash, task_id=job.task.id, task_hash=job.task.content_hash,
        task_set_hash=job.task_set_hash, repeat=job.repeat, seed=ctx.target.seed,
        started_at=job.started_at, exit_code=None, timed_out=False, command_s=0.0,
        error_class="Lost", messages=[cause], infra=True, infra_cause=cause,
        environment=ctx.environment, batch=ctx.batch, settings=ctx.target.settings_for(job.task),
        complexity=job.task.complexity, attempts=job.sends)


@dataclass(eq=False)
class _Job:
    ctx: RunContext
    task: Task
    task_set_hash: str
    repeat: int
    run: RemoteRun
    future: Future[RunRecord] = field(default_factory=Future)
    started_at: str = field(default_factory=now_iso)
    sent: float = 0.0
    sends: int = 0


class RayExecutor:
    """A RunExecutor (executor.py) whose runs are Ray tasks. One per session (``ray_session``);
    ``with executor:`` per batch, as the local one."""

    def __init__(self, ray: ModuleType, snapshot: Snapshot, settings: ExecutorConfig, slots: int,
                 root: Path, key: str) -> None:
        self._ray, self._snapshot, self._settings = ray, snapshot, settings
        self._slots, self._root, self._key = slots, root, key
        options: dict[str, Any] = {"num_cpus": settings.cpus_per_run, "max_retries": settings.max_retries,
                                   "retry_exceptions": False}
        if settings.memory_gb:
            options["memory"] = int(settings.memory_gb * 2**30)
        if settings.resources:
            options["resources"] = dict(settings.resources)
        self._remote = ray.remote(run_remote).options(**options)
        self._queue: deque[_Job] = deque()
        self._flying: dict[Any, _Job] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._broken: FatalError | None = None
        self._pump = threading.Thread(target=self._work, name="overseer-ray", daemon=True)
        self._pump.start()

    def submit(self, ctx: RunContext, task: Task, task_set_hash: str, repeat: int) -> Future[RunRecord]:
        top = self._snapshot.top_of(ctx)
        run = RemoteRun(
            key=self._key, session_id=ctx.session_id, target_name=ctx.target_name, target=ctx.target,
            environment=ctx.environment, batch=ctx.batch, root=self._snapshot.root,
            prompt_path=ctx.prompt_file.relative_to(top).as_posix(),
            prompt_file=ctx.prompt_file.read_bytes(), prompt_hash=ctx.prompt_hash,
            task=dataclasses.replace(task, directory=self._snapshot.task_place(task)),
            task_set_hash=task_set_hash, repeat=repeat,
            artifacts=ctx.artifacts.relative_to(ctx.artifacts_base).as_posix(),
            env_names=tuple(self._settings.env),
            env_values=tuple((name, os.environ[name]) for name in fingerprinted_names(ctx.target)
                             if name in os.environ))
        job = _Job(ctx, task, task_set_hash, repeat, run)
        with self._lock:
            if self._broken is not None:
                job.future.set_exception(self._broken)
                return job.future
            self._queue.append(job)
            self._idle.clear()
        return job.future

    def cancel_all(self) -> None:
        """Queued runs never start; every run in flight is cancelled softly (its worker gets a
        KeyboardInterrupt, and run_process's cleanup kills the run's processes: ``force`` would
        kill the worker and leave them running) and given CANCEL_WAIT_S to stop."""
        with self._lock:
            queued, self._queue = list(self._queue), deque()
            flying = list(self._flying)
        for job in queued:
            job.future.cancel()
        for ref in flying:
            with contextlib.suppress(Exception):
                self._ray.cancel(ref)
        self._idle.wait(CANCEL_WAIT_S)

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        pass

    def close(self) -> None:
        self._stop.set()
        self._pump.join(timeout=CANCEL_WAIT_S)

    def _work(self) -> None:
        try:
            self._pump_runs()
        except Exception as exc:  # the connection to the cluster is gone: no run can finish now
            self._fail_all(FatalError(f"executor: lost the Ray cluster: {said(exc)}"))

    def _fail_all(self, error: FatalError) -> None:
        with self._lock:
            self._broken = error
            jobs = [*self._queue, *self._flying.values()]
            self._queue.clear()
            self._flying.clear()
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(error)
        self._idle.set()

    def _pump_runs(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                while self._queue and len(self._flying) < self._slots:
                    self._send(self._queue.popleft())
                flying = list(self._flying)
                if not flying and not self._queue:
                    self._idle.set()
            if not flying:
                self._stop.wait(0.05)
                continue
            ready, _ = self._ray.wait(flying, num_returns=1, timeout=0.2)
            for ref in ready:
                self._finish(ref)
            self._watch()

    def _send(self, job: _Job) -> None:
        job.sent, job.sends = time.monotonic(), job.sends + 1
        self._flying[self._remote.remote(job.run)] = job

    def _finish(self, ref: Any) -> None:
        with self._lock:
            job = self._flying.pop(ref, None)
        if job is None or job.future.done():
            return
        exceptions = self._ray.exceptions
        try:
            result: RemoteResult = self._ray.get(ref)
        except exceptions.TaskCancelledError:
            job.future.set_exception(Cancelled())
        except exceptions.RayTaskError as exc:   # the run itself raised: as on this machine
            cause = exc.cause if isinstance(exc.cause, BaseException) else exc
            job.future.set_exception(Cancelled() if isinstance(cause, KeyboardInterrupt) else cause)
        except tuple(getattr(exceptions, name) for name in _LOST if hasattr(exceptions, name)) as exc:
            name = type(exc).__name__
            job.future.set_result(lost_record(job, f"lost with its node ({name}) after "
                                                   f"{self._settings.max_retries + 1} tries"))
        except exceptions.RayError as exc:  # the cluster cannot run it at all (its runtime env...)
            job.future.set_exception(FatalError(f"executor: the Ray cluster cannot make the run "
                                                f"({type(exc).__name__}): {said(exc)}"))
        else:
            try:
                for relative, data in result.files.items():
                    path = self._root / relative
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
            except OSError as exc:  # this machine's disk, not the cluster: as a local run's would
                job.future.set_exception(exc)
            else:
                job.future.set_result(result.record)

    def _watch(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [(ref, job) for ref, job in self._flying.items()
                    if now - job.sent > deadline_s(job.ctx.target, job.task)]
            for ref, _ in late:
                del self._flying[ref]
        for ref, job in late:
            with contextlib.suppress(Exception):
                self._ray.cancel(ref)
            if job.sends > 1:
                job.future.set_result(lost_record(job, "stuck on its node past the watchdog, twice"))
            else:
                with self._lock:
                    self._queue.appendleft(job)


def said(exc: BaseException, last: bool = False) -> str:
    """The first (or last) line of an exception's message, for a one-line error."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    return (lines[-1] if last else lines[0])[:300]
