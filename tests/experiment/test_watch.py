from __future__ import annotations

import pytest

from overseer.experiment.watch import binomial_lower_tail, under_rule, watch
from overseer.records import RunRecord
from overseer.routing import Proven, Route
from tests.helpers import make_run

ROUTE = Route(where="complexity<=2", set={"model": "cheap"},
              proven=Proven(experiment="e1", session="exp-session", pass_rate=0.8, margin=0.05, alpha=0.05))


def _run(passed: bool, *, complexity: int = 1, model: str = "cheap", session: str = "later") -> RunRecord:
    return make_run("t", passed).model_copy(update={"complexity": complexity, "settings": {"model": model},
                                                    "session_id": session})


def test_the_lower_tail_is_exact() -> None:
    assert binomial_lower_tail(0, 2, 0.5) == 0.25
    assert binomial_lower_tail(2, 2, 0.5) == 1.0
    assert binomial_lower_tail(3, 10, 0.8) == pytest.approx(0.000864, abs=1e-6)


def test_a_rule_watches_only_later_runs_of_its_band_with_its_settings() -> None:
    assert under_rule(_run(True), ROUTE, {})
    assert not under_rule(_run(True, complexity=3), ROUTE, {})          # outside the band
    assert not under_rule(_run(True, model="strong"), ROUTE, {})        # not routed to it
    assert not under_rule(_run(True, session="exp-session"), ROUTE, {})  # the experiment's own runs


def test_a_band_that_falls_below_its_floor_is_flagged() -> None:
    holding = watch([ROUTE], [_run(True)] * 18 + [_run(False)] * 2, {})
    assert [(w.runs, w.passed, w.floor, w.flagged) for w in holding] == [(20, 18, 0.75, False)]
    [drifted] = watch([ROUTE], [_run(True)] * 8 + [_run(False)] * 12, {})
    assert drifted.flagged and drifted.rate == 0.4 and drifted.experiment == "e1"
    assert watch([Route(where="complexity<=2", set={"model": "cheap"})], [_run(True)], {}) == []
