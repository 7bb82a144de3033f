"""How strongly the run seed couples two prompts' runs, measured on the runs themselves.

Two prompts run at the same (task, repeat) get the same seed (seeds.run_seed). Whether that makes
their outcomes alike depends on the model, its server and the length of the reply (BENCHMARKS.md,
"Seeds on a real model": about half-coupled on one-word answers, not at all on long code). So it
is measured, never assumed: the share of (task, repeat) pairs on which both prompts gave the same
value (same seed), against the share over pairs of the same task at different repeats (other
seeds, which only the tasks' own difficulty makes alike). The coupling is how much of the
disagreement left at other seeds the same seed removes, out of what it could remove: where the
edit changes a task's pass rate from p to q, the prompts cannot agree on more than 1 - |p - q| of
its runs (a shared draw below both rates passes both, above both fails both). So
(same - other) / (possible - other): 0 when the seed does nothing (fresh sampling), 1 when it
makes the prompts agree wherever their rates let them (the simulator's seeded sampling). A command
whose every task gives one value in every run is deterministic: nothing is left to couple.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from overseer.acceptance import Objective
from overseer.evidence.measured import OWN_SEEDS
from overseer.evidence.paired import run_value
from overseer.records import RunRecord

PROBE_PAIRS = 32     # (task, repeat) pairs of two prompts before the coupling is trusted
PAIRED_FROM = 0.4    # the coupling from which a pair carries more than a measured run (a pair's
                     # variance is 2(1 - coupling) runs', a measured run against a parent measured
                     # over three times as many rounds 4/3 of one: break-even near 1/3)


@dataclass(frozen=True)
class Coupling:
    same_seed: float    # agreement of the two prompts at the same (task, repeat)
    other_seed: float   # agreement of the two prompts at the same task, other repeats
    pairs: int          # (task, repeat) pairs both prompts ran
    possible: float = 1.0  # the most agreement the two prompts' per-task rates allow

    @property
    def deterministic(self) -> bool:
        return self.same_seed == 1.0 and self.other_seed == 1.0

    @property
    def strength(self) -> float:
        """0: the seed makes no difference; 1: it makes the prompts agree wherever they can."""
        room = self.possible - self.other_seed
        if room <= 1e-9:
            return 1.0 if self.same_seed >= self.other_seed else 0.0
        return min(1.0, max(0.0, (self.same_seed - self.other_seed) / room))

    @property
    def trusted(self) -> bool:
        return self.pairs >= PROBE_PAIRS

    @property
    def pairs_pay(self) -> bool:
        """A paired comparison is the cheaper one for this coupling."""
        return self.deterministic or self.strength >= PAIRED_FROM

    def describe(self) -> str:
        if self.deterministic:
            return f"every task gave one outcome in every run ({self.pairs} pairs): the command is deterministic"
        verdict = ("the model uses the seed" if self.strength >= 0.75 else
                   "the seed couples runs partly" if self.strength >= 0.25 else "the seed makes no difference")
        return (f"runs at the same seed agree {self.same_seed:.0%} of the time, {self.other_seed:.0%} at "
                f"other seeds ({self.pairs} pairs): {verdict} (coupling {self.strength:.2f})")


def coupling(first: Sequence[RunRecord], second: Sequence[RunRecord], objective: Objective = "pass_rate"
             ) -> Coupling | None:
    """The coupling of two prompts' runs (or of one prompt's runs made twice), from the tasks both
    ran at two repeats or more; None when there are none. Infrastructure failures are left out."""
    return pooled([(first, second)], objective)


def pooled(comparisons: Sequence[tuple[Sequence[RunRecord], Sequence[RunRecord]]],
           objective: Objective = "pass_rate") -> Coupling | None:
    """The coupling over several comparisons (a parent against each of its candidates), their
    counts added; None when none has a task run at two repeats or more by both."""
    same = other = possible = 0.0
    same_n = other_n = 0
    for first, second in comparisons:
        one = {(r.task_id, r.repeat): run_value(r, objective) for r in first if not r.infra}
        two = {(r.task_id, r.repeat): run_value(r, objective) for r in second if not r.infra}
        by_task: dict[str, list[int]] = defaultdict(list)
        for task, repeat in sorted(one.keys() & two.keys()):
            by_task[task].append(repeat)
        for task, repeats in by_task.items():
            if len(repeats) < 2:
                continue
            gap = abs(sum(one[(task, r)] for r in repeats) - sum(two[(task, r)] for r in repeats)) / len(repeats)
            possible += len(repeats) * (1.0 - gap)
            for r in repeats:
                same += one[(task, r)] == two[(task, r)]
                same_n += 1
                for s in repeats:
                    if s != r:
                        other += one[(task, r)] == two[(task, s)]
                        other_n += 1
    if not same_n:
        return None
    return Coupling(same / same_n, other / other_n, same_n, possible / same_n)


RECENT_COMPARISONS = 20  # the decisions whose runs the recorded coupling is measured on


def of_comparisons(records: Sequence[RunRecord], pairs: Sequence[tuple[str, str]],
                   objective: Objective = "pass_rate") -> Coupling | None:
    """The coupling over these (parent hash, candidate hash) comparisons, from their recorded runs:
    each prompt's runs at the parent's seeds (repeats below evidence/measured.OWN_SEEDS), compared
    only within one setup (task set, seed, command, environment)."""
    # prompt -> setup (task set, seed, command, environment) -> its runs at the parent's seeds
    runs: dict[str, dict[tuple[str, int, str, str], list[RunRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        if r.repeat < OWN_SEEDS:
            runs[r.prompt_hash][(r.task_set_hash, r.seed, r.command, r.environment)].append(r)
    comparisons = [(parent_runs, runs[candidate][setup])
                   for parent, candidate in dict.fromkeys(pairs)
                   for setup, parent_runs in runs.get(parent, {}).items() if setup in runs.get(candidate, {})]
    return pooled(comparisons, objective)
