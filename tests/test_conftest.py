"""The test suite's own guard: a test cannot write to the home directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def test_writing_to_home_fails() -> None:
    with pytest.raises(NotADirectoryError):
        (Path.home() / ".overseer-test").write_text("x")
    with pytest.raises(NotADirectoryError):
        os.makedirs(Path(os.path.expanduser("~/.cache/overseer")))
