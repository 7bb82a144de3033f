"""The ``overseer`` command (``python -m overseer`` and the console script).

Loading the command line takes a moment (typer, pydantic, git); Ctrl-C during that moment must end
like Ctrl-C later: one line and exit code 130, no traceback. So SIGINT is held from the moment this
module is imported (the console script imports it first) until the modules are loaded: raised
inside an import, a library may wrap it in its own error (pydantic reports a SchemaError
"KeyboardInterrupt" when it lands while a model is built). Importing this module is for running
the command line only; ``entry`` puts the previous handler back.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

_held: list[int] = []


def _hold(signum: int, frame: FrameType | None) -> None:
    _held.append(signum)


_MAIN_THREAD = threading.current_thread() is threading.main_thread()
_previous = signal.signal(signal.SIGINT, _hold) if _MAIN_THREAD else None


def entry() -> int:
    """Run the command line; Ctrl-C while it loads is one line and exit code 130."""
    try:
        from overseer.cli import main
    except KeyboardInterrupt:
        _held.append(signal.SIGINT)
    finally:
        if _MAIN_THREAD:
            signal.signal(signal.SIGINT, signal.default_int_handler if _previous is None else _previous)
    if _held:
        sys.stderr.write("overseer: interrupted\n")
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(entry())
