from __future__ import annotations

from overseer.decision import Decision
from overseer.edits import Edit
from overseer.report.writeup import decision_line


def test_one_line_per_decision_with_its_evidence() -> None:
    decision = Decision(iteration=1, outcome="rejected", gain=0.02, interval=[-0.05, 0.1], p_value=0.3,
                        reason="failed: p-value", edit=Edit(op="delete", old="- Be brief.\n", kind="k"))
    line = decision_line(decision)
    assert line.startswith("iteration 2: REJECTED [")
    assert "gain +0.020, in [-0.050, +0.100], p 0.300 failed: p-value" in line
    assert decision_line(Decision(outcome="no_proposal")) == "iteration 1: NO_PROPOSAL [-]"
