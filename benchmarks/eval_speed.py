"""Wall time of `overseer run` on the example set (48 tasks) with different -j, as ratios.

    python benchmarks/eval_speed.py [--jobs 1 2 4 8] [--repeats 1]

Builds a demo repo in a temp dir, then times one evaluation per -j value (same prompt, so the same
simulated replies and the same timeouts in every run) and prints seconds and the speedup over -j 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def overseer(*args: str, cwd: Path) -> dict:
    result = subprocess.run([sys.executable, "-m", "overseer", *args], cwd=cwd, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "demo"
        overseer("demo", "--dir", str(repo), "--json", cwd=Path(tmp))
        print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, python {platform.python_version()}")
        rows = []
        for jobs in args.jobs:
            started = time.perf_counter()
            facts = overseer("run", "codewriter", "-j", str(jobs), "--repeats", str(args.repeats),
                             "--json", cwd=repo)
            wall = time.perf_counter() - started
            rows.append((jobs, wall, facts["summary"]["runs"], facts["summary"]["pass_rate"]))
        base = rows[0][1]
        print(f"{'-j':>3} {'runs':>5} {'wall s':>8} {'speedup':>8} {'pass rate':>9}")
        for jobs, wall, runs, rate in rows:
            print(f"{jobs:>3} {runs:>5} {wall:>8.1f} {base / wall:>7.2f}x {rate:>9.3f}")


if __name__ == "__main__":
    main()
