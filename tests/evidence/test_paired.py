from __future__ import annotations

import pytest

from overseer.acceptance import Weight, WeightedObjective
from overseer.evidence.paired import (
    deterministic,
    infra_share,
    paired_differences,
    run_value,
    side_by_side_times,
)
from tests.helpers import make_rounds, make_run, make_runs


def test_pairing_is_by_task_and_repeat() -> None:
    before = [make_run("a", False, 0), make_run("a", True, 1), make_run("b", True, 0)]
    after = [make_run("a", True, 0), make_run("a", True, 1), make_run("c", True, 0)]
    assert paired_differences(before, after, "pass_rate") == {"a": 0.5}

def test_a_weighted_objective_counts_what_a_run_spends() -> None:
    objective = WeightedObjective(tokens=Weight(weight=0.2, scale=4000))
    assert run_value(make_run("a", True, tokens=1000), objective) == pytest.approx(0.8 + 0.2 * 0.75)
    assert run_value(make_run("a", False, tokens=8000), objective) == 0.0   # past the scale: no more cost
    no_usage = make_run("a", True).model_copy(update={"usage": None})
    assert run_value(no_usage, objective) == pytest.approx(0.8)   # unknown spending earns no credit
    # the same outcomes with half the tokens: no gain on the pass rate, a gain on the weighted score
    before, after = make_runs([True, False] * 6, tokens=2000), make_runs([True, False] * 6, tokens=1000)
    assert paired_differences(before, after, "pass_rate") == dict.fromkeys((f"t{i}" for i in range(12)), 0.0)
    assert list(paired_differences(before, after, objective).values()) == [pytest.approx(0.05)] * 12
    with pytest.raises(ValueError, match=r"add up to at most 0\.5"):
        WeightedObjective(tokens=Weight(weight=0.4, scale=1), cost_usd=Weight(weight=0.2, scale=1))


def test_a_pair_lost_to_infrastructure_counts_in_the_share_and_not_as_evidence() -> None:
    before = make_runs([False] * 4)
    after = [r.model_copy(update={"infra": True}) if i == 0 else r for i, r in enumerate(make_runs([True] * 4))]
    assert infra_share(before, after) == 0.25
    assert paired_differences(before, after, "pass_rate") == {"t1": 1.0, "t2": 1.0, "t3": 1.0}
    assert infra_share([], []) == 0.0


def test_a_command_is_deterministic_only_when_every_task_repeats_its_outcome() -> None:
    same = make_rounds([[True, False]] * 2, [[True, True]] * 2)
    assert deterministic(*same, "pass_rate")
    one_round = make_rounds([[True, False]], [[True, True]])
    assert not deterministic(*one_round, "pass_rate")      # a single repeat shows nothing
    varied = make_rounds([[True, False], [False, False]], [[True, True]] * 2)
    assert not deterministic(*varied, "pass_rate")


def test_only_runs_of_one_batch_are_timed_against_each_other() -> None:
    before = [make_run("a", True, seconds=1.0, batch="b1"), make_run("b", True, seconds=1.0, batch="b1")]
    after = [make_run("a", True, seconds=2.0, batch="b1"), make_run("b", True, seconds=9.0, batch="b2")]
    assert side_by_side_times(before, after) == [(1.0, 2.0)]
