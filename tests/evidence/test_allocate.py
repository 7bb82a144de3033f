"""Runs where outcomes vary: settled tasks are run in only some rounds, the test stays valid for
the mean over all tasks, and the rounds rebuilt from the records are the rounds that were run."""

from __future__ import annotations

import math
import random

from overseer.evidence import allocate
from overseer.evidence.allocate import SETTLED_AFTER, SETTLED_SHARE, Walk, gather, walk_records
from overseer.evidence.betting import Wealth
from overseer.records import RunRecord

ALPHA = 0.05
ROUNDS = 16


def _record(task: str, repeat: int, passed: bool, prompt: str, seed: int) -> RunRecord:
    return RunRecord(session_id="s", target="t", command="c", prompt_hash=prompt, task_id=task,
                     task_hash="h", task_set_hash="hs", repeat=repeat, seed=seed, started_at="",
                     exit_code=0, timed_out=False, command_s=1.0, passed=passed, score=float(passed))


def _passed(record: RunRecord) -> float:
    return float(record.passed)


def test_tasks_that_agree_are_settled_and_run_in_some_later_rounds_by_a_seeded_coin() -> None:
    tasks = [f"t{i:02d}" for i in range(40)]
    walk = Walk(tasks, seed=7)
    for _ in range(SETTLED_AFTER):
        assert len(walk.chosen()) == 40
        walk.add({t: 1.0 if t == "t00" else 0.0 for t in tasks})
    chosen = walk.chosen()
    assert "t00" in chosen and chosen["t00"] == 1.0       # it varied: run every round
    assert 0.5 * 39 < len(chosen) - 1 < 0.9 * 39           # the settled ones with chance 0.7
    assert all(p == SETTLED_SHARE for t, p in chosen.items() if t != "t00")
    assert chosen == _after_agreement(tasks, 7).chosen()
    assert chosen != _after_agreement(tasks, 8).chosen()   # another seed, other rounds
    settled = next(t for t in tasks[1:] if t in chosen)
    walk.add({t: (-1.0 if t == settled else 0.0) for t in chosen})
    [round_] = walk.rounds[-1:]
    assert round_.q == SETTLED_SHARE and -1 / SETTLED_SHARE in round_.values
    assert round_.values.count(0.0) == 39                  # the others: no difference or not run
    assert not walk.settled(settled) and walk.chances()[settled] == 1.0


def _after_agreement(tasks: list[str], seed: int) -> Walk:
    walk = Walk(tasks, seed)
    for _ in range(SETTLED_AFTER):
        walk.add({t: 1.0 if t == "t00" else 0.0 for t in tasks})
    return walk


def test_every_task_runs_every_round_until_most_tasks_are_settled() -> None:
    tasks = [f"t{i}" for i in range(10)]
    walk = Walk(tasks, seed=1)
    for _ in range(4):
        walk.add({t: (1.0 if i < 6 else 0.0) for i, t in enumerate(tasks)})  # 4 of 10 agree
    assert len(walk.chosen()) == 10 and not walk.sampled


def test_under_the_null_the_keep_rate_is_at_most_alpha_with_settled_tasks_weighted() -> None:
    """Mean gain exactly 0: +90 points on 4 tasks, -11.25 on 32 that mostly agree (seeded draws)
    and so are settled and run in only some rounds, where a loss weighs 1/0.7. Monitored after
    every round of 16; 2,000 trials. The weighted values average the true gain, 0; left
    unweighted (a run task counted as if always run) they would average +0.006."""
    rng = random.Random(11)
    rates = [(0.05, 0.95)] * 4 + [(0.5, 0.3875)] * 32
    tasks = [f"t{i:02d}" for i in range(len(rates))]
    kept = sampled = 0
    values: list[float] = []
    for _ in range(2000):
        walk = Walk(tasks, seed=rng.randrange(2 ** 31))
        wealth, crossed = Wealth(), False
        for _ in range(ROUNDS):
            chosen = walk.chosen()
            differences = {}
            for task, (p, q) in zip(tasks, rates, strict=True):
                u = rng.random()
                if task in chosen:
                    differences[task] = float(u < q) - float(u < p)
            walk.add(differences)
            wealth.add(walk.rounds[-1])
            crossed = crossed or wealth.log >= math.log(1 / ALPHA)
        kept += crossed
        sampled += walk.sampled
        values += [x for round_ in walk.rounds for x in round_.values]
    assert sampled > 1900                      # the weighted path is what was tested
    assert abs(sum(values) / len(values)) < 0.002, sum(values) / len(values)
    assert kept / 2000 <= ALPHA, kept


def test_the_rounds_rebuilt_from_the_records_are_the_rounds_run() -> None:
    rng = random.Random(5)
    rates = {f"t{i:02d}": rng.choice([0.0, 0.0, 1.0, 0.3, 0.6]) for i in range(20)}
    uniforms: dict[tuple[str, int], float] = {}
    fetched: list[list[tuple[str, int]]] = []

    def fetch(pairs: list[tuple[str, int]]) -> tuple[list[RunRecord], list[RunRecord]]:
        fetched.append(pairs)
        before, after = [], []
        for task, k in pairs:
            u = uniforms.setdefault((task, k), rng.random())
            before.append(_record(task, k, u < rates[task], "parent", 3))
            after.append(_record(task, k, u < min(1.0, rates[task] + 0.2), "cand", 3))
        return before, after

    before, after = gather(sorted(rates), 3, 8, _passed, fetch)
    assert len(fetched) == 1 + 8 - SETTLED_AFTER            # first rounds together, then one each
    assert len(after) < 8 * 20                              # settled tasks skipped some rounds
    walk = walk_records(before, after, _passed)
    again = Walk(sorted(rates), 3)
    for k in range(8):
        again.add({r.task_id: float(a.passed) - float(r.passed)
                   for r, a in zip(before, after, strict=True) if r.repeat == k})
    assert walk.rounds == again.rounds and walk.sampled
    # runs recorded for pairs the walk did not choose (another candidate's, say) change nothing
    extra_b = [_record(t, k, True, "parent", 3) for t in rates for k in range(8)]
    extra_a = [_record(t, k, False, "cand", 3) for t in rates for k in range(8)]
    ran = {(r.task_id, r.repeat) for r in after}
    more = walk_records([*before, *(r for r in extra_b if (r.task_id, r.repeat) not in ran)],
                        [*after, *(r for r in extra_a if (r.task_id, r.repeat) not in ran)], _passed)
    assert more.rounds == walk.rounds


def test_with_every_task_run_every_round_nothing_is_weighted(monkeypatch: object) -> None:
    monkeypatch.setattr(allocate, "SETTLED_SHARE", 1.0)  # type: ignore[attr-defined]
    walk = _after_agreement([f"t{i}" for i in range(10)], 2)
    walk.add(dict.fromkeys(walk.chosen(), 0.0))
    assert len(walk.rounds[-1].values) == 10 and walk.rounds[-1].q == 1.0
