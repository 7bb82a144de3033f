"""The evidence index at scale: synthesize run records, then time the index build, `overseer
insights` and `overseer history`, and report the database size per 1,000 records.

    python benchmarks/store.py [--records 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TASKS = [f"task{i:02d}" for i in range(48)]
CLASSES = ["SyntaxError", "ImportError", "Timeout", "AssertionError", "NameError", "IndexError"]
CONFIG = """\
schema_version: 1
targets:
  bench:
    command: "true"
    prompt: prompt.md
    tasks: tasks/bench
"""


def synthesize(root: Path, records: int, per_file: int = 10_000) -> tuple[int, float]:
    rng = random.Random(0)
    runs = root / "runs" / "bench"
    runs.mkdir(parents=True)
    versions = [uuid.UUID(int=rng.getrandbits(128)).hex[:16] for _ in range(max(2, records // 5_000))]
    started = time.perf_counter()
    written = 0
    file_no = 0
    with (runs / "registry.jsonl").open("w") as registry, (runs / "decisions.jsonl").open("w") as decisions:
        for i, version in enumerate(versions):
            parent = versions[i - 1] if i else None
            status = "baseline" if not i else rng.choice(["accepted", "rejected", "rejected"])
            registry.write(json.dumps({"hash": version, "parent": parent, "status": status, "text": f"prompt {i}",
                                       "time": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}",
                                       "train_pass_rate": rng.random(), "holdout_pass_rate": rng.random()}) + "\n")
            if i:
                decisions.write(json.dumps({
                    "decision_id": f"d{i}", "session_id": f"s{i // 10}", "target": "bench", "iteration": i,
                    "time": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}", "parent_hash": parent,
                    "candidate_hash": version, "proposer": "rules", "outcome": status,
                    "edit": {"op": "delete", "old": f"line {i}", "kind": rng.choice(["delete-line:a", "add-constraint:b", "add-constraint:c"])},
                    "gain": rng.gauss(0, 0.05), "p_value": rng.random()}) + "\n")
    while written < records:
        session = f"2026010{file_no % 9 + 1}T000000Z-{file_no:06d}"
        with (runs / f"{session}.jsonl").open("w") as handle:
            for _ in range(min(per_file, records - written)):
                passed = rng.random() < 0.5
                error = None if passed else rng.choice(CLASSES)
                handle.write(json.dumps({
                    "record_version": 2, "record_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                    "session_id": session, "target": "bench", "command": "true",
                    "prompt_hash": rng.choice(versions), "task_id": rng.choice(TASKS), "task_hash": "h",
                    "task_set_hash": "s", "repeat": rng.randrange(3), "seed": 0,
                    "started_at": f"2026-01-01T{written % 86400 // 3600:02d}:00:00", "exit_code": 0,
                    "timed_out": False, "command_s": rng.random(), "check_s": rng.random(),
                    "tests_passed": 3 if passed else 1, "tests_total": 3, "score": 1.0 if passed else 1 / 3,
                    "passed": passed, "error_class": error, "signature": error,
                    "failing_tests": [] if passed else ["test_x::test_y"],
                    "messages": [] if passed else ["assert 1 == 2"],
                    "usage": {"model": "sim", "input_tokens": 200, "output_tokens": 80, "cost_usd": 0.0},
                    "complexity": rng.randint(1, 3), "output_kept": not passed,
                    "output_bytes": 0 if passed else 900, "output_dropped_bytes": 900 if passed else 0,
                }) + "\n")
                written += 1
        file_no += 1
    return written, time.perf_counter() - started


def timed(*args: str, cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "overseer", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="overseer-store-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    (root / "overseer.yaml").write_text(CONFIG)
    (root / "prompt.md").write_text("p\n")
    written, seconds = synthesize(root, args.records)
    jsonl_bytes = sum(p.stat().st_size for p in (root / "runs").rglob("*.jsonl"))
    print(f"synthesized {written:,} run records ({jsonl_bytes / 1e6:.0f} MB of JSONL) in {seconds:.1f}s")
    build = timed("index", cwd=root)
    db = root / "runs" / "overseer.db"
    size = sum((root / "runs" / n).stat().st_size for n in os.listdir(root / "runs") if n.startswith("overseer.db"))
    print(f"index build: {build:.1f}s ({written / build:,.0f} records/s); database {size / 1e6:.1f} MB "
          f"= {size / 1e6 / written * 1000:.2f} MB per 1,000 records")
    print(f"index update with nothing new: {timed('index', cwd=root):.2f}s")
    print(f"overseer insights bench: {timed('insights', 'bench', '--json', cwd=root):.2f}s")
    print(f"overseer history bench: {timed('history', 'bench', '--json', cwd=root):.2f}s")
    print(f"overseer stats: {timed('stats', '--json', cwd=root):.2f}s")
    from overseer.store import open_store
    with sqlite3.connect(db) as raw:  # any recorded prompt will do
        prompt = raw.execute("SELECT prompt_hash FROM runs LIMIT 1").fetchone()[0]
    with open_store(root / "runs") as store:
        started = time.perf_counter()
        found = store.runs_of(target="bench", prompt_hash=prompt, task_set_hash="s", seed=0,
                              command="true", environment="")
        print(f"runs of one prompt read back for reuse (what optimize does per prompt): "
              f"{len(found):,} records in {time.perf_counter() - started:.2f}s")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    _ = db


if __name__ == "__main__":
    main()
