"""The one error path: every failure of a command ends in ``main`` as one line and its exit code."""

from __future__ import annotations

import errno
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


def test_help_shows_no_type_for_a_flag(tmp_path: Path) -> None:
    result = overseer("--help", cwd=tmp_path)
    version = next(line for line in result.stdout.splitlines() if "--version" in line)
    assert "<bool>" not in version
    assert "<bool>" not in overseer("optimize", "--help", cwd=tmp_path).stdout.split("--resume")[1].splitlines()[0]
