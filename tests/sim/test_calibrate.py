from __future__ import annotations

from overseer.sim.calibrate import calibrate
from overseer.tasks import Task


def test_example_set_suits_the_simulator(tasks: list[Task]) -> None:
    bad = [c for c in calibrate(tasks) if not c.ok]
    assert bad == []
    assert len(tasks) >= 40
