from __future__ import annotations

import pytest

from overseer.decision import Criterion, Decision
from overseer.metrics import summarize
from overseer.registry import PromptVersion, VersionDetail
from overseer.report.evidence import failures_table, show_history, show_version, summary_table
from tests.helpers import make_run


def test_a_version_is_shown_with_its_text_as_written_and_each_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    version = PromptVersion(hash="h1", parent="h0", status="accepted", text="Use [bold] as is.\n", commit="abc")
    decision = Decision(decision_id="d1", outcome="accepted", reason="all criteria hold", hypothesis="hyp",
                        criteria=[Criterion(name="train gain", value=0.1, limit=0.03, passed=True)])
    show_version(VersionDetail(version, decision, "-old\n+new\n"))
    shown = capsys.readouterr().out
    assert "Use [bold] as is." in shown and "commit abc" in shown and "+new" in shown
    assert "decision d1: accepted: all criteria hold" in shown and "train gain" in shown


def test_history_lists_every_version(capsys: pytest.CaptureFixture[str]) -> None:
    show_history([PromptVersion(hash="h0", status="baseline", text="p", train_pass_rate=0.5),
                  PromptVersion(hash="h1", parent="h0", status="rejected", text="q", reason="worse")])
    shown = capsys.readouterr().out
    assert "h0" in shown and "baseline" in shown and "50.0%" in shown and "worse" in shown


def test_the_run_summary_has_a_failures_table_only_when_runs_failed() -> None:
    failed = make_run("a", False).model_copy(update={"error_class": "SyntaxError"})
    assert failures_table(summarize([make_run("a", True)])) is None
    table = failures_table(summarize([failed, make_run("b", True)]))
    assert table is not None and table.row_count == 1
    assert summary_table("train", summarize([failed])).row_count >= 1
