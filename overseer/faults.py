"""Crash points for fault-injection tests: ``OVERSEER_FAULT=NAME`` (or ``NAME#N`` for the Nth time
the point is reached) makes the process SIGKILL itself there, exactly like a power cut or `kill -9`;
``NAME#N!io`` raises an OSError (no space left on device) there instead, like a failing disk.
Unset, a checkpoint costs one dictionary lookup."""

from __future__ import annotations

import errno
import os
import signal
import threading

ENV = "OVERSEER_FAULT"
_hits: dict[str, int] = {}
_lock = threading.Lock()


def checkpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    wanted, _, mode = wanted.partition("!")
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        count = _hits[name]
    if count == int(nth or 1):
        if mode == "io":
            raise OSError(errno.ENOSPC, f"No space left on device (injected at {name})")
        os.kill(os.getpid(), signal.SIGKILL)
