"""Running one command in its own process group, with capped output and a timeout that kills
the whole group (TERM, a grace period, then KILL), so no child outlives its run.

Two clocks: ``wall`` (for a command that waits on a model) and ``cpu``, the CPU time of the whole
process group (for a check: a busy machine slows it down without making it use more CPU, while a
solution stuck in a loop still runs out of it). A ``cpu`` timeout has a wall-clock backstop
``WALL_BACKSTOP`` times larger; hitting it means the machine, not the run, was the problem
(``stalled``).
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
from typing import Literal

from overseer.errors import FatalError

TERM_GRACE_S = 2.0
WALL_BACKSTOP = 5.0   # a cpu-clock run is stopped as stalled after this many times its limit
POLL_S = 0.2
_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
Clock = Literal["wall", "cpu"]
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
    cpu_s: float | None = None   # the group's CPU time, when measured (the cpu clock)
    stalled: bool = False        # stopped by the wall-clock backstop of the cpu clock


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU time used so far by the processes of group ``pgid`` and the children they reaped, from
    /proc (None where there is no /proc)."""
    if not _PROC.is_dir():
        return None
    ticks = 0
    for entry in os.scandir(_PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:  # the process ended while we looked
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if int(fields[2]) == pgid:  # pgrp; then utime, stime, cutime, cstime
            ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / _TICKS


def _exited(proc: subprocess.Popen[bytes]) -> float | None:
    """The CPU seconds of ``proc`` and the children it reaped, if it has exited (it is reaped)."""
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if not pid:
        return None
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def _wait(proc: subprocess.Popen[bytes], timeout_s: float, clock: Clock) -> tuple[bool, bool, float | None]:
    """Wait for ``proc`` under ``clock``: (timed out, stalled, CPU seconds used)."""
    if clock == "wall" or group_cpu_seconds(proc.pid) is None:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return True, False, None
        return False, False, None
    started = time.monotonic()
    pause, cpu, looked = 0.005, 0.0, started
    while (done := _exited(proc)) is None:
        now = time.monotonic()
        if now - looked >= POLL_S:  # /proc is read a few times a second, not at every wakeup
            cpu, looked = group_cpu_seconds(proc.pid) or cpu, now
            if cpu > timeout_s:
                return True, False, cpu
            if now - started > timeout_s * WALL_BACKSTOP:
                return True, True, cpu
        time.sleep(pause)
        pause = min(2 * pause, POLL_S)
    return False, False, done


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
    try:
        timed_out, stalled, cpu = _wait(proc, timeout_s, clock)
        if timed_out:
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
    return ProcessResult(exit_code, timed_out, duration, cancelled=_cancelled.is_set(),
                         cpu_s=None if cpu is None else round(cpu, 3), stalled=stalled)
