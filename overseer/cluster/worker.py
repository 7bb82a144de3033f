"""What a cluster node does for a run: its own copy of the snapshot with the prompt in place, then
``run_one`` exactly as on this machine; the record and the captured files go back to the driver.

Everything here runs in a Ray worker whose working directory is the session's snapshot (Ray
extracted it there). Node-local files live under ``<tmp>/overseer-node-<key>/`` and are removed by
``clean`` at the end of the session.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import platform
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from overseer import __version__
from overseer.config import Target
from overseer.records import RunRecord
from overseer.runner import RunContext, run_with_retries
from overseer.tasks import Task

NODE_PREFIX = "overseer-node-"
_READY = ".overseer-ready"


@dataclass(frozen=True)
class RemoteRun:
    """One run as shipped to a node: paths are relative (to the snapshot, or to the copy's top)."""

    key: str                 # the executor's: names this session's node-local directory
    session_id: str
    target_name: str
    target: Target
    environment: str
    batch: str
    root: str                # overseer.yaml's directory, relative to the repository's top
    prompt_path: str         # the prompt's file, relative to the repository's top
    prompt_file: bytes       # its whole content with the candidate prompt in place
    prompt_hash: str
    task: Task               # its directory relative to the snapshot
    task_set_hash: str
    repeat: int
    artifacts: str           # where captured files go, relative to the project root
    env_names: tuple[str, ...]
    env_values: tuple[tuple[str, str], ...]   # the driver's values of the fingerprinted variables


@dataclass(frozen=True)
class RemoteResult:
    record: RunRecord
    files: dict[str, bytes]  # captured files, by path relative to the project root


def node_directory(key: str) -> Path:
    return Path(tempfile.gettempdir()) / f"{NODE_PREFIX}{key}"


def _node_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_node_id())


def _prompt_copy(snapshot: Path, run: RemoteRun) -> Path:
    """The top of this node's copy of the repository with ``run``'s prompt file in place, made by
    the first run of that prompt on this node while the others wait on its lock."""
    name = hashlib.sha256(run.prompt_path.encode() + b"\0" + run.prompt_file).hexdigest()[:20]
    copies = node_directory(run.key) / "copies"
    copies.mkdir(parents=True, exist_ok=True)
    top = copies / name
    with FileLock(str(copies / f"{name}.lock")):
        if not (top / _READY).is_file():
            shutil.rmtree(top, ignore_errors=True)
            shutil.copytree(snapshot / "tree", top, symlinks=True)
            (top / run.prompt_path).parent.mkdir(parents=True, exist_ok=True)
            (top / run.prompt_path).write_bytes(run.prompt_file)
            (top / _READY).touch()
    return top


def run_remote(run: RemoteRun) -> RemoteResult:
    """Make one run on this node (with the target's retries after infrastructure failures)."""
    snapshot = Path.cwd()
    top = _prompt_copy(snapshot, run)
    own = node_directory(run.key) / "runs" / uuid.uuid4().hex
    ctx = RunContext(
        session_id=run.session_id, target_name=run.target_name, target=run.target,
        copy_root=top / run.root, prompt_file=top / run.prompt_path, prompt_hash=run.prompt_hash,
        scratch=own / "scratch", artifacts=own / "kept" / run.artifacts, artifacts_base=own / "kept",
        environment=run.environment, batch=run.batch, env_names=run.env_names,
        env_values=run.env_values)
    task = dataclasses.replace(run.task, directory=snapshot / run.task.directory)
    try:
        record = run_with_retries(ctx, task, run.task_set_hash, run.repeat)
        files = {path.relative_to(own / "kept").as_posix(): path.read_bytes()
                 for path in sorted((own / "kept").rglob("*")) if path.is_file()}
    finally:
        shutil.rmtree(own, ignore_errors=True)
    return RemoteResult(record.model_copy(update={"node": _node_id()}), files)


def probe() -> tuple[str, str, str]:
    """(overseer's version, Python's version, node id) on this node."""
    return __version__, platform.python_version(), _node_id()


STALE_S = 2 * 86400   # a node directory untouched this long was left by a driver that died


def clean(key: str) -> None:
    """Remove this session's node-local copies and scratch directories, and those of sessions
    whose driver died without cleaning (untouched for STALE_S)."""
    shutil.rmtree(node_directory(key), ignore_errors=True)
    for directory in node_directory(key).parent.glob(f"{NODE_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - directory.stat().st_mtime > STALE_S:
                shutil.rmtree(directory, ignore_errors=True)
