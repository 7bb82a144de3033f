from __future__ import annotations

from typing import Any

from overseer.acceptance import Thresholds
from overseer.decision import Criterion, Decision
from overseer.evidence.looks import DETERMINISTIC
from overseer.metrics import Metrics
from overseer.optimize.iteration import resumable


def test_resumable_candidates_are_the_unproven_and_those_stopped_early() -> None:
    def decision(outcome: str, interval: list[float] | None, **fields: Any) -> Decision:
        return Decision(outcome=outcome, interval=interval, parent_hash="p",
                        candidate_hash=f"{outcome}{interval}{sorted(fields)}", **fields)

    unproven = decision("unproven", [0.0, 0.2])
    early = decision("rejected", [-0.1, 0.1])
    found = resumable([unproven, early, decision("rejected", [-0.2, 0.02]),  # the interval rules it out
                       decision("rejected", [-0.1, 0.1], holdout_after=Metrics(runs=4, pass_rate=0.5, mean_score=0.5,
                                                                                tokens_per_run=1, median_run_s=1)),
                       decision("screened_out", None)], Thresholds(min_gain=0.03))
    assert list(found.values()) == [unproven, early]


def test_a_deterministic_command_or_an_interval_below_min_gain_is_not_resumed() -> None:
    fixed = Decision(outcome="rejected", interval=[-0.1, 0.1], parent_hash="p", candidate_hash="c1",
                     criteria=[Criterion(name="p-value", value=1, limit=0.05, passed=False,
                                         note=f"...; {DETERMINISTIC}, so no more repeats were run")])
    low = Decision(outcome="rejected", interval=[-0.1, 0.1], parent_hash="p", candidate_hash="c2")
    assert resumable([fixed], Thresholds(min_gain=0.03)) == {}
    assert resumable([low], Thresholds(min_gain=0.2)) == {}
    assert list(resumable([low], Thresholds(min_gain=0.1))) == [("p", "c2")]
    later = low.model_copy(update={"outcome": "invalid"})
    assert list(resumable([low, later], Thresholds(min_gain=0.1))) == [("p", "c2")]   # invalid is no news
