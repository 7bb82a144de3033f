"""The one error path: every failure of a command ends in ``main`` as one line and its exit code."""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from overseer import __version__
from overseer.errors import FatalError
from tests.helpers import overseer


@pytest.mark.parametrize("raised, code, message", [
    (FatalError("overseer.yaml: targets.toy.jbos: unknown field"), 2,
     "overseer: error: overseer.yaml: targets.toy.jbos: unknown field"),
    (OSError(errno.ENOSPC, "No space left on device", "runs/toy/a.jsonl"), 1,
     "overseer: error: runs/toy/a.jsonl: No space left on device"),
    (KeyboardInterrupt(), 130, "overseer: error: interrupted: running commands were stopped"),
])
def test_a_failure_is_one_line_and_its_exit_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  raised: BaseException, code: int, message: str) -> None:
    def fail(**options: object) -> int:
        raise raised

    monkeypatch.setattr("overseer.commands.run.main", fail)
    result = overseer("run", "toy", cwd=tmp_path)
    assert result.returncode == code
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""


def test_a_command_returns_its_exit_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("overseer.commands.run.main", lambda **options: 100)
    assert overseer("run", "toy", cwd=tmp_path).returncode == 100


def test_usage_errors_and_version(tmp_path: Path) -> None:
    assert overseer("run", "toy", "--repeats", "0", cwd=tmp_path).returncode == 2
    assert overseer("frobnicate", cwd=tmp_path).returncode == 2
    version = overseer("--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"overseer {__version__}\n")


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
