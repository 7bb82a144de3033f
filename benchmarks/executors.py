"""Throughput of the Ray executor against the local one, as ratios in one run.

    pip install '.[ray]'
    python benchmarks/executors.py [--runs 200] [--slots 4] [--sleep 0.5] [--address ADDR]

A command that sleeps --sleep seconds and writes ok (its check: grep), --runs runs of it with the
same number of runs at once (--slots: -j locally; -j and cpus_per_run = CPUs / slots on Ray, so
that as many fit). By default Ray is started inside overseer on this machine (executor address
''); --address sends the runs to a cluster. Each executor also makes one session of one wave
(--slots runs), so that the fixed cost of a session (Ray's start and connection, shipping the
snapshot, cleaning the nodes) and the cost per run are printed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CONFIG = """\
schema_version: 1
targets:
  sleepy:
    command: "sleep {sleep}; echo ok > {{workdir}}/answer.txt"
    prompt: prompts/system.md
    tasks: tasks/all
    holdout: 0.0
    repeats: 1
    jobs: {slots}
    timeout_s: 60
    success_sample_rate: 0.0
    executor: {{cpus_per_run: {cpus}}}
"""


def project(root: Path, runs: int, slots: int, sleep: float) -> None:
    (root / "prompts").mkdir(parents=True)
    (root / "prompts" / "system.md").write_text("Say ok.\n")
    cpus = round((os.cpu_count() or 1) / slots, 3)
    (root / "overseer.yaml").write_text(CONFIG.format(sleep=sleep, slots=slots, cpus=cpus))
    for name, count in (("all", runs), ("wave", slots)):
        for i in range(count):
            task = root / "tasks" / name / f"t{i:03d}"
            task.mkdir(parents=True)
            (task / "task.yaml").write_text(textwrap.dedent(f"""\
                id: t{i:03d}
                title: task {i}
                spec: Say ok.
                check: "grep -qx ok answer.txt"
                timeout_s: 10
            """))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"],
                   cwd=root, check=True)


def session(root: Path, tasks: str, more: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "overseer", "run", "sleepy", "--tasks", tasks,
                             "--json", *more], cwd=root, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"overseer run failed: {result.stderr.strip().splitlines()[-1:]}")
    facts = json.loads(result.stdout)
    return elapsed, int(facts["summary"]["passed"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--sleep", type=float, default=0.5)
    parser.add_argument("--address", default="")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, python {platform.python_version()}")
    print(f"{args.runs} runs of a command sleeping {args.sleep:g}s, {args.slots} at once; "
          f"ideal {args.runs * args.sleep / args.slots:.1f}s")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        project(root, args.runs, args.slots, args.sleep)
        rows = {}
        for name, more in (("local", []), ("ray", ["--executor", "ray", "--executor-address", args.address])):
            wave, _ = session(root, "tasks/wave", more)
            total, passed = session(root, "tasks/all", more)
            assert passed == args.runs, f"{name}: {passed} of {args.runs} runs passed"
            per_run = (total - wave) / (args.runs - args.slots)
            rows[name] = (total, wave, per_run)
            print(f"{name:>6}: {total:6.1f}s for {args.runs} runs ({args.runs / total:5.2f} runs/s), "
                  f"one wave {wave:5.1f}s, {per_run * 1000:6.1f} ms per further run")
        (lt, lw, lp), (rt, rw, rp) = rows["local"], rows["ray"]
        print(f"ray / local: whole session {rt / lt:.2f}x the time; fixed cost {rw - lw:+.1f}s; "
              f"per further run {rp / lp:.2f}x")


if __name__ == "__main__":
    main()
