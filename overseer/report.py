"""Everything overseer shows a person goes through here (rich); ``--json`` output too."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from overseer.metrics import Summary
from overseer.records import RunRecord

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    err.print(f"[bold red]overseer: error:[/] {message}", markup=True, highlight=False)


def warn(message: str) -> None:
    err.print(f"[yellow]overseer: warning:[/] {message}")


def note(message: str) -> None:
    err.print(message)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def _run_line(record: RunRecord) -> str:
    verdict = "pass" if record.passed else f"FAIL {record.error_class or ''}".rstrip()
    return (f"{record.task_id} r{record.repeat}: {verdict} "
            f"({record.tests_passed}/{record.tests_total} tests, {record.command_s + record.check_s:.1f}s)")


@contextmanager
def run_progress(label: str, total: int) -> Iterator[Any]:
    """A callback to give each finished run: a bar on a terminal, plain lines otherwise."""
    if err.is_terminal:
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[passed]} passed"), TimeElapsedColumn(),
                            console=err, transient=True)
        with progress:
            bar = progress.add_task(label, total=total, passed=0)
            passed = 0

            def advance(record: RunRecord) -> None:
                nonlocal passed
                passed += record.passed
                progress.update(bar, advance=1, passed=passed)

            yield advance
        return
    done = 0

    def line(record: RunRecord) -> None:
        nonlocal done
        done += 1
        err.print(f"[{done}/{total}] {label}: {_run_line(record)}", markup=False)

    yield line


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def summary_table(title: str, summary: Summary, extra: dict[str, Summary] | None = None) -> Table:
    columns = {"all": summary, **(extra or {})}
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for name in columns:
        table.add_column(name, justify="right")

    def row(label: str, render: Any) -> None:
        table.add_row(label, *(render(s) for s in columns.values()))

    row("runs", lambda s: str(s.runs))
    row("pass rate", lambda s: _pct(s.pass_rate))
    row("95% interval", lambda s: f"{_pct(s.ci_low)} – {_pct(s.ci_high)}")
    row("mean score", lambda s: f"{s.mean_score:.3f}")
    row("tokens in/out", lambda s: f"{s.input_tokens:,} / {s.output_tokens:,}")
    if any(s.cost_usd for s in columns.values()):
        row("cost", lambda s: f"${s.cost_usd:.4f}")
    return table


def failures_table(summary: Summary) -> Table | None:
    if not summary.error_classes:
        return None
    table = Table(title="failures by error class", title_justify="left")
    table.add_column("error class")
    table.add_column("runs", justify="right")
    for name, count in summary.error_classes.items():
        table.add_row(name, str(count))
    return table


def show_evaluation(title: str, summary: Summary, log_path: Path,
                    extra: dict[str, Summary] | None = None) -> None:
    out.print(summary_table(title, summary, extra))
    failures = failures_table(summary)
    if failures is not None:
        out.print(failures)
    out.print(f"wall time {summary.wall_s:.1f}s · records: {log_path}")


def show_truth(rows: dict[str, float], modes: dict[str, float]) -> None:
    table = Table(title="simulator ground truth (expected pass rate)", title_justify="left")
    table.add_column("task set")
    table.add_column("expected pass rate", justify="right")
    for name, value in rows.items():
        table.add_row(name, _pct(value))
    out.print(table)
    modes_table = Table(title="mean probability of each failure mode", title_justify="left")
    modes_table.add_column("mode")
    modes_table.add_column("probability", justify="right")
    for name, value in modes.items():
        modes_table.add_row(name, _pct(value))
    out.print(modes_table)


def decision_line(decision: Any) -> str:
    edit = decision.edit.summary(50) if decision.edit else "-"
    gain = f"gain {decision.gain:+.3f}" if decision.gain is not None else ""
    p = f"p {decision.p_value:.3f}" if decision.p_value is not None else ""
    figures = ", ".join(x for x in (gain, p) if x)
    return f"iteration {decision.iteration + 1}: {decision.outcome.upper()} [{edit}] {figures} {decision.reason}".rstrip()


def show_session(summary: dict[str, Any]) -> None:
    table = Table(title=f"{summary['target']}: session {summary['session']}", title_justify="left")
    for name, justify in (("#", "right"), ("edit", "left"), ("gain", "right"), ("p", "right"),
                          ("holdout", "right"), ("verdict", "left"), ("reason", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for it in summary["iterations"]:
        table.add_row(
            str(it["iteration"] + 1), it["edit"] or "-",
            f"{it['gain']:+.3f}" if it["gain"] is not None else "-",
            f"{it['p_value']:.3f}" if it["p_value"] is not None else "-",
            f"{it['holdout_gain']:+.3f}" if it["holdout_gain"] is not None else "-",
            it["outcome"], it["reason"],
        )
    out.print(table)
    b, f = summary["baseline"], summary["final"]
    out.print(
        f"train {_pct(b['train']['pass_rate'])} → {_pct(f['train']['pass_rate'])}, "
        f"holdout {_pct(b['holdout']['pass_rate'])} → {_pct(f['holdout']['pass_rate'])}; "
        f"{summary['accepted']} kept, {summary['rejected']} not; {summary['runs_used']} runs; "
        f"stopped: {summary['stop_reason']}")
    out.print(f"records: {summary['jsonl']}")


def show_history(versions: list[Any]) -> None:
    table = Table(title="prompt versions", title_justify="left")
    for name in ("time", "version", "parent", "status", "train", "holdout", "edit / reason"):
        table.add_column(name)
    for v in versions:
        table.add_row(
            v.time[:19].replace("T", " "), v.hash, v.parent or "-", v.status,
            _pct(v.train_pass_rate) if v.train_pass_rate is not None else "-",
            _pct(v.holdout_pass_rate) if v.holdout_pass_rate is not None else "-",
            v.edit.summary(50) if v.edit else (v.reason or "-"),
        )
    out.print(table)


def show_version(shown: Any) -> None:
    v = shown.version
    out.print(f"version {v.hash} ({v.status}), parent {v.parent or '-'}, {v.time}")
    if v.commit:
        out.print(f"commit {v.commit}")
    if v.text:
        out.print("\n--- prompt ---", markup=False)
        out.print(v.text, markup=False, highlight=False)
    if shown.diff:
        out.print("--- diff ---", markup=False)
        out.print(shown.diff, markup=False, highlight=False)
    d = shown.decision
    if d is not None:
        out.print(f"decision {d.decision_id}: {d.outcome}: {d.reason}", markup=False)
        out.print(f"hypothesis: {d.hypothesis}", markup=False)
        table = Table(title="criteria", title_justify="left")
        for name in ("criterion", "value", "limit", "verdict", "note"):
            table.add_column(name)
        for c in d.criteria:
            table.add_row(c.name, "-" if c.value is None else str(c.value),
                          "-" if c.limit is None else str(c.limit), "pass" if c.passed else "FAIL", c.note)
        out.print(table)


def show_demo(facts: dict[str, Any]) -> None:
    show_session({**facts, "session": facts["session"], "jsonl": facts["jsonl"][0]})
    truth = Table(title="simulator ground truth (expected pass rate)", title_justify="left")
    for name in ("", "start", "final"):
        truth.add_column(name, justify="right")
    for split in ("train", "holdout"):
        truth.add_row(split, _pct(facts["truth"]["start"][split]), _pct(facts["truth"]["final"][split]))
    out.print(truth)
    out.print(f"candidates escalated to at most {facts['max_repeats']} repeats here, to keep the demo "
              "short; optimize's default is 16 (accept.max_repeats), see BENCHMARKS.md")
    out.print(f"demo repo: {facts['repo']}  (try: cd {facts['repo']} && git log --stat && "
              "overseer history codewriter)")


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def show_stats(rows: list[Any], db_size: int) -> None:
    table = Table(title="evidence", title_justify="left")
    for name in ("target", "runs", "sessions", "pass rate", "outputs kept (fail/pass)",
                 "passes not kept", "kept", "saved by sampling", "mechanical", "sanitizers fired"):
        table.add_column(name, justify="left" if name in ("target", "sanitizers fired") else "right")
    for r in rows:
        table.add_row(r.target, str(r.runs), str(r.sessions), _pct(r.pass_rate),
                      f"{r.failures_kept}/{r.successes_kept}", str(r.successes_dropped),
                      _size(r.bytes_kept), f"{_size(r.bytes_dropped)} ({_pct(r.saved_share)})",
                      str(r.mechanical), ", ".join(f"{k}×{v}" for k, v in sorted(r.sanitizers.items())) or "-")
    out.print(table)
    out.print(f"index: {_size(db_size)}")


def show_insights(found: Any) -> None:
    table = Table(title=f"{found.target}: edit kinds (effect on train pass rate, 95% interval)", title_justify="left")
    for name in ("kind", "attempts", "kept", "mean gain", "interval", "verdict", "error classes (change per run)"):
        table.add_column(name)
    for e in found.effects:
        verdict = "helpful" if e.low > 0 else "harmful" if e.high < 0 else "uncertain"
        classes = ", ".join(f"{k} {v:+.2f}" for k, v in sorted(e.error_class_deltas.items(), key=lambda kv: kv[1])[:3])
        table.add_row(e.kind, str(e.attempts), str(e.accepted), f"{e.mean_gain:+.3f}",
                      f"{e.low:+.3f} … {e.high:+.3f}", verdict, classes or "-")
    out.print(table)
    w = found.window
    out.print(f"last {w['attempts']} attempts: {w['accepted']} kept, mean gain "
              f"{'-' if w['mean_gain'] is None else format(w['mean_gain'], '+.3f')}, outcomes {w['outcomes']}")
    if found.fragile_tasks:
        frag = Table(title="fragile tasks (low or unstable pass rate across kept versions)", title_justify="left")
        for name in ("task", "mean pass rate", "spread", "versions"):
            frag.add_column(name)
        for f in found.fragile_tasks:
            frag.add_row(f["task"], _pct(f["mean_pass_rate"]), f"{f['spread']:.2f}", str(f["versions"]))
        out.print(frag)
    trend = Table(title="kept versions", title_justify="left")
    for name in ("version", "status", "train", "holdout"):
        trend.add_column(name)
    for t in found.trend:
        trend.add_row(t["version"], t["status"], "-" if t["train"] is None else _pct(t["train"]),
                      "-" if t["holdout"] is None else _pct(t["holdout"]))
    out.print(trend)
    for title, rows, key in (("by model", found.by_model, "model"), ("by complexity", found.by_complexity, "complexity")):
        if rows:
            t = Table(title=f"recent runs {title}", title_justify="left")
            for name in (key, "runs", "pass rate"):
                t.add_column(name)
            for r in rows:
                t.add_row(str(r[key]), str(r["runs"]), _pct(r["pass_rate"]))
            out.print(t)
