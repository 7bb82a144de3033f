"""The demo's decisions on the simulator's fast path, for checking that a change is behaviour-neutral.

    python benchmarks/demo_decisions.py --seeds 0 3 > before.jsonl
    ... change the code ...
    python benchmarks/demo_decisions.py --seeds 0 3 > after.jsonl && diff before.jsonl after.jsonl
    python benchmarks/demo_decisions.py --example triage --seeds 0 1 2 3 4 5 6 7 --summary

The demo repo is built as `overseer demo` builds it, with the target's ``seed`` set; the loop runs
with the demo's options (iterations, max repeats, race) and the rules proposer; only the command
runs are replaced by the simulator's in-process fast path (same seeding as real runs). Printed: one
JSON line per decision, without what differs between two identical sessions (ids, times); with
--summary, one line per seed: its decisions' outcomes and how many edits were kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from contextlib import nullcontext
from pathlib import Path

import git

from overseer.commands.demo import DEMO_ITERATIONS, DEMO_MAX_REPEATS, DEMO_RACE, build_demo_repo
from overseer.commands.init import EXAMPLE_TARGET, EXAMPLES
from overseer.config import load_config
from overseer.decision import Decision
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.sim.fast import fast_evaluator
from overseer.sim.profile import PROFILE_ENV, profile_with_sampling

VARYING = ("decision_id", "time", "session_id")


def decisions(seed: int, iterations: int, race: int = DEMO_RACE, example: str = EXAMPLE_TARGET,
              design: str | None = None, totals: list[int] | None = None) -> list[dict[str, object]]:
    """The decisions of one demo session; its runs in all (baseline included) are appended to
    ``totals`` when given. ``design``: the target's accept.design instead of its own."""
    out: list[dict[str, object]] = []
    target = EXAMPLES[example].target
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        build_demo_repo(root, example)
        config = root / "overseer.yaml"
        config.write_text(re.sub(r"(?m)^(\s*seed:)\s*\d+", rf"\g<1> {seed}", config.read_text()))
        if design:   # the examples set no accept:, so one is added after the seed
            config.write_text(re.sub(r"(?m)^(\s*)(seed:.*)$", rf"\g<0>\n\g<1>accept: {{design: {design}}}",
                                     config.read_text(), count=1))
        repo = git.Repo(root)
        repo.git.add(A=True)
        repo.index.commit(f"seed {seed}")
        loaded = load_config(config)

        def decided(decision: Decision) -> None:
            out.append({"seed": seed, **decision.model_dump(mode="json", exclude=set(VARYING))})

        hooks = Hooks(progress=lambda label, total: nullcontext(lambda record: None), decided=decided)
        options = OptimizeOptions(iterations=iterations, max_repeats=DEMO_MAX_REPEATS, race=race)
        summary = optimize_target(loaded, target, options, hooks,
                                  evaluator=fast_evaluator(target, loaded.config.targets[target].command, seed))
        if totals is not None:
            totals.append(summary.state.runs_used)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 3])
    parser.add_argument("--iterations", type=int, default=DEMO_ITERATIONS)
    parser.add_argument("--race", type=int, default=DEMO_RACE, help="candidates per iteration")
    parser.add_argument("--example", choices=sorted(EXAMPLES), default=EXAMPLE_TARGET)
    parser.add_argument("--summary", action="store_true", help="one line per seed")
    parser.add_argument("--sampling", choices=["seeded", "fresh", "coupled"], default=None,
                        help="the simulated model's sampling (default: the shipped profile's)")
    parser.add_argument("--coupling", type=float, default=0.5, help="with --sampling coupled")
    parser.add_argument("--design", choices=["paired", "measured", "auto"], default=None,
                        help="the target's accept.design (default: the example's)")
    args = parser.parse_args()
    if args.sampling:
        os.environ[PROFILE_ENV] = str(profile_with_sampling(Path(tempfile.mkdtemp()), args.sampling, args.coupling))
    for seed in args.seeds:
        totals: list[int] = []
        lines = decisions(seed, args.iterations, args.race, args.example, args.design, totals)
        if args.summary:
            outcomes = [str(line["outcome"]) for line in lines]
            runs = sum(int(str(line.get("runs_used") or 0)) for line in lines)
            print(f"seed {seed}: {' '.join(outcomes)}; kept {outcomes.count('accepted')}; {runs} runs "
                  f"decided on, {totals[0]} in the session")
            continue
        for line in lines:
            print(json.dumps(line, sort_keys=True))


if __name__ == "__main__":
    main()
