"""The test against a well-measured parent (evidence/measured.py): the chance of keeping an edit
that is no better stays under α however often it is looked at, for nulls whose tasks differ (easy,
impossible, and edits that help some tasks and hurt others as much); it finds real gains; its
interval holds the true gain; it reads the two streams from records."""

from __future__ import annotations

import random

import pytest

from overseer.evidence import measured
from overseer.evidence.measured import OWN_SEEDS, Streams, interval, p_value, rejects, streams
from tests.helpers import make_run

ALPHA = 0.05
TASKS = 24
ROUNDS = 16           # looks after every round, as the optimizer's (max_repeats)


def _parent_rates(rng: random.Random, kind: str) -> list[float]:
    if kind == "spread":       # easy and impossible tasks and everything between
        return [rng.choice([0.0, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98, 1.0]) for _ in range(TASKS)]
    return [rng.uniform(0.2, 0.6) for _ in range(TASKS)]


def _null_candidate(rates: list[float], rng: random.Random, kind: str, shift: float) -> list[float]:
    """A candidate whose mean gain over the tasks is exactly ``shift`` (<= 0)."""
    if kind == "mixed":        # helps half the tasks, hurts the others as much
        moves = [0.2 if k % 2 else -0.2 for k in range(TASKS)]
        out = [min(1.0, max(0.0, p + m)) for p, m in zip(rates, moves, strict=True)]
        drift = (sum(out) - sum(rates)) / TASKS
        out = [min(1.0, max(0.0, q - drift)) for q in out]   # clipping can leave a few points
    else:
        out = list(rates)
    return [min(1.0, max(0.0, q + shift)) for q in out]


def _ever_rejects(parent: list[float], candidate: list[float], rng: random.Random) -> bool:
    """One candidate looked at after each of its rounds, the parent measured over three times as
    many: True if any look rejects "no better" at α."""
    p_sum = p_runs = c_sum = c_runs = 0
    parent_rounds = 0
    for r in range(1, ROUNDS + 1):
        c_sum += sum(rng.random() < q for q in candidate)
        c_runs += TASKS
        while parent_rounds < measured.parent_rounds(r, 3 * ROUNDS):
            p_sum += sum(rng.random() < p for p in parent)
            p_runs += TASKS
            parent_rounds += 1
        if rejects(Streams(p_sum, p_runs, c_sum, c_runs), 0.0, ALPHA):
            return True
    return False


@pytest.mark.parametrize("kind, shift", [("plain", 0.0), ("spread", 0.0), ("mixed", 0.0),
                                         ("plain", -0.05), ("spread", -0.05)])
def test_a_candidate_no_better_is_kept_at_most_alpha_of_the_time(kind: str, shift: float) -> None:
    rng = random.Random(f"{kind}:{shift}")
    trials = 5000
    kept = 0
    for _ in range(trials):
        parent = _parent_rates(rng, "spread" if kind == "spread" else "plain")
        candidate = _null_candidate(parent, rng, kind, shift)
        assert sum(candidate) <= sum(parent) + 1e-9
        kept += _ever_rejects(parent, candidate, rng)
    assert kept / trials <= ALPHA, kept


def test_a_real_gain_is_found_and_its_interval_holds_it() -> None:
    rng = random.Random(7)
    found = covered = 0
    trials = 200
    for _ in range(trials):
        parent = _parent_rates(rng, "plain")
        candidate = [min(1.0, p + 0.15) for p in parent]
        truth = (sum(candidate) - sum(parent)) / TASKS
        s = Streams(sum(rng.random() < p for _ in range(3 * ROUNDS) for p in parent), 3 * ROUNDS * TASKS,
                    sum(rng.random() < q for _ in range(ROUNDS) for q in candidate), ROUNDS * TASKS)
        found += p_value(s) <= ALPHA
        low, high = interval(s, ALPHA).low, interval(s, ALPHA).high
        covered += low <= truth <= high
    assert found / trials >= 0.9, found
    assert covered / trials >= 0.95, covered


def test_the_p_value_and_the_rejection_agree_and_the_estimate_must_lead() -> None:
    s = Streams(parent_sum=400, parent_runs=1000, own_sum=150, own_runs=250)   # 0.40 against 0.60
    assert rejects(s, 0.0, ALPHA) and p_value(s) <= ALPHA
    assert not rejects(s, 0.3, ALPHA)                      # a gain of 0.3 is not ruled out
    assert not rejects(s, 0.05, ALPHA, up=False)           # nor that it is at least 0.05
    assert rejects(Streams(400, 1000, 60, 250), 0.0, ALPHA) is False and p_value(Streams(400, 1000, 60, 250)) == 1.0
    assert p_value(Streams(0, 0, 10, 10)) == 1.0           # no parent runs: no evidence


def test_the_streams_come_from_the_parents_seeds_and_the_candidates_own() -> None:
    parent = [make_run("a", True, repeat=0), make_run("a", False, repeat=1), make_run("b", True, repeat=0),
              make_run("c", True, repeat=0)]                      # c: the candidate never ran it
    candidate = [make_run("a", True, repeat=OWN_SEEDS), make_run("b", False, repeat=OWN_SEEDS),
                 make_run("a", True, repeat=0),                 # a screen's run at the parent's seed
                 make_run("b", True, repeat=OWN_SEEDS + 1).model_copy(update={"infra": True})]
    s = streams(parent, candidate, lambda r: float(r.passed))
    assert (s.parent_sum, s.parent_runs, s.own_sum, s.own_runs) == (2.0, 3, 1.0, 2)
    assert measured.measured(candidate) and not measured.measured(parent)
    assert measured.infra_share(parent, candidate) == pytest.approx(1 / 3)
