"""The non-inferiority test of `overseer experiment`, validated by simulation.

    python benchmarks/experiment.py [--trials 1000] [--margin 0.02] [--alpha 0.05] [--max-rounds 16]

A band of tasks with known pass rates: the example band (the shipped example prompt's exact pass
rate on each task of tasks/pyfuncs with complexity <= 2, from the simulator) and a generic one
(34 rates drawn between 0.2 and 0.9). The changed setting is truly `delta` off on every task. Each
trial runs rounds of paired runs (one per task) until the test stops (promoted: not worse than
-margin at alpha; refused: proven worse) or max rounds. Printed: the share of trials promoted and
the mean rounds, under seeded sampling (both settings draw alike for a task and round, as the
simulator's models with the same seed do) and fresh (independent draws).

What the issue asks: a setting truly worse by 2x the margin promoted in <= 5% of 1,000 trials,
one truly equal in >= 80%.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from overseer.experiment.trials import promote_rate
from overseer.sim.writer import pass_probability
from overseer.tasks import load_task_set

ROOT = Path(__file__).resolve().parent.parent


def example_band() -> list[float]:
    namespace: dict[str, object] = {}
    source = (ROOT / "examples" / "codewriter" / "codewriter.py").read_text()
    exec(source.split("def read_spec")[0].split("import yaml", 1)[1], namespace)  # the PROMPT only
    prompt = str(namespace["PROMPT"])
    tasks = load_task_set(ROOT / "tasks" / "pyfuncs").tasks
    return [pass_probability(prompt, t) for t in tasks if t.complexity <= 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--margin", type=float, default=0.02)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--max-rounds", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(1)
    bands = {"example band": example_band(), "generic band": [rng.uniform(0.2, 0.9) for _ in range(34)]}
    m = args.margin
    print(f"margin {m:g}, alpha {args.alpha:g}, at most {args.max_rounds} rounds, {args.trials} trials per cell")
    print(f"{'band':<14} {'tasks':>5} {'sampling':<8} {'true delta':>10} {'promoted':>9} {'mean rounds':>11}")
    started = time.monotonic()
    for name, rates in bands.items():
        for seeded in (True, False):
            for delta in (-2 * m, -m, 0.0, m):
                share, rounds = promote_rate(rates, delta, trials=args.trials, margin=m, alpha=args.alpha,
                                             max_rounds=args.max_rounds, seeded=seeded, seed=7)
                print(f"{name:<14} {len(rates):>5} {'seeded' if seeded else 'fresh':<8} {delta:>+10.3f} "
                      f"{share:>9.1%} {rounds:>11.1f}")
    print("fresh sampling, truly equal: the margin the test can prove within the rounds")
    for margin in (0.05, 0.1, 0.15):
        share, rounds = promote_rate(bands["example band"], 0.0, trials=args.trials // 4, margin=margin,
                                     alpha=args.alpha, max_rounds=args.max_rounds, seeded=False, seed=7)
        print(f"  margin {margin:g}: promoted {share:.1%}, mean rounds {rounds:.1f}")
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
