"""Checking a task set against the simulator's promise: every offered failure mode breaks its task.

``prose``, ``rename`` and ``slow`` break any task by construction (the reply does not parse, the
tested function is missing, the first call never returns); the others depend on the task's tests,
so they are run for real: the reference must pass, and each such mutation must fail. A promptfoo
case's expected answer must pass its assertions; its text modes need not all break it (the exact
pass rate judges every combination: sim/text.py).
"""

from __future__ import annotations

import ast
import random
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from overseer.process import run_process
from overseer.sim.mutations import applicable_modes, parse_reference, write_solution
from overseer.sim.text import applicable_text_modes, case_passes, is_text_task, load_reference
from overseer.tasks import Task

TESTED_MODES = ("missing_import", "empty_input", "off_by_one")


@dataclass
class TaskCalibration:
    task_id: str
    reference_passes: bool
    modes: list[str]
    unbroken: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reference_passes and not self.unbroken and not self.problems


def _tests_pass(task: Task, solution: str, timeout_s: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="overseer-calibrate-") as tmp:
        work = Path(tmp)
        (work / "solution.py").write_text(solution, encoding="utf-8")
        shutil.copytree(task.tests_dir, work / "tests")
        result = run_process(
            f"{sys.executable} -m pytest -q -p no:cacheprovider tests", cwd=work,
            # The simulator's tasks are plain pytest; other installed plugins only cost start-up.
            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
            timeout_s=timeout_s, stdout_path=work / "out", stderr_path=work / "err",
            output_cap=100_000,
        )
        return result.exit_code == 0


def _imports_entry(task: Task, entry: str) -> bool:
    for path in task.tests_dir.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "solution" \
                    and any(alias.name == entry for alias in node.names):
                return True
    return False


def calibrate_task(task: Task, timeout_s: float = 20.0) -> TaskCalibration:
    if is_text_task(task.directory):   # a promptfoo case: its expected answer must pass it
        text = load_reference(task.directory)
        return TaskCalibration(task.id, case_passes(text, ()), sorted(applicable_text_modes(text)))
    reference = parse_reference(task.directory / "reference.py")
    modes = sorted(applicable_modes(reference))
    result = TaskCalibration(task.id, _tests_pass(task, write_solution(reference, set(), random.Random(0)), timeout_s), modes)
    if not _imports_entry(task, reference.entry):
        result.problems.append(f"tests never import {reference.entry} from solution")
    for mode in TESTED_MODES:
        if mode in modes and _tests_pass(task, write_solution(reference, {mode}, random.Random(0)), timeout_s):
            result.unbroken.append(mode)
    return result


def calibrate(tasks: list[Task], jobs: int = 4) -> list[TaskCalibration]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(calibrate_task, tasks))
