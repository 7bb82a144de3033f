"""Everything overseer shows a person goes through here (rich), ``--json`` output too, and the
text it writes for people into the repository (``writeup``)."""

from __future__ import annotations

from overseer.report.console import (
    err,
    error,
    line,
    note,
    out,
    pct,
    print_json,
    run_progress,
    size,
    warn,
)
from overseer.report.evidence import (
    show_evaluation,
    show_experiment,
    show_experiments,
    show_history,
    show_insights,
    show_plugins,
    show_stats,
    show_truth,
    show_version,
)
from overseer.report.session import (
    DemoResult,
    demo_json,
    plan_line,
    session_json,
    show_demo,
    show_plan,
    show_session,
)
from overseer.report.writeup import commit_message, decision_line, decision_markdown

__all__ = [
    "DemoResult",
    "commit_message",
    "decision_line",
    "decision_markdown",
    "demo_json",
    "err",
    "error",
    "line",
    "note",
    "out",
    "pct",
    "plan_line",
    "print_json",
    "run_progress",
    "session_json",
    "show_demo",
    "show_evaluation",
    "show_experiment",
    "show_experiments",
    "show_history",
    "show_insights",
    "show_plan",
    "show_plugins",
    "show_session",
    "show_stats",
    "show_truth",
    "show_version",
    "size",
    "warn",
]
