"""The drift probe's sample and test (pure)."""

from __future__ import annotations

from overseer.optimize.drift import PROBE_ALPHA, compare, probe_sample, sign_test
from overseer.records import Usage
from tests.test_records import make_record


def test_sign_test_is_exact_and_two_sided() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(8, 0) == sign_test(0, 8) == 2 / 256
    assert sign_test(3, 3) == 1.0
    assert sign_test(7, 0) > PROBE_ALPHA >= sign_test(8, 0)  # 7 changes one way are not enough


def test_compare_counts_changes_pair_by_pair() -> None:
    then = [make_record(i).model_copy(update={"passed": True}) for i in range(10)]
    now = [r.model_copy(update={"passed": i >= 9}) for i, r in enumerate(then)]
    result = compare(then, now)
    assert (result.pairs, result.worse, result.better) == (10, 9, 0) and result.drifted
    assert not compare(then, then).drifted and compare(then, then).p_value == 1.0


def test_the_sample_is_seeded_and_independent_of_order() -> None:
    runs = [make_record(i) for i in range(30)]
    sample = probe_sample(runs, seed=3)
    assert len(sample) == 12 and sample == probe_sample(list(reversed(runs)), seed=3)
    assert sample != probe_sample(runs, seed=4)


def test_a_change_of_the_reported_model_is_drift_even_with_the_same_outcomes() -> None:
    then = [make_record(i).model_copy(update={"usage": Usage(model="gpt-x-0612")}) for i in range(6)]
    now = [r.model_copy(update={"usage": Usage(model="gpt-x-0805")}) for r in then]
    result = compare(then, now)
    assert result.drifted and (result.worse, result.better) == (0, 0)
    assert result.describe().startswith("the command reports model gpt-x-0805 now, gpt-x-0612 then; ")
    assert not compare(then, then).drifted
    silent = [r.model_copy(update={"usage": None}) for r in then]  # a command that reports none
    assert not compare(then, silent).drifted and not compare(silent, now).drifted
