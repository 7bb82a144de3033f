"""The comparison against a well-measured parent (evidence/measured.py), in sessions of candidates.

    python benchmarks/measured.py [--sessions 40] [--effects -5 0 10] [--ratio 3] [--spread]

Each session measures one parent (the example prompt's per-task pass probabilities on the example
task set, from the simulator's ground truth; with --spread, task rates drawn from easy to
impossible) at 2 rounds, then tests 10 candidates of true effect d (points, on every task, clipped
to [0.01, 0.99]) one after another, as the optimizer does: one round per look from the second up to
16, the parent topped up to --ratio times the candidate's rounds (train and holdout), the
candidate's runs independent of the parent's (seeds of its own, so the sampling mode does not
matter). Proven: the gain clears min_gain (0.03) and the test rejects "no better" at α = 0.05;
futile: the gain is at most 0 or the test rejects "at least min_gain"; a proven one is kept when its
holdout mean (its own runs at as many rounds) is not below the parent's. Printed per effect: the
share kept and proven, and runs per candidate: its own (train and holdout) plus the parent's runs
beyond the baseline divided by the session's 10 candidates. Each is printed for the rule without
and with the out-of-reach stop (looks.measured_out_of_reach: unproven as soon as the rounds left
could not prove the gain), both on the same draws.
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path

from overseer.acceptance import Thresholds
from overseer.config import PromptLocation
from overseer.evidence import measured
from overseer.evidence.looks import Look, measured_out_of_reach
from overseer.prompts import read_prompt
from overseer.sim.writer import pass_probability
from overseer.tasks import load_task_set, split_holdout

ROOT = Path(__file__).resolve().parent.parent
ALPHA, MIN_GAIN, FIRST, TOP, CANDIDATES = 0.05, 0.03, 2, 16, 10
THRESHOLDS = Thresholds(alpha=ALPHA, min_gain=MIN_GAIN, max_repeats=TOP)


class Prompt:
    """One prompt's outcomes, drawn once per (task, repeat) like cached runs."""

    def __init__(self, rates: dict[str, float], rng: random.Random) -> None:
        self.rates, self.rng, self.runs = rates, rng, dict[tuple[str, int], bool]()

    def run(self, task: str, repeat: int) -> bool:
        if (task, repeat) not in self.runs:
            self.runs[(task, repeat)] = self.rng.random() < self.rates[task]
        return self.runs[(task, repeat)]

    def mean(self, tasks: dict[str, float], repeats: range) -> tuple[int, int]:
        values = [self.run(t, k) for k in repeats for t in tasks]
        return sum(values), len(values)


def candidate_test(parent: Prompt, candidate: Prompt, train: dict[str, float], ratio: int,
                   parent_rounds: int) -> tuple[str, int, int | None]:
    """The candidate's test run without the out-of-reach stop: its verdict, its last round, and the
    round at which the stop (looks.measured_out_of_reach) would have ended it unproven, if any."""
    verdict, rounds, cut = "unproven", FIRST, None
    for rounds in range(FIRST, TOP + 1):
        parent_rounds = max(parent_rounds, min(ratio * TOP, ratio * rounds))
        s = measured.Streams(*parent.mean(train, range(parent_rounds)),
                             *candidate.mean(train, measured.own_repeats(rounds)))
        if s.gain >= MIN_GAIN and measured.rejects(s, 0.0, ALPHA):
            return "proven", rounds, cut
        if s.gain <= 0 or measured.rejects(s, MIN_GAIN, ALPHA, up=False):
            return "futile", rounds, cut
        look = Look(rounds - FIRST + 1, TOP - FIRST + 1, rounds, ALPHA)
        if cut is None and measured_out_of_reach(s, look, THRESHOLDS):
            cut = rounds
    return verdict, rounds, cut


def session(train: dict[str, float], holdout: dict[str, float], effect: float, ratio: int,
            rng: random.Random) -> dict[bool, tuple[list[tuple[bool, bool, int]], float]]:
    """For each rule (False: without the out-of-reach stop, True: with it), on the same draws:
    each candidate's (kept, proven, own runs), and the parent's runs beyond the baseline per
    candidate."""
    rates = {**train, **holdout}
    parent = Prompt(rates, rng)
    parent.mean(rates, range(FIRST))
    out: dict[bool, list[tuple[bool, bool, int]]] = {False: [], True: []}
    parent_train, parent_holdout = {False: FIRST, True: FIRST}, {False: FIRST, True: FIRST}
    for _ in range(CANDIDATES):
        candidate = Prompt({t: min(0.99, max(0.01, p + effect)) for t, p in rates.items()}, rng)
        verdict, rounds, cut = candidate_test(parent, candidate, train, ratio, parent_train[False])
        kept = False
        if verdict == "proven":
            ratio_rounds = max(parent_train[False], min(ratio * TOP, ratio * rounds))
            own_sum, own_runs = candidate.mean(holdout, measured.own_repeats(rounds))
            parent_sum, parent_runs = parent.mean(holdout, range(ratio_rounds))
            kept = own_sum / own_runs >= parent_sum / parent_runs
        for stop in (False, True):
            last = cut if stop and cut is not None else rounds
            stopped = last != rounds     # a cut comes only before the test's own end
            proven = verdict == "proven" and not stopped
            parent_train[stop] = max(parent_train[stop], min(ratio * TOP, ratio * last))
            if proven:
                parent_holdout[stop] = max(parent_holdout[stop], parent_train[stop])
            out[stop].append((kept and not stopped, proven, len(train) * last + proven * len(holdout) * last))
    baseline = len(rates) * FIRST
    return {stop: (out[stop], (len(train) * parent_train[stop] + len(holdout) * parent_holdout[stop]
                               - baseline) / CANDIDATES) for stop in (False, True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--effects", type=float, nargs="+", default=[-5, 0, 5, 10])
    parser.add_argument("--ratio", type=int, default=measured.PARENT_ROUNDS)
    parser.add_argument("--spread", action="store_true", help="task rates from easy to impossible")
    args = parser.parse_args()
    prompt = read_prompt(ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))
    train_set, holdout_set = split_holdout(load_task_set(ROOT / "tasks" / "pyfuncs"), 0.25)
    train = {t.id: pass_probability(prompt, t) for t in train_set.tasks}
    holdout = {t.id: pass_probability(prompt, t) for t in holdout_set.tasks}
    if args.spread:
        draw = random.Random("spread")
        train = {t: draw.choice([0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98]) for t in train}
    print(f"{len(train)} train and {len(holdout)} holdout tasks, parent truth {statistics.fmean(train.values()):.3f}; "
          f"{args.sessions} sessions of {CANDIDATES} candidates; parent at {args.ratio}x the candidate's rounds")
    for effect in args.effects:
        rng = random.Random(f"{effect}:{args.ratio}:{args.spread}")
        sessions = [session(train, holdout, effect / 100, args.ratio, rng) for _ in range(args.sessions)]
        for stop in (False, True):
            results = [by_rule[stop] for by_rule in sessions]
            candidates = [c for cands, _ in results for c in cands]
            own = statistics.fmean(n for _, _, n in candidates)
            parent = statistics.fmean(share for _, share in results)
            print(f"{effect:+.0f} points, {'with' if stop else 'without'} the out-of-reach stop: kept "
                  f"{statistics.fmean(k for k, _, _ in candidates):.3f}, proven "
                  f"{statistics.fmean(p for _, p, _ in candidates):.3f}; runs per candidate {own:.0f} own + "
                  f"{parent:.0f} parent's = {own + parent:.0f}", flush=True)

if __name__ == "__main__":
    main()
