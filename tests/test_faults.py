from __future__ import annotations

import errno

import pytest

from overseer import faults
from overseer.faults import ENV, checkpoint


def test_an_unset_checkpoint_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    checkpoint("anything")


def test_an_io_fault_fires_at_the_nth_time_the_point_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "write:test#2!io")
    monkeypatch.setattr(faults, "_hits", {})
    checkpoint("other")          # another point: not counted
    checkpoint("write:test")     # the first time: nothing
    with pytest.raises(OSError) as caught:
        checkpoint("write:test")
    assert caught.value.errno == errno.ENOSPC and "write:test" in str(caught.value)
    checkpoint("write:test")     # only the second time
