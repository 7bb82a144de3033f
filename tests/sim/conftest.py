from __future__ import annotations

import pytest

from overseer.tasks import Task, load_task_set
from tests.sim.example import EXAMPLE_SET


@pytest.fixture(scope="module")
def tasks() -> list[Task]:
    return list(load_task_set(EXAMPLE_SET).tasks)
