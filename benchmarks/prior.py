"""Does the edit-effect prior save runs? Measured on the simulator, against its ground truth.

    python benchmarks/prior.py [--seeds 10] [--iterations 10]

For each seed: a first target (the example codewriter prompt) is optimized, which leaves evidence
in the index; then a second target with a different starting prompt is optimized twice from the same
start, once with the prior (edit-kind effects from all evidence) and once without (only its own
history). The real optimize loop runs (proposals, decisions, git commits); only the command runs are
replaced by the simulator's fast path. Printed: target runs until the second prompt's ground-truth
pass rate first reaches start + GOAL, and the final ground truth.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from contextlib import nullcontext
from pathlib import Path

import git

from overseer.commands.demo import build_demo_repo
from overseer.config import load_config
from overseer.decision import Decision
from overseer.optimize import Hooks, OptimizeOptions, candidate_text, optimize_target
from overseer.sim import expected_pass_rate
from overseer.sim.fast import fast_evaluator
from overseer.tasks import target_task_sets

GOAL = 0.10
SECOND_PROMPT = """\
You are a coding assistant that writes Python modules for our internal tools.

Requirements:
- Implement the function described in the specification.
- Show your reasoning: explain the approach before giving the code.
- Use descriptive names and feel free to rename things for clarity.
- Assume the input is valid; do not clutter the code with edge cases.
- Keep it short.
"""

CONFIG = """\
schema_version: 1
targets:
  first:
    command: "sim first"
    prompt: {file: examples/codewriter/codewriter.py, variable: PROMPT}
    tasks: tasks/pyfuncs
    repeats: 2
    seed: SEED
  second:
    command: "sim second"
    prompt: prompts/second.md
    tasks: tasks/pyfuncs
    repeats: 2
    seed: SEED
"""


def make_repo(root: Path, seed: int) -> None:
    build_demo_repo(root)  # the example command, its tasks, a git repo with one commit
    (root / "overseer.yaml").write_text(CONFIG.replace("SEED", str(seed)))
    (root / "prompts").mkdir()
    (root / "prompts" / "second.md").write_text(SECOND_PROMPT)
    repo = git.Repo(root)
    repo.git.add(A=True)
    repo.index.commit("two targets")


def optimize(root: Path, target: str, seed: int, iterations: int, use_prior: bool) -> list[tuple[int, float]]:
    """(runs used so far, ground truth of the current prompt on the holdout... and train) per step."""
    loaded = load_config(root / "overseer.yaml")
    spec = loaded.target(target)
    train, _ = target_task_sets(loaded, spec)
    start = (root / "prompts" / "second.md").read_text() if target == "second" else None
    trajectory: list[tuple[int, float]] = []
    state = {"text": start, "runs": 2 * len(train) + 2 * 12}

    def decided(decision: Decision) -> None:
        state["runs"] += decision.runs_used
        if decision.outcome == "accepted" and state["text"] is not None:
            state["text"] = candidate_text(state["text"], decision)
        if state["text"] is not None:
            trajectory.append((state["runs"], expected_pass_rate(state["text"], train.tasks)))

    hooks = Hooks(progress=lambda label, total: nullcontext(lambda record: None), decided=decided)
    options = OptimizeOptions(iterations=iterations, patience=iterations, use_prior=use_prior)
    optimize_target(loaded, target, options, hooks, evaluator=fast_evaluator(target, spec.command, seed))
    if start is not None:
        trajectory.insert(0, (2 * len(train) + 2 * 12, expected_pass_rate(start, train.tasks)))
    return trajectory


def runs_to_goal(trajectory: list[tuple[int, float]]) -> int | None:
    goal = trajectory[0][1] + GOAL
    return next((runs for runs, truth in trajectory if truth >= goal - 1e-9), None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    rows = []
    for seed in range(args.seeds):
        results = {}
        for use_prior in (True, False):
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp) / "repo"
                make_repo(root, seed)
                optimize(root, "first", seed, args.iterations, use_prior=True)
                trajectory = optimize(root, "second", seed, args.iterations, use_prior=use_prior)
                results[use_prior] = (runs_to_goal(trajectory), trajectory[-1][1], trajectory[0][1])
        rows.append((seed, results))
    print(f"goal: second prompt's ground truth (train) reaches start + {GOAL:.2f}; "
          f"{args.iterations} iterations at most, repeats 2, 36 train + 12 holdout tasks")
    print(f"{'seed':>4} {'start':>6} | {'runs (prior)':>12} {'final':>6} | {'runs (none)':>11} {'final':>6}")
    for seed, results in rows:
        wp, np_ = results[True], results[False]
        print(f"{seed:>4} {wp[2]:>6.3f} | {wp[0] or '-'!s:>12} {wp[1]:>6.3f} | {np_[0] or '-'!s:>11} {np_[1]:>6.3f}")
    for label, key in (("with prior", True), ("without", False)):
        reached = [r[key][0] for _, r in rows if r[key][0] is not None]
        finals = [r[key][1] for _, r in rows]
        both = [r[key][0] for _, r in rows if r[True][0] is not None and r[False][0] is not None]
        print(f"{label:>10}: reached the goal in {len(reached)}/{len(rows)} seeds; runs to goal: median "
              f"{statistics.median(reached) if reached else '-'}, mean over seeds where both reached it "
              f"{statistics.fmean(both) if both else float('nan'):.1f}; median final truth {statistics.median(finals):.3f}")


if __name__ == "__main__":
    main()
