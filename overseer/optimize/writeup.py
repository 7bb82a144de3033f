"""The text a kept edit leaves in the user's repository for people to review: its commit message
and its ``diffs/`` Markdown record (written where the keeping happens, keep.py)."""

from __future__ import annotations

from overseer.decision import Decision, gain_interval
from overseer.metrics import Metrics


def _rate(m: Metrics | None) -> str:
    return f"{m.pass_rate:.3f}" if m else "?"


def _rates(before: Metrics | None, after: Metrics | None) -> str:
    return f"{before.pass_rate:.3f} → {after.pass_rate:.3f}" if before and after else "-"


def commit_message(decision: Decision) -> str:
    tokens = next((c for c in decision.criteria if c.name == "tokens per run"), None)
    token_note = f", tokens {tokens.value:+.1%}" if tokens and tokens.value is not None else ""
    title = " ".join(decision.hypothesis.split())
    title = title if len(title) <= 72 else title[:71] + "…"
    return (f"{title}\n\ntrain {_rate(decision.train_before)} → {_rate(decision.train_after)}, "
            f"holdout {_rate(decision.holdout_before)} → {_rate(decision.holdout_after)}, "
            f"{gain_interval(decision)}, p = {decision.p_value}{token_note}\n\n"
            f"overseer decision {decision.decision_id}, session {decision.session_id}")


def decision_markdown(decision: Decision, number: int) -> str:
    rows = "\n".join(
        f"| {c.name} | {c.value if c.value is not None else '-'} | "
        f"{c.limit if c.limit is not None else '-'} | {'pass' if c.passed else 'FAIL'} | {c.note} |"
        for c in decision.criteria)
    return (
        f"# {number:04d}: {decision.hypothesis}\n\n"
        f"- target: `{decision.target}`, session `{decision.session_id}`, decision `{decision.decision_id}`\n"
        f"- proposer: {decision.proposer}; edit kind: `{decision.edit.kind if decision.edit else '-'}`\n"
        f"- prompt {decision.parent_hash} → {decision.candidate_hash}\n"
        f"- train pass rate {_rates(decision.train_before, decision.train_after)}, "
        f"holdout {_rates(decision.holdout_before, decision.holdout_after)}\n"
        f"- train {gain_interval(decision) or 'gain -'} (confidence sequence when the test stopped)\n\n"
        f"## Rationale\n\n{decision.rationale or '-'}\n\n"
        f"## Edit\n\n```diff\n{decision.diff}```\n\n"
        f"## Decision: {decision.outcome}\n\n"
        f"| criterion | value | limit | verdict | note |\n|---|---|---|---|---|\n{rows}\n"
    )
