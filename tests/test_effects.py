from __future__ import annotations

import pytest

from overseer.decision import Decision
from overseer.edits import Edit
from overseer.effects import kind_effects


def _decision(kind: str, gain: float | None, outcome: str = "rejected") -> Decision:
    return Decision(outcome=outcome, gain=gain,  # type: ignore[arg-type]
                    edit=Edit(op="delete", old="x\n", kind=kind))


def test_each_kind_gets_its_mean_gain_with_a_t_interval() -> None:
    decisions = [_decision("a", 0.10, "accepted"), _decision("a", 0.12, "accepted"), _decision("a", 0.08),
                 _decision("b", -0.05), _decision("b", -0.07), _decision("b", -0.06)]
    effects = kind_effects(decisions)
    assert effects["a"].attempts == 3 and effects["a"].accepted == 2
    assert effects["a"].mean_gain == pytest.approx(0.10) and effects["a"].verdict == "helpful"
    assert effects["b"].verdict == "harmful" and effects["b"].high < 0


def test_a_single_attempt_is_uncertain_and_undecided_ones_do_not_count() -> None:
    effects = kind_effects([_decision("a", 0.3, "accepted"), _decision("a", 0.5, "unproven"),
                            _decision("c", None), Decision(outcome="no_proposal")])
    assert list(effects) == ["a"] and effects["a"].attempts == 1
    assert (effects["a"].low, effects["a"].high) == (-0.7, 1.0) and effects["a"].verdict == "uncertain"
    assert effects["a"].to_dict()["kind"] == "a"
