"""Evidence measures the prompt, not the machine: the same seeded session gives the same decisions
on an idle machine and on one whose every core is saturated (DESIGN.md invariant 7)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from overseer.commands.demo import build_demo_repo
from tests.helpers import git, overseer

TASKS = 8  # 6 train, 2 holdout: two rounds of 6 tasks can prove an edit (p down to 0.0041)
HOG = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


@contextmanager
def cpu_hog(seconds: float = 600) -> Iterator[None]:
    """Four busy processes per core (bounded in time), stopped when the block ends."""
    hogs = [subprocess.Popen([sys.executable, "-c", HOG.format(seconds=seconds)])
            for _ in range(4 * (os.cpu_count() or 1))]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def small_demo(root: Path) -> Path:
    build_demo_repo(root)
    tasks = sorted(p for p in (root / "tasks" / "pyfuncs").iterdir() if p.is_dir())
    for extra in tasks[TASKS:]:
        shutil.rmtree(extra)
    for task in tasks[:TASKS]:  # a tight limit: about 4x the CPU a check needs when idle
        task_yaml = task / "task.yaml"
        task_yaml.write_text(task_yaml.read_text().replace("timeout_s: 3", "timeout_s: 2"))
    config = root / "overseer.yaml"
    config.write_text(config.read_text().replace("repeats: 2 ", "repeats: 1 "))
    git(root, "commit", "-qam", "a small task set")
    return root


def optimize(root: Path) -> tuple[list[tuple[str, str | None, str]], list[str], str]:
    result = overseer("optimize", "codewriter", "--iterations", "1", "--max-repeats", "2",
                      "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    decisions = [(it["outcome"], it["kind"], it["reason"]) for it in summary["iterations"]]
    subjects = git(root, "log", "--format=%s").splitlines()
    return decisions, subjects, (root / "examples" / "codewriter" / "codewriter.py").read_text()


def test_same_decisions_on_an_idle_and_a_saturated_machine(tmp_path: Path) -> None:
    idle = optimize(small_demo(tmp_path / "idle"))
    with cpu_hog():
        busy = optimize(small_demo(tmp_path / "busy"))
    assert busy == idle
    assert idle[0] and all(outcome != "inconclusive" for outcome, _, _ in idle[0])  # verdicts reached
