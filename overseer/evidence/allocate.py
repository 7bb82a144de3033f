"""Runs where outcomes vary: which tasks each round of a candidate's betting test runs.

A task on which the parent and the candidate agreed (equal paired value) in each of its first
SETTLED_AFTER rounds and every round since is *settled*: in a later round it is run only with
probability SETTLED_SHARE, by a coin that depends on the target's seed, the task and the round and
on nothing that was run, and when run its difference counts x / SETTLED_SHARE (when not, 0). That
is an inverse-probability (Horvitz-Thompson) estimate: given the past, each task's value still has
expectation equal to its true paired gain, so the test of the mean over ALL tasks stays valid
(evidence/betting.py caps the round's stakes to keep its wealth positive). The expectation is over
the coin as well as the runs: the coin is a pseudo-random function of (seed, task, round), as
independent of the outcomes and of the edit as the run seeds are of each other. Tasks whose outcomes vary
are run every round. A settled task that disagrees once is run every round from then on.

Subsampling starts only once at least SETTLED_QUORUM of the tasks are settled: the cap on the
stakes holds back the bet on every task of the round, which costs more power than the skipped runs
save when few tasks are settled (as with a model that cannot be seeded, where only tasks always
passed or always failed agree). Why these figures (`benchmarks/decisions.py --settled-share Q`,
seeded sampling on the example task set, 1,000 trials per effect): at Q = 0.7 a +3-point edit was
kept in 64.4% of trials (64.7% with every task every round) with 20% fewer runs per kept edit, a
+5-point one 12% fewer, +10 points 5% fewer; Q = 0.5 saved 24% at +3 points but kept 4 points
fewer; with fresh sampling the quorum is rarely met and nothing changes.

The walk is the single definition of the rounds: the optimizer asks it which tasks the next round
needs, and the decision rebuilds the same rounds from the recorded runs (a run recorded for a pair
the walk did not choose, e.g. the parent's run made for another candidate, is not used), so a test
continued later sees exactly what it saw.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from overseer.evidence.betting import Round
from overseer.records import RunRecord
from overseer.seeds import allocation_coin

SETTLED_AFTER = 2     # rounds of agreement (from the first) before a task counts as settled
SETTLED_SHARE = 0.7   # the chance a settled task is run in a later round
SETTLED_QUORUM = 0.5  # ... once at least this share of the tasks is settled
Pair = tuple[str, int]
Value = Callable[[RunRecord], float]


class Walk:
    """A candidate's test against its parent, round after round: which tasks each round runs, and
    the rounds (evidence/betting.Round) that the runs make."""

    def __init__(self, tasks: Iterable[str], seed: int) -> None:
        self.tasks, self.seed = sorted(set(tasks)), seed
        self.agreed: dict[str, int] = dict.fromkeys(self.tasks, 0)  # rounds seen, each with no difference
        self.varied: set[str] = set()
        self.rounds: list[Round] = []

    def chances(self) -> dict[str, float]:
        """Each task's chance of being run in the next round."""
        settled = {t for t in self.tasks if self.settled(t)}
        if len(settled) < SETTLED_QUORUM * len(self.tasks):
            return dict.fromkeys(self.tasks, 1.0)
        return {t: SETTLED_SHARE if t in settled else 1.0 for t in self.tasks}

    def settled(self, task: str) -> bool:
        return task not in self.varied and self.agreed[task] >= SETTLED_AFTER

    def chosen(self) -> dict[str, float]:
        """The tasks the next round runs, with their chances."""
        k = len(self.rounds)
        return {t: p for t, p in self.chances().items() if p >= 1 or allocation_coin(self.seed, t, k) < p}

    def pairs(self) -> list[Pair]:
        return [(task, len(self.rounds)) for task in self.chosen()]

    def add(self, differences: dict[str, float]) -> None:
        """The next round's paired differences of the chosen tasks (a chosen task missing from
        them lost its pair to infrastructure and is left out of the round, as everywhere)."""
        chances, chosen = self.chances(), self.chosen()
        values = []
        for task in self.tasks:
            if task not in chosen:
                values.append(0.0)
            elif (x := differences.get(task)) is not None:
                values.append(x / chosen[task])
                if abs(x) > 1e-12:
                    self.varied.add(task)
                else:
                    self.agreed[task] += 1
        self.rounds.append(Round(tuple(values), min(chances.values(), default=1.0)))

    @property
    def sampled(self) -> bool:
        """Some round ran only part of the settled tasks."""
        return any(r.q < 1 for r in self.rounds)


def differences_by_round(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord],
                         value: Value) -> dict[int, dict[str, float]]:
    """round -> task -> candidate minus parent, for the pairs with no infrastructure failure."""
    base = {(r.task_id, r.repeat): value(r) for r in baseline if not r.infra}
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for r in candidate:
        if (r.task_id, r.repeat) in base and not r.infra:
            out[r.repeat][r.task_id] = value(r) - base[(r.task_id, r.repeat)]
    return out


def walk_records(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord], value: Value,
                 rounds: int | None = None) -> Walk:
    """The walk these runs make: its tasks are the candidate's, its seed the target's (every run
    records it), its rounds as many as the candidate's repeats (or ``rounds``)."""
    seed = candidate[0].seed if candidate else 0
    walk = Walk({r.task_id for r in candidate}, seed)
    by_round = differences_by_round(baseline, candidate, value)
    top = rounds if rounds is not None else max((r.repeat for r in candidate), default=-1) + 1
    for k in range(top):
        chosen = walk.chosen()
        walk.add({t: x for t, x in by_round.get(k, {}).items() if t in chosen})
    return walk


def gather(tasks: Sequence[str], seed: int, rounds: int, value: Value,
           fetch: Callable[[list[Pair]], tuple[list[RunRecord], list[RunRecord]]]
           ) -> tuple[list[RunRecord], list[RunRecord]]:
    """The parent's and the candidate's runs for ``rounds`` rounds of the walk: ``fetch`` gets the
    (task, repeat) pairs it needs (from the cache or run now) and returns both prompts' runs of
    them. The rounds before any task can be settled go in one fetch; each later round in its own,
    since which tasks it runs depends on the rounds before it."""
    walk = Walk(tasks, seed)
    before: list[RunRecord] = []
    after: list[RunRecord] = []
    pending: list[Pair] = []
    for k in range(rounds):
        if k >= SETTLED_AFTER and pending:
            _take(walk, fetch, pending, before, after, value)
            pending = []
        if k < SETTLED_AFTER:
            pending += [(t, k) for t in walk.tasks]
            continue
        pending = walk.pairs()
    if pending:
        _take(walk, fetch, pending, before, after, value)
    return before, after


def _take(walk: Walk, fetch: Callable[[list[Pair]], tuple[list[RunRecord], list[RunRecord]]],
          pairs: list[Pair], before: list[RunRecord], after: list[RunRecord], value: Value) -> None:
    got_before, got_after = fetch(pairs)
    before += got_before
    after += got_after
    by_round = differences_by_round(got_before, got_after, value)
    for k in sorted({k for _, k in pairs}):
        walk.add(by_round.get(k, {}))
