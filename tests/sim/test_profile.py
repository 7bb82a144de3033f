from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.sim import mode_probabilities
from overseer.sim.profile import DEFAULT_PROFILE
from overseer.tasks import Task
from tests.sim.example import task_named


def test_profile_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tasks: list[Task]) -> None:
    custom = tmp_path / "profile.yaml"
    custom.write_text(DEFAULT_PROFILE.read_text().replace("base: 0.12", "base: 0.8", 1))
    monkeypatch.setenv("OVERSEER_SIM_PROFILE", str(custom))
    assert mode_probabilities("Write it.", task_named(tasks, "slugify"))["prose"] == pytest.approx(0.6)
    custom.write_text(DEFAULT_PROFILE.read_text().replace("base: 0.12", "base: 1.5", 1))
    with pytest.raises(FatalError, match=rf"{custom}: modes.prose.base"):
        mode_probabilities("Write it.", task_named(tasks, "slugify"))
