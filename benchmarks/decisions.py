"""Decision quality of the acceptance rule against edits of known true effect.

    python benchmarks/decisions.py [--trials 400] [--null-trials 2000] [--plans 2:16]
        [--effects -10 -5 0 3 5 10] [--sampling fresh|seeded]

The example task set's per-task pass probabilities come from the simulator's ground truth for the
example prompt; a candidate with true effect d (points) passes each task with probability p + d/100
(clipped to [0.01, 0.99]; the realized mean effect is printed). With --sampling fresh, outcomes
are drawn independently for parent and candidate (a model that cannot be seeded); with seeded,
both draw the same uniform at a (task, repeat) (common random numbers: a model given the run's
seed). Each trial goes through the whole rule as the optimizer runs it: the screen on a minibatch
of train tasks, the looks (decide.looks / decide.look_verdict: one more round per look, the
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

from overseer.config import PromptLocation, Thresholds
from overseer.decide import decide, look_verdict, looks, screen
from overseer.prompts import read_prompt
from overseer.records import RunRecord, Usage
from overseer.sim.writer import pass_probability
from overseer.tasks import load_task_set, split_holdout

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = RunRecord(session_id="s", target="t", command="c", prompt_hash="p", task_id="", task_hash="h",
                     task_set_hash="s", repeat=0, seed=0, started_at="", exit_code=0, timed_out=False,
                     command_s=1.0, usage=Usage(input_tokens=100))


class Prompt:
    """One prompt's outcomes, drawn lazily per (task, repeat) and then fixed, like cached runs.
    With ``shared`` uniforms (seeded sampling: common random numbers) every prompt draws the same
    uniform at a (task, repeat); without, each draws its own (fresh sampling)."""

    def __init__(self, probabilities: dict[str, float], rng: random.Random,
                 shared: dict[tuple[str, int], float] | None = None) -> None:
        self.probabilities, self.rng, self.shared = probabilities, rng, shared
        self.drawn: dict[tuple[str, int], RunRecord] = {}

    def uniform(self, task: str, repeat: int) -> float:
        if self.shared is None:
            return self.rng.random()
        return self.shared.setdefault((task, repeat), self.rng.random())

    def runs(self, tasks: list[str], repeats: int) -> list[RunRecord]:
        for repeat in range(repeats):
            for task in tasks:
                if (task, repeat) not in self.drawn:
                    ok = self.uniform(task, repeat) < self.probabilities[task]
                    self.drawn[(task, repeat)] = TEMPLATE.model_copy(
                        update={"task_id": task, "repeat": repeat, "passed": ok, "score": float(ok)})
        return [self.drawn[(t, r)] for r in range(repeats) for t in tasks]


def trial(train: dict[str, float], holdout: dict[str, float], effect: float, repeats: int,
          thresholds: Thresholds, rng: random.Random, seeded: bool = False
          ) -> tuple[bool, int, int, list[float] | None]:
    """One candidate through the whole rule: (accepted, candidate runs, parent runs beyond the
    first look's, the reported interval for the gain)."""
    shared: dict[tuple[str, int], float] | None = {} if seeded else None
    parent = Prompt({**train, **holdout}, rng, shared)
    candidate = Prompt({t: min(0.99, max(0.01, p + effect)) for t, p in {**train, **holdout}.items()},
                       rng, shared)
    train_ids, holdout_ids = sorted(train), sorted(holdout)
    parent.runs(train_ids, repeats)
    parent.runs(holdout_ids, repeats)
    first = len(parent.drawn)

    def result(accepted: bool, interval: list[float] | None = None
               ) -> tuple[bool, int, int, list[float] | None]:
        return accepted, len(candidate.drawn), len(parent.drawn) - first, interval

    minibatch = sorted(rng.sample(train_ids, min(thresholds.screen_tasks, len(train_ids))))
    if thresholds.screen_tasks and not screen(parent.runs(minibatch, repeats),
                                              candidate.runs(minibatch, repeats),
                                              thresholds, "pass_rate").passed:
        return result(False)
    for look in looks(repeats, thresholds):
        before, after = parent.runs(train_ids, look.repeats), candidate.runs(train_ids, look.repeats)
        verdict = look_verdict(before, after, thresholds, "pass_rate", look)
        if verdict != "continue":
            break
    if verdict != "proven":
        return result(False)
    decision = decide(train_before=before, train_after=after,
                      holdout_before=parent.runs(holdout_ids, look.repeats),
                      holdout_after=candidate.runs(holdout_ids, look.repeats),
                      thresholds=thresholds, objective="pass_rate", look=look)
    return result(decision.outcome == "accepted", decision.interval)


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
    parser.add_argument("--sampling", choices=["fresh", "seeded"], default="fresh",
                        help="fresh: each prompt draws its own noise; seeded: common random numbers")
    args = parser.parse_args()
    overrides = {k: v for k, v in (("alpha", args.alpha), ("min_gain", args.min_gain),
                                   ("futility_gain", args.futility_gain)) if v is not None}
    prompt = read_prompt(ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))
    train_set, holdout_set = split_holdout(load_task_set(ROOT / "tasks" / "pyfuncs"), 0.25)
    train = {t.id: pass_probability(prompt, t) for t in train_set.tasks}
    holdout = {t.id: pass_probability(prompt, t) for t in holdout_set.tasks}
    print(f"acceptance rule: {Thresholds(**overrides).model_dump()}")
    print(f"tasks: {len(train)} train, {len(holdout)} holdout; baseline truth "
          f"{statistics.fmean(train.values()):.3f}; {args.trials} trials per cell")
    header = "".join(f"{f'{e:+.0f} pts':>8}" for e in args.effects)
    print(f"{'plan':>6}{header}{'false':>7}{'power':>7}{'+10':>7}   runs/candidate (own + parent's extra) at 0 | +10")
    for text in args.plans:
        repeats, top = parse_plan(text)
        thresholds = Thresholds(**overrides, max_repeats=top)
        rates, runs, covered = {}, {}, {}
        for effect in args.effects:
            rng = random.Random(f"{text}:{effect}")
            results = [trial(train, holdout, effect / 100, repeats, thresholds, rng, args.sampling == "seeded")
                       for _ in range(args.null_trials if args.null_trials and effect <= 0 else args.trials)]
            rates[effect] = statistics.fmean(a for a, _, _, _ in results)
            runs[effect] = (statistics.fmean(c for _, c, _, _ in results),
                            statistics.fmean(p for _, _, p, _ in results))
            truth = statistics.fmean(min(0.99, max(0.01, p + effect / 100)) - p for p in train.values())
            covered[effect] = [low <= truth <= high for a, _, _, i in results if a and i
                               for low, high in [i]]
        row = "".join(f"{rates[e]:>8.3f}" for e in args.effects)
        false_promo = statistics.fmean(rates[e] for e in args.effects if e <= 0)
        power = statistics.fmean(rates[e] for e in args.effects if e >= 5)
        cost = " | ".join(f"{runs[e][0]:.0f} + {runs[e][1]:.0f}" for e in (0, 10) if e in runs)
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
