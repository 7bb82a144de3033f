"""The clocks a run's timeout is measured on.

``wall`` (for a command that waits on a model) and ``cpu``, the CPU time of the whole process
group (for a check: a busy machine slows it down without making it use more CPU, while a solution
stuck in a loop still runs out of it). A ``cpu`` timeout has a backstop for a check that uses no
CPU at all (blocked on a sleep, a lock, a disk): ``WALL_BACKSTOP`` times its limit of wall clock,
not counting the time the group was ready to run but waiting for a CPU (the kernel's run-queue
delay, ``/proc/PID/task/TID/schedstat``). So a loaded machine only delays a verdict, never changes
it: a spinning check starved to a tenth of a core still runs out of CPU, it is not ``stalled``.
Hitting the backstop (``stalled``) is not counted against the prompt.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

WALL_BACKSTOP = 5.0   # a cpu-clock run idle (not running, not waiting for a CPU) this many times its limit
POLL_S = 0.2
_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
Clock = Literal["wall", "cpu"]


class GroupMeter:
    """What the processes of one group have used so far, from /proc: CPU time (theirs and that of
    the children they reaped) and the time their threads spent ready to run but waiting for a CPU.
    A thread's waiting is remembered after it ends, so the total never goes down."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self._waited_ns: dict[str, int] = {}

    def read(self) -> tuple[float, float] | None:
        """(CPU seconds, seconds waiting for a CPU), or None where there is no /proc."""
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
            if int(fields[2]) == self.pgid:  # pgrp; then utime, stime, cutime, cstime
                ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
                self._note_waiting(entry.path)
        return ticks / _TICKS, sum(self._waited_ns.values()) / 1e9

    def _note_waiting(self, process: str) -> None:
        with contextlib.suppress(OSError):
            for thread in os.scandir(Path(process, "task")):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    # schedstat: time on a CPU, time waiting on a run queue (ns), time slices
                    waited = int(Path(thread.path, "schedstat").read_bytes().split()[1])
                    key = f"{process}/{thread.name}"
                    self._waited_ns[key] = max(waited, self._waited_ns.get(key, 0))


def _exited(proc: subprocess.Popen[bytes]) -> float | None:
    """The CPU seconds of ``proc`` and the children it reaped, if it has exited (it is reaped)."""
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if not pid:
        return None
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class _Waited:
    timed_out: bool
    stalled: bool = False
    cpu_s: float | None = None
    waited_s: float | None = None


def wait(proc: subprocess.Popen[bytes], timeout_s: float, clock: Clock) -> _Waited:
    """Wait for ``proc`` under ``clock``."""
    meter = GroupMeter(proc.pid)
    if clock == "wall" or meter.read() is None:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return _Waited(True)
        return _Waited(False)
    started = time.monotonic()
    pause, cpu, waited, looked = 0.005, 0.0, 0.0, started
    exit_signal = _pidfd(proc.pid)   # readable the moment the process ends (Linux 5.3+)
    try:
        while (done := _exited(proc)) is None:
            now = time.monotonic()
            if now - looked >= POLL_S:  # /proc is read a few times a second, not at every wakeup
                cpu, waited = meter.read() or (cpu, waited)
                looked = now
                if cpu > timeout_s:
                    return _Waited(True, False, cpu, waited)
                if now - started - waited > timeout_s * WALL_BACKSTOP:
                    return _Waited(True, True, cpu, waited)
            if exit_signal is not None:
                select.select([exit_signal], [], [], max(0.0, looked + POLL_S - time.monotonic()))
            else:
                time.sleep(pause)
                pause = min(2 * pause, POLL_S)
    finally:
        if exit_signal is not None:
            os.close(exit_signal)
    return _Waited(False, False, done, waited)


def _pidfd(pid: int) -> int | None:
    """A file descriptor that becomes readable when ``pid`` exits, where the system has them."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None
