"""One overseer per target at a time (DESIGN.md invariant 4): a lock file with the holder's pid."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from overseer.errors import FatalError


@contextmanager
def target_lock(directory: Path, target: str) -> Iterator[None]:
    """Hold ``directory/.lock`` for the block; a second holder gets one line naming the first."""
    directory.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(directory / ".lock")
    pid_file = directory / ".lock.pid"
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        holder = pid_file.read_text().strip() if pid_file.exists() else "unknown"
        raise FatalError(
            f"target {target} is being optimized by another overseer (pid {holder}); "
            f"lock file {directory / '.lock'}") from None
    try:
        pid_file.write_text(str(os.getpid()))
        yield
    finally:
        pid_file.unlink(missing_ok=True)
        lock.release()
