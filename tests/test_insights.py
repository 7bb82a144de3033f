from __future__ import annotations

from overseer.decision import Decision
from overseer.edits import Edit
from overseer.insights import fragile_tasks, panel_line, panel_summary, rolling_window, veto_class
from overseer.review import PanelProposal, PanelRecord
from overseer.store.queries import TaskRate


def _edit(line: str) -> Edit:
    return Edit(op="delete", old=line, kind="delete-line:x")


def test_fragile_tasks_fail_often_or_swing_between_versions() -> None:
    rates = [TaskRate("steady", "v1", 0.9, 4), TaskRate("steady", "v2", 0.95, 4),
             TaskRate("hard", "v1", 0.2, 4), TaskRate("hard", "v2", 0.3, 4),
             TaskRate("swing", "v1", 1.0, 4), TaskRate("swing", "v2", 0.4, 4)]
    assert [(f.task, f.mean_pass_rate) for f in fragile_tasks(rates)] == [("hard", 0.25), ("swing", 0.7)]


def test_the_window_counts_the_last_edits_only() -> None:
    decisions = [Decision(outcome="rejected", gain=-0.1, edit=_edit("a\n")),
                 Decision(outcome="accepted", gain=0.2, edit=_edit("b\n")),
                 Decision(outcome="no_proposal"),
                 Decision(outcome="unproven", gain=0.0, edit=_edit("c\n"))]
    window = rolling_window(decisions, 2)
    assert window == {"size": 2, "attempts": 2, "accepted": 1, "mean_gain": 0.1,
                      "outcomes": {"accepted": 1, "unproven": 1}}


def test_a_veto_is_judged_right_by_what_later_evaluations_found() -> None:
    record = PanelRecord(proposals=[
        PanelProposal(persona="p", key="k1", kind="x", summary="s", verdict="vetoed",
                      critiques=["duplicates an existing instruction"]),
        PanelProposal(persona="p", key="k2", kind="x", summary="s", verdict="vetoed",
                      critiques=["violates a directive: keep_lines"]),
        PanelProposal(persona="q", key="k3", kind="x", summary="s", verdict="kept", refined=True)])
    decisions = [Decision(session_id="s", iteration=0, outcome="vetoed", edit=_edit("a\n"), panel=record),
                 Decision(session_id="s", iteration=0, outcome="vetoed", edit=_edit("b\n"), panel=record),
                 Decision(session_id="s", iteration=1, outcome="rejected", edit=_edit("a\n")),
                 Decision(session_id="s", iteration=2, outcome="accepted", edit=_edit("b\n"))]
    summary = panel_summary(decisions)
    assert summary["veto_reasons"] == {"duplicate": 1, "directive": 1} and summary["refinements"] == 1
    assert (summary["vetoes_checked_later"], summary["vetoes_right"]) == (2, 1)
    assert "of 2 vetoed edits evaluated later, 1 were not kept" in panel_line(summary)
    assert veto_class("something new") == "other"
