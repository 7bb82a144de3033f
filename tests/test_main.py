"""``overseer/__main__.py``: the console script's entry point."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


def test_ctrl_c_while_the_command_line_loads_is_one_line(tmp_path: Path) -> None:
    """It printed a KeyboardInterrupt traceback when it came in the first ~0.7 s (the imports).
    The stand-in for the console script says when it has imported overseer.__main__, as the
    console script's first line does; a Ctrl-C before that is Python's own start-up."""
    as_from_a_terminal = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                          "from overseer.__main__ import entry; print('ready', flush=True); sys.exit(entry())")
    for delay in (0.0, 0.05, 0.1, 0.2, 0.3):
        proc = subprocess.Popen([sys.executable, "-c", as_from_a_terminal, "stats"], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        assert "Traceback" not in stderr, (delay, stderr)
        if proc.returncode == 130:
            assert stderr.startswith("overseer: ") and stderr.count("\n") == 1, stderr
