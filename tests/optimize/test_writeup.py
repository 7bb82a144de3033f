from __future__ import annotations

from overseer.decision import Criterion, Decision
from overseer.metrics import Metrics
from overseer.optimize.writeup import commit_message, decision_markdown


def _metrics(rate: float) -> Metrics:
    return Metrics(runs=10, pass_rate=rate, mean_score=rate, tokens_per_run=100, median_run_s=1)


DECISION = Decision(
    decision_id="d1", session_id="s1", target="codewriter", outcome="accepted", gain=0.125,
    interval=[0.02, 0.3], p_value=0.01, hypothesis="Say   the output format\nonce",
    train_before=_metrics(0.4), train_after=_metrics(0.525), holdout_before=_metrics(0.5),
    holdout_after=_metrics(0.5), diff="-old\n+new\n",
    criteria=[Criterion(name="tokens per run", value=0.05, limit=0.2, passed=True)])


def test_the_commit_message_has_a_short_title_and_the_evidence() -> None:
    message = commit_message(DECISION)
    title, _, body = message.partition("\n\n")
    assert title == "Say the output format once"
    assert "train 0.400 → 0.525, holdout 0.500 → 0.500, gain +0.125, in [+0.020, +0.300], p = 0.01, tokens +5.0%" in body
    assert message.endswith("overseer decision d1, session s1")
    long = commit_message(DECISION.model_copy(update={"hypothesis": "x" * 100}))
    assert len(long.splitlines()[0]) == 72 and long.splitlines()[0].endswith("…")


def test_the_diffs_record_has_the_edit_and_every_criterion() -> None:
    markdown = decision_markdown(DECISION, 3)
    assert markdown.startswith("# 0003: Say   the output format\nonce")
    assert "```diff\n-old\n+new\n```" in markdown
    assert "| tokens per run | 0.05 | 0.2 | pass |  |" in markdown
