"""The example task set and prompt the simulator's tests use."""

from __future__ import annotations

from overseer.config import PromptLocation
from overseer.prompts import read_prompt
from overseer.tasks import Task
from tests.helpers import REPO_ROOT

EXAMPLE_SET = REPO_ROOT / "tasks" / "pyfuncs"
START_PROMPT = read_prompt(REPO_ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))


def task_named(tasks: list[Task], task_id: str) -> Task:
    return next(t for t in tasks if t.id == task_id)
