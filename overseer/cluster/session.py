"""A Ray session: connect to the target's cluster with this session's snapshot, check its nodes,
hand out the RayExecutor (driver.py), and clean up and disconnect however the session ends."""

from __future__ import annotations

import contextlib
import logging
import platform
import socket
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from overseer import __version__
from overseer.cluster.driver import CANCEL_WAIT_S, CONNECT_TIMEOUT_S, RayExecutor, import_ray, said
from overseer.cluster.snapshot import Snapshot, make_snapshot
from overseer.cluster.worker import clean, probe
from overseer.config import ExecutorConfig, Target
from overseer.errors import FatalError
from overseer.tasks import TaskSet

PROBE_TIMEOUT_S = 10.0


def probe_address(address: str) -> None:
    """Refuse at once an address where nothing listens: Ray itself retries such a connection for
    minutes, printing a warning every few seconds. ``auto`` and "" are Ray's to resolve."""
    if address in ("", "auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise FatalError(f"executor: address {address!r} is not HOST:PORT, ray://HOST:PORT, auto or empty")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_TIMEOUT_S).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FatalError(f"executor: nothing answers at {address} ({reason}): is the Ray cluster's "
                         "head running, and is this its address?") from None


def _connect(ray: ModuleType, settings: ExecutorConfig, snapshot: Snapshot) -> None:
    address = settings.address or "local"
    where = "a Ray started here" if address == "local" else address
    runtime_env = {"working_dir": str(snapshot.directory), "excludes": snapshot.excludes(settings.excludes)}
    extra: dict[str, Any] = {"include_dashboard": False} if address == "local" else {}
    try:
        ray.init(address=address, runtime_env=runtime_env, logging_level=logging.WARNING,
                 log_to_driver=False, **extra)
    except Exception as exc:  # Ray's own errors at connect (address, auth, upload size): one line
        raise FatalError(f"executor: cannot use Ray at {where}: {said(exc)}") from None


def _on_every_node(ray: ModuleType, function: Any, *args: Any) -> list[Any]:
    """``function(*args)`` sent to every alive node once, taking no CPU (refs to the results)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    remote = ray.remote(function)
    return [remote.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(
        node["NodeID"], soft=False)).remote(*args) for node in ray.nodes() if node.get("Alive")]


def _check_nodes(ray: ModuleType, settings: ExecutorConfig) -> None:
    """Check that every node runs this overseer on this Python and that the cluster has what one
    run asks for."""
    resources = ray.cluster_resources()
    wanted = {"CPU": settings.cpus_per_run, **settings.resources}
    for name, amount in wanted.items():
        if resources.get(name, 0) < amount:
            raise FatalError(f"executor: a run asks for {amount:g} {name} and the Ray cluster has "
                             f"{resources.get(name, 0):g}: lower executor.cpus_per_run or resources")
    try:
        found = ray.get(_on_every_node(ray, probe), timeout=CONNECT_TIMEOUT_S)
    except Exception as exc:  # a worker without overseer, or one that never started
        raise FatalError(f"executor: the Ray workers cannot run overseer ({said(exc, last=True)}): install "
                         f"overseer {__version__} on Python {platform.python_version()} on every node") from None
    if problem := version_mismatch(found, (__version__, platform.python_version())):
        raise FatalError(f"executor: {problem}")


def version_mismatch(found: Sequence[tuple[str, str, str]], here: tuple[str, str]) -> str | None:
    """What differs between the nodes' (overseer, Python, node id) and this machine's (overseer,
    Python), or None. Python's patch level may differ: what is pickled is the same."""
    for version, python, node in found:
        if (version, python.rsplit(".", 1)[0]) != (here[0], here[1].rsplit(".", 1)[0]):
            return (f"Ray node {node[:12]} runs overseer {version} on Python {python}, this machine "
                    f"overseer {here[0]} on Python {here[1]}: install the same on both")
    return None


def _clean_nodes(ray: ModuleType, key: str) -> None:
    with contextlib.suppress(Exception):  # a node that is gone has nothing left to clean
        refs = _on_every_node(ray, clean, key)
        ray.wait(refs, num_returns=len(refs), timeout=CANCEL_WAIT_S)


@contextlib.contextmanager
def ray_session(root: Path, target: Target, task_sets: Sequence[TaskSet], jobs: int) -> Iterator[RayExecutor]:
    """Connect to the target's Ray cluster with this session's snapshot; clean the nodes and
    disconnect at the end, however it ends."""
    ray = import_ray()
    settings = target.executor
    probe_address(settings.address)
    with tempfile.TemporaryDirectory(prefix="overseer-ship-") as staging:
        snapshot = make_snapshot(root, task_sets, Path(staging))
        _connect(ray, settings, snapshot)
        key = uuid.uuid4().hex[:16]
        executor: RayExecutor | None = None
        try:
            _check_nodes(ray, settings)
            executor = RayExecutor(ray, snapshot, settings, jobs, root, key)
            yield executor
        finally:
            if executor is not None:
                executor.close()
            _clean_nodes(ray, key)
            ray.shutdown()
