"""The one-line account of a decision, as the loop reports it while it works."""

from __future__ import annotations

from overseer.decision import Decision, gain_interval


def decision_line(decision: Decision) -> str:
    """One line per decision, as the loop reports it while it works."""
    edit = decision.edit.summary(50) if decision.edit else "-"
    gain = gain_interval(decision)
    p = f"p {decision.p_value:.3f}" if decision.p_value is not None else ""
    figures = ", ".join(x for x in (gain, p) if x)
    return (f"iteration {decision.iteration + 1}: {decision.outcome.upper()} [{edit}] "
            f"{figures} {decision.reason}").rstrip()
