"""Everything overseer shows a person goes through here (rich), ``--json`` output too. (The text
a kept edit writes into the repository is optimize/writeup.py's.)"""

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
    coupling_words,
    demo_json,
    plan_line,
    session_json,
    show_demo,
    show_plan,
    show_session,
)
from overseer.report.writeup import decision_line

__all__ = [
    "DemoResult",
    "coupling_words",
    "decision_line",
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
