from __future__ import annotations

from overseer.bill import CandidateCost, Plan
from overseer.metrics import RunCosts
from overseer.report.session import plan_line, wall


def _plan(iterations: int, runs: float) -> Plan:
    cost = {"useless": CandidateCost(runs=runs, kept=0.0), "plus_10": CandidateCost(runs=runs, kept=1.0)}
    return Plan(target="codewriter", train_tasks=36, holdout_tasks=12, repeats=2, max_repeats=16,
                recorded=RunCosts(runs=96, tokens=400, cost_usd=0.002, seconds=3.0), baseline_runs=0,
                candidates={"seeded": cost, "fresh": cost}, iterations=iterations, jobs=2, max_runs=None)


def test_a_wall_time_is_said_in_the_unit_that_suits_it() -> None:
    assert wall(24.4) == "24 s"
    assert wall(40, 300) == "1 to 5 minutes"
    assert wall(3000, 9000) == "0.8 to 2.5 hours"


def test_the_bill_is_one_line_with_one_figure_when_low_and_high_agree() -> None:
    line = plan_line(_plan(1, 200))
    assert line == ("the bill in advance: about 200 runs for 1 iteration ($0.40, 5 minutes at -j 2); "
                    "`overseer plan codewriter` explains it")
    assert "about 600 runs for 3 iterations" in plan_line(_plan(3, 200))
