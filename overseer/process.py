"""Running one command in its own process group, with capped output and a timeout that kills
the whole group (TERM, a grace period, then KILL), so no child outlives its run.

Containment: every process a run starts carries ``OVERSEER_RUN_ID`` (this overseer's id and the run's
number) in its environment, inherited through ``setsid``, double forks and new process groups. When
a run ends, its group is killed and then every process still marked with its id, in rounds until
none is left; ``cancel_all`` does the same for every run. A watchdog process started once per
overseer process waits on a pipe; when overseer dies (even by SIGKILL) the pipe closes and the
watchdog kills every process marked with this overseer's id. What escapes: a process that removes
the variable from its environment (``env -u``, ``env -i``) *and* leaves the run's process group, or
one started through a service manager (``systemd-run``, ``docker run``) that is not a descendant.

Two clocks, ``wall`` and ``cpu``: see cpuclock.py.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from overseer.cpuclock import Clock, wait
from overseer.errors import FatalError

TERM_GRACE_S = 2.0
_PROC = Path("/proc")
_live_groups: set[int] = set()
_live_lock = threading.Lock()
_cancelled = threading.Event()
RUN_VAR = "OVERSEER_RUN_ID"
_OWNER = uuid.uuid4().hex[:16]   # this overseer process; a run's id is "<owner>:<n>"
_run_numbers = itertools.count()
_watchdog: subprocess.Popen[bytes] | None = None
_KILL_ROUNDS = 50   # a command forking as fast as it is killed is stopped after this many sweeps

# Run by the watchdog: wait until overseer's end of the pipe closes, then kill what it left.
_WATCHDOG = """
import os, signal, sys, time
sys.stdin.buffer.read()
marker = ("\\0" + sys.argv[1] + "=" + sys.argv[2] + ":").encode()
for _ in range(50):
    found = 0
    for name in os.listdir("/proc"):
        try:
            with open("/proc/" + name + "/environ", "rb") as f:
                env = b"\\0" + f.read()
        except (OSError, ValueError):
            continue
        if marker in env:
            found += 1
            try:
                os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
    if not found:
        break
    time.sleep(0.05)
"""


class Cancelled(Exception):
    """The session is stopping (Ctrl-C); no new process may start."""


@dataclass(frozen=True)
class ProcessResult:
    exit_code: int | None
    timed_out: bool
    duration_s: float
    cancelled: bool = False
    cpu_s: float | None = None   # the group's CPU time, when measured (the cpu clock)
    stalled: bool = False        # stopped by the backstop of the cpu clock
    waited_s: float | None = None  # time the group was ready to run but had no CPU (the cpu clock)


def marked_pids(prefix: str) -> list[int]:
    """The processes whose environment has ``OVERSEER_RUN_ID`` starting with ``prefix`` (a run's
    whole id, or an owner's id followed by ':'). Only where there is a /proc."""
    if not _PROC.is_dir():
        return []
    marker = f"\0{RUN_VAR}={prefix}".encode()
    exact = not prefix.endswith(":")
    found = []
    for entry in os.scandir(_PROC):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "environ"), "rb") as handle:
                env = b"\0" + handle.read()
        except OSError:  # ended while we looked, or not ours to read
            continue
        at = env.find(marker)
        if at >= 0 and (not exact or env[at + len(marker):at + len(marker) + 1] in (b"\0", b"")):
            found.append(int(entry.name))
    return found


def _kill_marked(prefix: str) -> None:
    """Kill every process marked with ``prefix``, sweeping again until none is found."""
    for _ in range(_KILL_ROUNDS):
        pids = marked_pids(prefix)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _start_watchdog() -> None:
    """Start, once per overseer process, the watchdog that cleans up if overseer is killed."""
    global _watchdog
    if _watchdog is not None or not _PROC.is_dir():
        return
    _watchdog = subprocess.Popen(
        [sys.executable, "-I", "-c", _WATCHDOG, RUN_VAR, _OWNER], stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    atexit.register(_stop_watchdog)


def _stop_watchdog() -> None:
    if _watchdog is not None and _watchdog.stdin is not None:
        _watchdog.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            _watchdog.wait(timeout=5)


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
    _kill_marked(f"{_OWNER}:")


def pause(seconds: float) -> None:
    """Sleep, unless the session is stopping (then return at once; the next run refuses to start)."""
    _cancelled.wait(seconds)


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


def _start(command: str, cwd: Path, env: dict[str, str], stdout_path: Path, stderr_path: Path,
           output_cap: int) -> tuple[subprocess.Popen[bytes], list[threading.Thread]]:
    """The command started in a new session, its group registered as live, and the threads that
    drain its output into capped files."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
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
    return proc, drains


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
    clock: Clock = "wall",
) -> ProcessResult:
    """Run ``command`` through ``/bin/sh -c`` in a new session; capture output to capped files;
    ``timeout_s`` is measured on ``clock`` (see the module docstring)."""
    if _cancelled.is_set():
        raise Cancelled()
    with _live_lock:
        _start_watchdog()
    run_id = f"{_OWNER}:{next(_run_numbers)}"
    start = time.monotonic()
    proc, drains = _start(command, cwd, {**env, RUN_VAR: run_id}, stdout_path, stderr_path, output_cap)
    try:
        waited = wait(proc, timeout_s, clock)
        if waited.timed_out:
            _signal_group(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=grace_s)
    finally:
        # Whatever happened, nothing of this run may outlive it: its group, and every descendant
        # that left the group (setsid, a double fork) but still carries the run's id.
        _signal_group(proc.pid, signal.SIGKILL)
        _kill_marked(run_id)
        proc.wait()
        with _live_lock:
            _live_groups.discard(proc.pid)
    for thread in drains:
        thread.join(timeout=5.0)
    duration = time.monotonic() - start
    exit_code = None if waited.timed_out else proc.returncode
    return ProcessResult(exit_code, waited.timed_out, duration, cancelled=_cancelled.is_set(),
                         cpu_s=None if waited.cpu_s is None else round(waited.cpu_s, 3),
                         stalled=waited.stalled,
                         waited_s=None if waited.waited_s is None else round(waited.waited_s, 3))
