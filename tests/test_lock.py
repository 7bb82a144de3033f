from __future__ import annotations

import os
from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.lock import target_lock


def test_a_second_holder_is_told_who_holds_the_target(tmp_path: Path) -> None:
    with target_lock(tmp_path, "codewriter"):
        assert (tmp_path / ".lock.pid").read_text() == str(os.getpid())
        held = rf"target codewriter is being optimized by another overseer \(pid {os.getpid()}\)"
        with pytest.raises(FatalError, match=held), target_lock(tmp_path, "codewriter"):
            pass
    assert not (tmp_path / ".lock.pid").exists()
    with target_lock(tmp_path, "codewriter"):   # free again
        pass
