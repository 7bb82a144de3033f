"""A real optimization: the labeler example's prompt against a real model, offline.

    python benchmarks/real_optimize.py [--iterations 4] [--holdout-repeats 8] [--keep DIR]

Needs `pip install '.[local]' && overseer fetch-model`. Builds a git repository with the labeler
example and its 48 review tasks (36 train, 12 holdout), starts `overseer serve-model` (SmolLM2-
135M-Instruct, one slot, prompt cache off, default temperature), and runs `overseer optimize
labeler` with the offline rules proposer. Then, independently of the session, `overseer run` of
the starting and of the final prompt on the 12 unseen holdout tasks with --holdout-repeats
repeats each: the measured difference with a 95% interval (tasks resampled, 4,000 bootstraps).
Printed: the session's runs, the edits kept with their claimed gains and intervals, and the
holdout before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """\
schema_version: 1
targets:
  labeler:
    command: "{python} examples/labeler/labeler.py --task-dir {task_dir} --out {workdir}/answer.txt --model {model} --max-tokens {max_tokens}"
    settings: {model: "openai:local", max_tokens: 16}
    environment: [OPENAI_BASE_URL]
    prompt: examples/labeler/prompt.md
    tasks: tasks/reviews
    holdout: 0.25
    repeats: 2
    timeout_s: 120
    jobs: 2
"""


def sh(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)


def make_repo(root: Path) -> None:
    shutil.copytree(ROOT / "examples" / "labeler", root / "examples" / "labeler",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tasks" / "reviews", root / "tasks" / "reviews")
    (root / "overseer.yaml").write_text(CONFIG)
    (root / ".gitignore").write_text("runs/\n__pycache__/\n")
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=bench", "-c", "user.email=b@b", "commit", "-qm", "labeler"]):
        subprocess.run(command, cwd=root, check=True)


def holdout_rates(root: Path, prompt: str, repeats: int, env: dict[str, str]) -> dict[str, float]:
    """Per holdout task, the pass rate of ``prompt`` over ``repeats`` fresh runs (seed 1000+)."""
    prompt_file = root / "examples" / "labeler" / "prompt.md"
    saved = prompt_file.read_text()
    config = root / "overseer.yaml"
    saved_config = config.read_text()
    prompt_file.write_text(prompt)
    config.write_text(saved_config + "    seed: 1000\n")   # runs the session never made
    try:
        result = sh(sys.executable, "-m", "overseer", "run", "labeler", "--tasks", "holdout",
                    "--repeats", str(repeats), "--json", cwd=root, env=env)
    finally:
        prompt_file.write_text(saved)
        config.write_text(saved_config)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    log = json.loads(result.stdout)["jsonl"]
    per_task: dict[str, list[bool]] = defaultdict(list)
    for line in Path(log).read_text().splitlines():
        record = json.loads(line)
        if not record["infra"]:
            per_task[record["task_id"]].append(record["passed"])
    return {task: statistics.fmean(v) for task, v in per_task.items()}


def bootstrap(before: dict[str, float], after: dict[str, float], rounds: int = 4000) -> tuple[float, float, float]:
    tasks = sorted(before)
    diffs = [after[t] - before[t] for t in tasks]
    rng = random.Random(0)
    means = sorted(statistics.fmean(rng.choices(diffs, k=len(diffs))) for _ in range(rounds))
    return statistics.fmean(diffs), means[int(0.025 * rounds)], means[int(0.975 * rounds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--holdout-repeats", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="overseer-real-"))
    make_repo(root)
    server = subprocess.Popen([sys.executable, "-m", "overseer", "serve-model", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip().removeprefix("OPENAI_BASE_URL=")
        env = {"OPENAI_BASE_URL": url}
        start = (root / "examples" / "labeler" / "prompt.md").read_text()
        session = sh(sys.executable, "-m", "overseer", "optimize", "labeler", "--iterations",
                     str(args.iterations), "--json", cwd=root, env=env)
        if session.returncode != 0:
            raise SystemExit(session.stderr)
        facts = json.loads(session.stdout)
        final = (root / "examples" / "labeler" / "prompt.md").read_text()
        before = holdout_rates(root, start, args.holdout_repeats, env)
        after = holdout_rates(root, final, args.holdout_repeats, env) if final != start else before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    decisions = [json.loads(line) for line in (root / "runs" / "labeler" / "decisions.jsonl").read_text().splitlines()]
    print(f"session: {facts['runs_used']} runs, {len(decisions)} decisions, {facts['accepted']} kept, "
          f"stop: {facts['stop_reason']}")
    for d in decisions:
        interval = d.get("interval") or [None, None]
        shown = f"[{interval[0]:+.3f}, {interval[1]:+.3f}]" if interval[0] is not None else "-"
        print(f"  {d['outcome']:<12} {((d.get('edit') or {}).get('kind') or '-'):<32} gain "
              f"{d['gain'] if d['gain'] is not None else '-'!s:>7} interval {shown}  runs {d['runs_used']}")
    mean, low, high = bootstrap(before, after)
    print(f"holdout ({len(before)} unseen tasks x {args.holdout_repeats} runs each, seeds the session never used): "
          f"{statistics.fmean(before.values()):.3f} -> {statistics.fmean(after.values()):.3f}, "
          f"difference {mean:+.3f} [{low:+.3f}, {high:+.3f}]")
    print(f"repository: {root}")


if __name__ == "__main__":
    main()
