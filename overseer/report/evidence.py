"""Tables of evidence: an evaluation's summary, versions, stats, insights, the simulator's truth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table

from overseer.experiment.verdict import Experiment
from overseer.insights import Insights, panel_line
from overseer.metrics import Summary
from overseer.plugins import Plugin
from overseer.registry import PromptVersion, VersionDetail
from overseer.report.console import out, pct, size
from overseer.review import PanelRecord
from overseer.store import TargetStats


def show_plugins(plugins: list[Plugin]) -> None:
    if not plugins:
        out.print("no plugins installed (a package declares them as entry points: docs/configuration.md, Plugins)",
                  markup=False)
        return
    table = Table(title="plugins", title_justify="left")
    for column in ("kind", "name", "package", "object"):
        table.add_column(column)
    for p in plugins:
        table.add_row(p.kind[:-1], p.name, p.package, p.value)
    out.print(table)


def summary_table(title: str, summary: Summary, extra: dict[str, Summary] | None = None) -> Table:
    columns = {"all": summary, **(extra or {})}
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for name in columns:
        table.add_column(name, justify="right")

    def row(label: str, render: Callable[[Summary], str]) -> None:
        table.add_row(label, *(render(s) for s in columns.values()))

    row("runs", lambda s: str(s.runs))
    row("pass rate", lambda s: pct(s.pass_rate))
    row("95% interval", lambda s: f"{pct(s.ci_low)} – {pct(s.ci_high)}")
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


def _shares(title: str, key: str, value: str, rows: dict[str, float]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    table.add_column(value, justify="right")
    for name, share in rows.items():
        table.add_row(name, pct(share))
    return table


def show_truth(rows: dict[str, float], modes: dict[str, float], bands: dict[int, dict[str, Any]]) -> None:
    out.print(_shares("simulator ground truth (expected pass rate)", "task set", "expected pass rate", rows))
    out.print(_shares("mean probability of each failure mode", "mode", "probability", modes))
    labels = list(next(iter(bands.values()), {}))
    table = Table(title="by complexity band and model: expected pass rate, cost per 1,000 runs",
                  title_justify="left")
    table.add_column("complexity")
    table.add_column("tasks", justify="right")
    for label in labels:
        table.add_column(label, justify="right")
    for complexity, models in bands.items():
        first = next(iter(models.values()))
        table.add_row(str(complexity), str(first.tasks), *(
            f"{pct(m.pass_rate)} ${1000 * m.cost_per_run:.2f}" for m in models.values()))
    out.print(table)


def show_routing(found: Insights) -> None:
    """Each promoted band's window since its rule, flagged when it fell below what was proven."""
    if found.routing:
        table = Table(title="routed bands since their rule was promoted (last runs under the rule)",
                      title_justify="left")
        for name in ("rule", "experiment", "runs", "pass rate", "floor", "p", "status"):
            table.add_column(name)
        for w in found.routing:
            table.add_row(f"{w.rule}: {w.label}", w.experiment, str(w.runs),
                          "-" if w.rate is None else pct(w.rate), pct(w.floor),
                          "-" if w.p_value is None else f"{w.p_value:.3g}",
                          f"DRIFT: `overseer experiment {found.target} --revert {w.rule}` undoes it"
                          if w.flagged else "holding" if w.runs else "no runs yet")
        out.print(table)
    if found.experiments:
        show_experiments([Experiment.model_validate(e) for e in found.experiments])


def show_experiments(experiments: list[Experiment]) -> None:
    table = Table(title="experiments", title_justify="left")
    for name in ("time", "id", "kind", "band", "set", "outcome", "difference", "runs", "commit"):
        table.add_column(name)
    for e in experiments:
        table.add_row(e.time[:19].replace("T", " "), e.experiment_id, e.kind, e.selector.describe(), e.changes(),
                      e.outcome, "-" if e.difference is None else f"{e.difference:+.3f}", str(e.runs_used),
                      (e.commit or "-")[:10])
    out.print(table)


def show_experiment(experiment: Experiment) -> None:
    e = experiment
    out.print(f"experiment {e.experiment_id} on {e.target}: {e.changes()} where {e.selector.describe()} "
              f"(before: {e.before_text()}); {e.train_tasks} train and {e.holdout_tasks} holdout tasks",
              markup=False)
    table = Table(title=f"{e.outcome}: {e.reason}", title_justify="left")
    for name in ("criterion", "value", "limit", "verdict", "note"):
        table.add_column(name)
    for c in e.criteria:
        table.add_row(c.name, "-" if c.value is None else f"{c.value:g}", "-" if c.limit is None else f"{c.limit:g}",
                      "pass" if c.passed else "FAIL", c.note)
    out.print(table)
    if e.train_before and e.train_after:
        out.print(f"band pass rate on train: {pct(e.train_before.pass_rate)} now, {pct(e.train_after.pass_rate)} "
                  f"changed ({e.repeats} rounds, {e.runs_used} runs)")
    if e.commit:
        out.print(f"rule written to overseer.yaml and committed: {e.commit[:12]}")
    elif e.rule and e.outcome == "promoted":
        out.print("rule written to overseer.yaml (not committed)")


def show_history(versions: list[PromptVersion]) -> None:
    table = Table(title="prompt versions", title_justify="left")
    for name in ("time", "version", "parent", "status", "train", "holdout", "edit / reason"):
        table.add_column(name)
    for v in versions:
        table.add_row(
            v.time[:19].replace("T", " "), v.hash, v.parent or "-", v.status,
            pct(v.train_pass_rate) if v.train_pass_rate is not None else "-",
            pct(v.holdout_pass_rate) if v.holdout_pass_rate is not None else "-",
            v.edit.summary(50) if v.edit else (v.reason or "-"),
        )
    out.print(table)


def show_version(shown: VersionDetail) -> None:
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
        if d.panel is not None:
            show_panel(d.panel)


def show_panel(panel: PanelRecord) -> None:
    """What the proposal panel did in the iteration: proposals, critiques, refinements, votes."""
    out.print("--- proposal panel ---", markup=False)
    for i, p in enumerate(panel.proposals):
        chosen = f" (chosen {panel.chosen.index(i) + 1})" if i in panel.chosen else ""
        refined = " refinement" if p.refined else ""
        score = f", Borda {panel.scores[i]:g}" if i in panel.scores else ""
        out.print(f"#{i} {p.persona}{refined}: {p.kind}: {p.summary} → {p.verdict}{score}{chosen}",
                  markup=False)
        for critique in p.critiques:
            out.print(f"     critique: {critique}", markup=False)
    for voter, ballot in panel.ballots.items():
        out.print(f"ballot of {voter}: " + " > ".join(f"#{i}" for i in ballot), markup=False)
    for reason in panel.dropped:
        out.print(f"dropped: {reason}", markup=False)


def show_stats(rows: list[TargetStats], db_size: int) -> None:
    table = Table(title="evidence", title_justify="left")
    for name in ("target", "runs", "sessions", "pass rate", "outputs kept (fail/pass)",
                 "passes not kept", "kept", "saved by sampling", "mechanical", "sanitizers fired"):
        table.add_column(name, justify="left" if name in ("target", "sanitizers fired") else "right")
    for r in rows:
        table.add_row(r.target, str(r.runs), str(r.sessions), pct(r.pass_rate),
                      f"{r.failures_kept}/{r.successes_kept}", str(r.successes_dropped),
                      size(r.bytes_kept), f"{size(r.bytes_dropped)} ({pct(r.saved_share)})",
                      str(r.mechanical), ", ".join(f"{k}×{v}" for k, v in sorted(r.sanitizers.items())) or "-")
    out.print(table)
    out.print(f"index: {size(db_size)}")


def show_insights(found: Insights) -> None:
    table = Table(title=f"{found.target}: edit kinds (effect on train pass rate, 95% interval)", title_justify="left")
    for name in ("kind", "attempts", "kept", "mean gain", "interval", "verdict", "error classes (change per run)"):
        table.add_column(name)
    for e in found.effects:
        classes = ", ".join(f"{k} {v:+.2f}" for k, v in sorted(e.error_class_deltas.items(), key=lambda kv: kv[1])[:3])
        table.add_row(e.kind, str(e.attempts), str(e.accepted), f"{e.mean_gain:+.3f}",
                      f"{e.low:+.3f} … {e.high:+.3f}", e.verdict, classes or "-")
    out.print(table)
    w = found.window
    out.print(f"last {w['attempts']} attempts: {w['accepted']} kept, mean gain "
              f"{'-' if w['mean_gain'] is None else format(w['mean_gain'], '+.3f')}, outcomes {w['outcomes']}")
    if found.fragile_tasks:
        frag = Table(title="fragile tasks (low or unstable pass rate across kept versions)", title_justify="left")
        for name in ("task", "mean pass rate", "spread", "versions"):
            frag.add_column(name)
        for f in found.fragile_tasks:
            frag.add_row(f.task, pct(f.mean_pass_rate), f"{f.spread:.2f}", str(f.versions))
        out.print(frag)
    trend = Table(title="kept versions", title_justify="left")
    for name in ("version", "status", "train", "holdout"):
        trend.add_column(name)
    for t in found.trend:
        trend.add_row(t.version, t.status, "-" if t.train is None else pct(t.train),
                      "-" if t.holdout is None else pct(t.holdout))
    out.print(trend)
    show_routing(found)
    if found.panel:
        out.print(panel_line(found.panel), markup=False)
    for title, bands in (("model", found.by_model), ("complexity", found.by_complexity)):
        if bands:
            recent = Table(title=f"recent runs by {title}", title_justify="left")
            for name in (title, "runs", "pass rate"):
                recent.add_column(name)
            for b in bands:
                recent.add_row(b.band, str(b.runs), pct(b.pass_rate))
            out.print(recent)
