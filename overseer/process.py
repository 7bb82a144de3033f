"""Running one command in its own process group, with capped output and a timeout that kills
the whole group (TERM, a grace period, then KILL), so no child outlives its run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from overseer.errors import FatalError

TERM_GRACE_S = 2.0
_live_groups: set[int] = set()
_live_lock = threading.Lock()
_cancelled = threading.Event()


class Cancelled(Exception):
    """The session is stopping (Ctrl-C); no new process may start."""


@dataclass(frozen=True)
class ProcessResult:
    exit_code: int | None
    timed_out: bool
    duration_s: float
    cancelled: bool = False


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def cancel_all() -> None:
    """Stop every running command group at once and refuse to start new ones."""
    _cancelled.set()
    with _live_lock:
        groups = list(_live_groups)
    for pgid in groups:
        _signal_group(pgid, signal.SIGKILL)


def reset_cancel() -> None:
    _cancelled.clear()


def _drain(fd: int, path: Path, cap: int) -> None:
    dropped = 0
    with path.open("wb") as out:
        written = 0
        while chunk := os.read(fd, 65536):
            room = cap - written
            if room > 0:
                out.write(chunk[:room])
                written += min(room, len(chunk))
            dropped += max(0, len(chunk) - max(room, 0))
        if dropped:
            out.write(f"\n[overseer: output capped at {cap} bytes; {dropped} more dropped]\n".encode())
    os.close(fd)


def run_process(
    command: str,
    *,
    cwd: Path,
    env: dict[str, str],
    timeout_s: float,
    stdout_path: Path,
    stderr_path: Path,
    output_cap: int,
    grace_s: float = TERM_GRACE_S,
) -> ProcessResult:
    """Run ``command`` through ``/bin/sh -c`` in a new session; capture output to capped files."""
    if _cancelled.is_set():
        raise Cancelled()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=out_w, stderr=err_w, start_new_session=True,
        )
    except OSError as exc:
        for fd in (out_r, out_w, err_r, err_w):
            os.close(fd)
        raise FatalError(f"cannot start {command!r} in {cwd}: {exc.strerror}") from None
    os.close(out_w)
    os.close(err_w)
    with _live_lock:
        _live_groups.add(proc.pid)
    drains = [
        threading.Thread(target=_drain, args=(out_r, stdout_path, output_cap), daemon=True),
        threading.Thread(target=_drain, args=(err_r, stderr_path, output_cap), daemon=True),
    ]
    for thread in drains:
        thread.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
    finally:
        # Whatever happened, nothing of this run's group may outlive it: grandchildren included.
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
        with _live_lock:
            _live_groups.discard(proc.pid)
    for thread in drains:
        thread.join(timeout=5.0)
    duration = time.monotonic() - start
    exit_code = None if timed_out else proc.returncode
    return ProcessResult(exit_code, timed_out, duration, cancelled=_cancelled.is_set())
