"""overseer's own cost per run, the speedup of -j for an I/O-bound command, and peak memory.

    python benchmarks/overhead.py

Per-run overhead is a slope: `overseer run` with a trivial command and check (`true`) on 10 and on
110 tasks, minus the slope of a bare Python loop running the same two subprocesses per task; fixed
costs (interpreter start, git worktree) cancel out. Speedup: a command that sleeps 0.5 s (like a
model call) on 32 tasks with -j 1, 2, 4, 8. Peak memory: the largest resident set of a child.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """\
schema_version: 1
targets:
  bench:
    command: "{command}"
    prompt: prompt.md
    tasks: tasks/{name}
    holdout: 0.0
    jobs: 1
    timeout_s: 60
"""


def make_project(root: Path, name: str, tasks: int, command: str) -> None:
    for i in range(tasks):
        task = root / "tasks" / name / f"t{i:03d}"
        task.mkdir(parents=True)
        (task / "task.yaml").write_text(f"id: t{i:03d}\ntitle: t\nspec: s\ncheck: 'true'\n")
    (root / f"{name}.yaml").write_text(CONFIG.format(command=command, name=name))


def overseer_run(root: Path, name: str, jobs: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "overseer", "run", "bench", "-j", str(jobs), "--json",
                    "--config", str(root / f"{name}.yaml")], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def bare_loop(root: Path, tasks: int) -> float:
    started = time.perf_counter()
    for _ in range(tasks):
        for _ in range(2):  # the command, then the check
            subprocess.run(["/bin/sh", "-c", "true"], cwd=root, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def best_of(n: int, fn, *args) -> float:  # type: ignore[no-untyped-def]
    return min(fn(*args) for _ in range(n))


def main() -> None:
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "prompt.md").write_text("p\n")
        make_project(root, "small", 10, "true")
        make_project(root, "large", 110, "true")
        make_project(root, "sleepy", 32, "sleep 0.5")
        small, large = best_of(3, overseer_run, root, "small", 1), best_of(3, overseer_run, root, "large", 1)
        bare_small, bare_large = best_of(3, bare_loop, root, 10), best_of(3, bare_loop, root, 110)
        per_run = (large - small) / 100
        bare_per_run = (bare_large - bare_small) / 100
        print(f"overseer run, trivial command: {small:.2f}s for 10 tasks, {large:.2f}s for 110 "
              f"→ {1000 * per_run:.1f} ms per run")
        print(f"bare loop of the same subprocesses: {1000 * bare_per_run:.1f} ms per run")
        print(f"overseer's overhead per run: {1000 * (per_run - bare_per_run):.1f} ms "
              f"(ratio to the bare loop {per_run / bare_per_run:.2f}x)")
        base = None
        for jobs in (1, 2, 4, 8):
            wall = overseer_run(root, "sleepy", jobs)
            base = base or wall
            print(f"sleep 0.5 s × 32 tasks, -j {jobs}: {wall:.2f}s, speedup {base / wall:.2f}x "
                  f"(ideal {jobs}x)")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"peak resident memory of a child process (overseer itself): {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
