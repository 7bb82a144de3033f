"""IsolatedCopy: the copy candidates are evaluated in, and what a killed overseer leaves behind."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from overseer import sandbox
from overseer.sandbox import IsolatedCopy
from tests.helpers import git


def _repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q")
    (root / "prompt.md").write_text("v1\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def test_the_copies_of_a_killed_overseer_are_removed_by_the_next_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SIGKILL left a registered worktree and a checkout in the temp dir (7 after 18 kills)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(sandbox.tempfile, "tempdir", None)   # re-read TMPDIR
    monkeypatch.setattr(sandbox, "_swept", False)
    root = _repo(tmp_path / "project")
    holder = ("import sys, os, signal\n"
              "from pathlib import Path\n"
              "from overseer.sandbox import IsolatedCopy\n"
              "copy = IsolatedCopy(Path(sys.argv[1])).__enter__()\n"
              "print(copy.root, flush=True)\n"
              "signal.pause()\n")
    killed = subprocess.Popen([sys.executable, "-c", holder, str(root)], stdout=subprocess.PIPE, text=True)
    left = Path(killed.stdout.readline().strip()) if killed.stdout else None
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert left is not None and left.is_dir() and str(left) in git(root, "worktree", "list")
    with IsolatedCopy(root) as copy:   # a later overseer: sweeps, then makes its own copy
        assert not left.exists()
        assert str(left) not in git(root, "worktree", "list")
        mine = copy.root
        assert mine.is_dir()
    assert not mine.exists()
    assert git(root, "worktree", "list").count("\n") == 1
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_live_overseers_copy_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(sandbox.tempfile, "tempdir", None)
    root = _repo(tmp_path / "project")
    with IsolatedCopy(root) as first:
        monkeypatch.setattr(sandbox, "_swept", False)
        with IsolatedCopy(root) as second:
            assert first.root.is_dir() and second.root.is_dir()
