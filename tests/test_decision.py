from __future__ import annotations

import pytest
from pydantic import ValidationError

from overseer.decision import NOT_EVIDENCE, Criterion, Decision, gain_interval


def test_a_decision_round_trips_and_refuses_unknown_fields() -> None:
    decision = Decision(outcome="accepted", gain=0.1, interval=[0.02, 0.2],
                        criteria=[Criterion(name="train gain", value=0.1, limit=0.03, passed=True)])
    assert Decision.model_validate_json(decision.model_dump_json()) == decision
    with pytest.raises(ValidationError):
        Decision.model_validate({**decision.model_dump(), "gian": 0.1})
    assert Decision().decision_id != Decision().decision_id


def test_the_gain_is_shown_with_its_interval() -> None:
    assert gain_interval(Decision(gain=0.056, interval=[0.006, 0.124])) == "gain +0.056, in [+0.006, +0.124]"
    assert gain_interval(Decision(gain=-0.01)) == "gain -0.010"
    assert gain_interval(Decision()) == ""


def test_only_undecided_outcomes_are_no_evidence() -> None:
    assert {"inconclusive", "unfinished", "unproven"} == NOT_EVIDENCE
