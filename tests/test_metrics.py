from __future__ import annotations

import pytest

from overseer.metrics import metrics, summarize, wilson_interval
from tests.helpers import make_run, make_runs


def test_the_wilson_interval_is_sane_at_the_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.2 < high < 0.35
    low, high = wilson_interval(10, 10)
    assert 0.65 < low < 0.8 and high == pytest.approx(1.0)


def test_infrastructure_failures_are_counted_and_left_out() -> None:
    records = [*make_runs([True, False, True]), make_run("t9", False).model_copy(update={"infra": True})]
    m = metrics(records)
    assert (m.runs, m.infra_runs) == (3, 1) and m.pass_rate == pytest.approx(2 / 3)
    assert m.tokens_per_run == 100 and m.median_run_s == 1.0
    assert metrics([]).runs == 0


def test_the_summary_counts_failures_by_class_and_sums_usage() -> None:
    failed = make_run("t1", False).model_copy(update={"error_class": "SyntaxError"})
    summary = summarize([make_run("t0", True), failed, failed], wall_s=1.23456)
    assert summary.passed == 1 and summary.error_classes == {"SyntaxError": 2}
    assert summary.input_tokens == 300 and summary.wall_s == 1.235
    assert summary.to_dict()["runs"] == 3
