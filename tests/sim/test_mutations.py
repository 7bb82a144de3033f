from __future__ import annotations

import random

from overseer.sim.mutations import parse_reference, write_solution
from overseer.tasks import Task
from tests.sim.example import task_named


def test_mutations_look_like_the_failures_they_model(tasks: list[Task]) -> None:
    reference = parse_reference(task_named(tasks, "parse_duration").directory / "reference.py")
    rng = random.Random(0)
    clean = write_solution(reference, set(), rng)
    assert "import re" in clean and "def parse_duration" in clean
    assert "import re" not in write_solution(reference, {"missing_import"}, rng)
    assert "def parseDuration" in write_solution(reference, {"rename"}, rng)
    assert "if not text" not in write_solution(reference, {"empty_input"}, rng)
    assert "range(10" in write_solution(reference, {"slow"}, rng)
    prose = write_solution(reference, {"prose"}, rng)
    assert "```python" in prose and not prose.startswith("import")
