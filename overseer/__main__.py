"""The ``overseer`` command (``python -m overseer`` and the console script)."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType


def entry() -> int:
    """Run the command line. Loading it takes a moment (typer, pydantic, git); Ctrl-C during that
    moment ends like Ctrl-C later: one line and exit code 130, no traceback. The interrupt is held
    until the modules are loaded: raised inside an import, a library may wrap it in its own error
    (pydantic reports a SchemaError "KeyboardInterrupt" when it lands while a model is built)."""
    interrupted: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        interrupted.append(signum)

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, hold) if main_thread else None
    try:
        from overseer.cli import main
    except KeyboardInterrupt:
        interrupted.append(signal.SIGINT)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
    if interrupted:
        sys.stderr.write("overseer: interrupted\n")
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(entry())
