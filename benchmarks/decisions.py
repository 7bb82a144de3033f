"""Decision quality of the acceptance rule against edits of known true effect.

    python benchmarks/decisions.py [--trials 400] [--repeats 1 2 3] [--effects -10 -5 0 3 5 10]

The example task set's per-task pass probabilities come from the simulator's ground truth for the
example prompt; a candidate with true effect d (points) passes each task with probability p + d/100
(clipped to [0.01, 0.99]; the realized mean effect is printed). Outcomes are drawn independently
for baseline and candidate, as a changed prompt draws fresh noise. Each trial goes through the
whole rule: the screen on a minibatch of train tasks, then decide() on train and holdout.
Printed: acceptance rate per effect and repeats; false promotions (effect <= 0 accepted) and power
(effect >= +5 accepted).
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path

from overseer.config import PromptLocation, Thresholds
from overseer.decide import decide, screen
from overseer.prompts import read_prompt
from overseer.records import RunRecord, Usage
from overseer.sim.writer import pass_probability
from overseer.tasks import load_task_set, split_holdout

ROOT = Path(__file__).resolve().parent.parent


def outcomes(probabilities: dict[str, float], repeats: int, rng: random.Random) -> list[RunRecord]:
    return [RunRecord(session_id="b", target="t", command="c", prompt_hash="p", task_id=task,
                      task_hash="h", task_set_hash="s", repeat=r, seed=0, started_at="",
                      exit_code=0, timed_out=False, command_s=1.0, passed=(ok := rng.random() < p),
                      score=float(ok), usage=Usage(input_tokens=100))
            for r in range(repeats) for task, p in probabilities.items()]


def accepted(base: dict[str, float], cand: dict[str, float], hold_base: dict[str, float],
             hold_cand: dict[str, float], repeats: int, thresholds: Thresholds, rng: random.Random) -> bool:
    train_before, train_after = outcomes(base, repeats, rng), outcomes(cand, repeats, rng)
    minibatch = set(rng.sample(sorted(base), min(thresholds.screen_tasks, len(base))))
    if thresholds.screen_tasks and not screen([r for r in train_before if r.task_id in minibatch],
                                              [r for r in train_after if r.task_id in minibatch],
                                              thresholds, "pass_rate").passed:
        return False
    decision = decide(train_before=train_before, train_after=train_after,
                      holdout_before=outcomes(hold_base, repeats, rng),
                      holdout_after=outcomes(hold_cand, repeats, rng),
                      thresholds=thresholds, objective="pass_rate")
    return decision.outcome == "accepted"


def shifted(probabilities: dict[str, float], effect: float) -> dict[str, float]:
    return {t: min(0.99, max(0.01, p + effect)) for t, p in probabilities.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--effects", type=float, nargs="+", default=[-10, -5, 0, 3, 5, 10])
    parser.add_argument("--alpha", type=float, default=None)
    parser.add_argument("--min-gain", type=float, default=None)
    args = parser.parse_args()
    thresholds = Thresholds(**{k: v for k, v in (("alpha", args.alpha), ("min_gain", args.min_gain)) if v is not None})
    prompt = read_prompt(ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))
    train, holdout = split_holdout(load_task_set(ROOT / "tasks" / "pyfuncs"), 0.25)
    base = {t.id: pass_probability(prompt, t) for t in train.tasks}
    hold = {t.id: pass_probability(prompt, t) for t in holdout.tasks}
    print(f"acceptance rule: {thresholds.model_dump()}")
    print(f"tasks: {len(base)} train, {len(hold)} holdout; baseline truth {statistics.fmean(base.values()):.3f}; "
          f"{args.trials} trials per cell")
    header = "".join(f"{f'{e:+.0f} pts':>10}" for e in args.effects)
    print(f"{'repeats':>8}{header}{'false promo':>13}{'power>=+5':>11}{'power +10':>11}")
    for repeats in args.repeats:
        rates = {}
        for effect in args.effects:
            rng = random.Random(f"{repeats}:{effect}")
            cand, hold_cand = shifted(base, effect / 100), shifted(hold, effect / 100)
            wins = sum(accepted(base, cand, hold, hold_cand, repeats, thresholds, rng) for _ in range(args.trials))
            rates[effect] = wins / args.trials
        row = "".join(f"{rates[e]:>10.3f}" for e in args.effects)
        false_promo = statistics.fmean(rates[e] for e in args.effects if e <= 0)
        power = statistics.fmean(rates[e] for e in args.effects if e >= 5)
        print(f"{repeats:>8}{row}{false_promo:>13.3f}{power:>11.3f}{rates.get(10, float('nan')):>11.3f}")
    realized = {e: statistics.fmean(shifted(base, e / 100).values()) - statistics.fmean(base.values())
                for e in args.effects}
    print("realized true effects after clipping: " + ", ".join(f"{e:+.0f} → {100 * r:+.2f}" for e, r in realized.items()))


if __name__ == "__main__":
    main()
