"""Decision quality of the acceptance rule against edits of known true effect.

    python benchmarks/decisions.py [--trials 400] [--null-trials 2000] [--plans 2:16]
        [--effects -10 -5 0 3 5 10] [--sampling fresh|seeded|coupled [--coupling 0.5]]
        [--holdout-effect POINTS]

The example task set's per-task pass probabilities come from the simulator's ground truth for the
example prompt; a candidate with true effect d (points) passes each task with probability p + d/100
(clipped to [0.01, 0.99]; the realized mean effect is printed). With --sampling fresh, outcomes
are drawn independently for parent and candidate (a model that cannot be seeded); with seeded,
both draw the same uniform at a (task, repeat) (common random numbers: a model given the run's
seed). Each trial goes through the whole rule as the optimizer runs it: the screen on a minibatch
of train tasks, the looks (evidence/looks.py: looks, look_verdict: one more round per look, the
betting test at every look), then the holdout and decide() at the look that proved it.

A plan is REPEATS (one look) or REPEATS:MAX (looks from REPEATS up to MAX rounds; 2:16 is the
default of an example target). Printed per plan: the acceptance rate per effect, false promotions
(mean over effects <= 0), power (mean over effects >= +5), runs per candidate: the candidate's
own runs and the parent's extra rounds (in a session those are run once per parent and then
shared by every later candidate, so this counts them at their worst), and how often the reported
interval (the confidence sequence when the test stopped) holds the true train gain of a kept edit.
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path

from overseer.acceptance import Thresholds
from overseer.bill import simulate_candidate
from overseer.config import PromptLocation
from overseer.evidence import allocate
from overseer.prompts import read_prompt
from overseer.sim.writer import pass_probability
from overseer.tasks import load_task_set, split_holdout

ROOT = Path(__file__).resolve().parent.parent


def trial(train: dict[str, float], holdout: dict[str, float], effect: float, repeats: int,
          thresholds: Thresholds, rng: random.Random, seeded: bool = False, coupling: float = 1.0,
          holdout_effect: float | None = None) -> tuple[bool, int, int, list[float] | None]:
    """One candidate through the whole rule (bill.simulate_candidate): accepted, its runs, the
    parent's runs beyond the first look's, the reported interval for the gain."""
    result = simulate_candidate(train, holdout, effect, repeats, thresholds, rng, seeded, coupling,
                                holdout_effect)
    return result.accepted, result.own_runs, result.parent_runs, result.interval


def parse_plan(text: str) -> tuple[int, int]:
    repeats, _, top = text.partition(":")
    return int(repeats), int(top or repeats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--null-trials", type=int, default=None,
                        help="trials per cell at effects <= 0 (default: --trials)")
    parser.add_argument("--plans", nargs="+", default=["1", "2", "3", "2:16"],
                        help="REPEATS (fixed) or REPEATS:MAX_REPEATS (escalation)")
    parser.add_argument("--effects", type=float, nargs="+", default=[-10, -5, 0, 3, 5, 10])
    parser.add_argument("--alpha", type=float, default=None)
    parser.add_argument("--min-gain", type=float, default=None)
    parser.add_argument("--futility-gain", type=float, default=None)
    parser.add_argument("--settled-share", type=float, default=None,
                        help="chance a settled task is run in a later round (evidence/allocate.py; "
                             "1: every task every round)")
    parser.add_argument("--settled-quorum", type=float, default=None,
                        help="share of tasks settled before any round runs only some of them")
    parser.add_argument("--settled-after", type=int, default=None,
                        help="rounds of agreement before a task counts as settled")
    parser.add_argument("--sampling", choices=["fresh", "seeded", "coupled"], default="fresh",
                        help="fresh: each prompt draws its own noise; seeded: common random numbers; "
                             "coupled: common at a share --coupling of the (task, repeat) pairs")
    parser.add_argument("--coupling", type=float, default=0.5)
    parser.add_argument("--holdout-effect", type=float, default=None, help=(
        "the candidate's effect on the holdout tasks, in points (default: its effect on train): an "
        "edit that does not carry over, for what the holdout gate lets through"))
    args = parser.parse_args()
    if args.settled_share is not None:
        allocate.SETTLED_SHARE = args.settled_share
    if args.settled_quorum is not None:
        allocate.SETTLED_QUORUM = args.settled_quorum
    if args.settled_after is not None:
        allocate.SETTLED_AFTER = args.settled_after
    overrides = {k: v for k, v in (("alpha", args.alpha), ("min_gain", args.min_gain),
                                   ("futility_gain", args.futility_gain)) if v is not None}
    prompt = read_prompt(ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))
    train_set, holdout_set = split_holdout(load_task_set(ROOT / "tasks" / "pyfuncs"), 0.25)
    train = {t.id: pass_probability(prompt, t) for t in train_set.tasks}
    holdout = {t.id: pass_probability(prompt, t) for t in holdout_set.tasks}
    print(f"acceptance rule: {Thresholds(**overrides).model_dump()}; settled tasks run with "
          f"chance {allocate.SETTLED_SHARE} after {allocate.SETTLED_AFTER} rounds of agreement")
    print(f"tasks: {len(train)} train, {len(holdout)} holdout; baseline truth "
          f"{statistics.fmean(train.values()):.3f}; {args.trials} trials per cell")
    header = "".join(f"{f'{e:+.0f} pts':>8}" for e in args.effects)
    print(f"{'plan':>6}{header}{'false':>7}{'power':>7}{'+10':>7}   runs/candidate (own + parent's extra) at 0 | +3 | +5 | +10")
    for text in args.plans:
        repeats, top = parse_plan(text)
        thresholds = Thresholds(**overrides, max_repeats=top)
        rates, runs, covered = {}, {}, {}
        for effect in args.effects:
            rng = random.Random(f"{text}:{effect}")
            results = [trial(train, holdout, effect / 100, repeats, thresholds, rng, args.sampling != "fresh",
                             args.coupling if args.sampling == "coupled" else 1.0,
                             None if args.holdout_effect is None else args.holdout_effect / 100)
                       for _ in range(args.null_trials if args.null_trials and effect <= 0 else args.trials)]
            rates[effect] = statistics.fmean(a for a, _, _, _ in results)
            runs[effect] = (statistics.fmean(c for _, c, _, _ in results),
                            statistics.fmean(p for _, _, p, _ in results))
            truth = statistics.fmean(min(0.99, max(0.01, p + effect / 100)) - p for p in train.values())
            covered[effect] = [low <= truth <= high for a, _, _, i in results if a and i
                               for low, high in [i]]
        row = "".join(f"{rates[e]:>8.3f}" for e in args.effects)
        false_promo = statistics.fmean([rates[e] for e in args.effects if e <= 0] or [float("nan")])
        power = statistics.fmean([rates[e] for e in args.effects if e >= 5] or [float("nan")])
        cost = " | ".join(f"{runs[e][0]:.0f} + {runs[e][1]:.0f}" for e in (0, 3, 5, 10) if e in runs)
        kept = [c for cell in covered.values() for c in cell]
        coverage = f"; interval holds the true gain in {statistics.fmean(kept):.3f} of {len(kept)} kept" \
            if kept else ""
        print(f"{text:>6}{row}{false_promo:>7.3f}{power:>7.3f}{rates.get(10, float('nan')):>7.3f}   {cost}"
              f"{coverage}", flush=True)
    base = statistics.fmean(train.values())
    realized = {e: statistics.fmean(min(0.99, max(0.01, p + e / 100)) for p in train.values()) - base
                for e in args.effects}
    print("realized true effects after clipping: "
          + ", ".join(f"{e:+.0f} → {100 * r:+.2f}" for e, r in realized.items()))


if __name__ == "__main__":
    main()
