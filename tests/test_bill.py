from __future__ import annotations

import random

import pytest

from overseer.acceptance import Thresholds
from overseer.bill import CandidateCost, Plan, pass_rates, plan_json, recent_spending, simulate_candidate
from overseer.decision import Decision
from overseer.metrics import RunCosts
from tests.helpers import make_run

TRAIN = {f"t{i}": 0.4 + 0.01 * i for i in range(24)}
HOLDOUT = {f"h{i}": 0.5 for i in range(8)}


def test_a_large_edit_is_kept_and_a_useless_one_almost_never() -> None:
    thresholds = Thresholds(max_repeats=8)
    rng = random.Random(0)
    big = [simulate_candidate(TRAIN, HOLDOUT, 0.5, 2, thresholds, rng) for _ in range(5)]
    assert all(t.accepted for t in big) and all(t.own_runs > 0 for t in big)
    useless = [simulate_candidate(TRAIN, HOLDOUT, 0.0, 2, thresholds, rng) for _ in range(20)]
    assert sum(t.accepted for t in useless) <= 1


def test_seeded_sampling_proves_the_same_edit_in_fewer_runs() -> None:
    thresholds = Thresholds(max_repeats=8)
    runs = {seeded: sum(simulate_candidate(TRAIN, HOLDOUT, 0.15, 2, thresholds, random.Random(s), seeded).own_runs
                        for s in range(10)) for seeded in (True, False)}
    assert runs[True] < runs[False]


def test_pass_rates_are_kept_off_0_and_1_and_skip_infrastructure_failures() -> None:
    records = [make_run("a", True), make_run("a", True), make_run("b", False),
               make_run("b", True).model_copy(update={"infra": True})]
    assert pass_rates(records) == {"a": 0.99, "b": 0.01}


def test_recent_spending_averages_the_last_sessions() -> None:
    decisions = [Decision(session_id="s1", iteration=0, runs_used=100, outcome="rejected"),
                 Decision(session_id="s1", iteration=0, runs_used=50, outcome="unfinished"),
                 Decision(session_id="s1", iteration=1, runs_used=50, outcome="accepted"),
                 Decision(session_id="s2", iteration=0, runs_used=300, outcome="no_proposal")]
    spent = recent_spending(decisions, {"s1": 260, "s2": 10})
    assert spent is not None and (spent.sessions, spent.iterations) == (1, 2)
    assert spent.per_iteration == 100 and spent.per_session == 60
    assert recent_spending([], {}) is None


def test_a_session_is_bounded_by_max_runs() -> None:
    cost = {"useless": CandidateCost(runs=200, kept=0.0), "plus_10": CandidateCost(runs=150, kept=0.9)}
    plan = Plan(target="t", train_tasks=24, holdout_tasks=8, repeats=2, max_repeats=16,
                recorded=RunCosts(runs=64, tokens=500, cost_usd=0.01, seconds=2.0), baseline_runs=64,
                candidates={"seeded": cost, "fresh": cost}, iterations=3, jobs=2, max_runs=None,
                race=3, screen_runs=16)
    assert plan.session_runs("fresh", "useless") == 64 + 3 * 3 * 200
    assert plan.session_runs("fresh", "plus_10") == 64 + 3 * (150 + 2 * 16)
    facts = plan_json(plan)
    assert facts["session"]["fresh"]["useless"]["runs"] == 1864  # type: ignore[index]
    assert facts["session"]["fresh"]["useless"]["cost_usd"] == pytest.approx(18.64)  # type: ignore[index]
    capped = Plan(**{**plan.__dict__, "max_runs": 500})
    assert capped.session_runs("fresh", "useless") == 500
