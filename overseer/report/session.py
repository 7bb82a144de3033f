"""An optimize session and the demo: the table of iterations, the before/after line, and the same
facts as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from overseer.bill import Plan
from overseer.decision import Decision
from overseer.evidence.coupling import Coupling
from overseer.optimize import SessionSummary
from overseer.report.console import out, pct

Facts = dict[str, object]


def _holdout_gain(decision: Decision) -> float | None:
    return next((c.value for c in decision.criteria if c.name == "holdout gain"), None)


def session_json(summary: SessionSummary) -> Facts:
    state = summary.state
    return {
        "target": state.target, "session": state.session_id,
        "start_hash": state.start_hash, "final_hash": state.current_hash,
        "baseline": {k: m.model_dump() for k, m in summary.baseline.items()},
        "final": {k: m.model_dump() for k, m in summary.final.items()},
        "accepted": summary.accepted, "rejected": len(summary.decisions) - summary.accepted,
        "runs_used": state.runs_used, "cost_usd": round(state.cost_usd, 6),
        "stop_reason": state.stop_reason, "commits": summary.commits,
        "test": summary.sealed.to_dict() if summary.sealed else None,
        "jsonl": str(summary.log_path),
        "iterations": [{
            "iteration": d.iteration, "edit": d.edit.summary() if d.edit else None,
            "kind": d.edit.kind if d.edit else None, "outcome": d.outcome,
            "gain": d.gain, "p_value": d.p_value, "holdout_gain": _holdout_gain(d),
            "reason": d.reason,
        } for d in summary.decisions],
    }


def _figure(value: float | None, form: str) -> str:
    return "-" if value is None else format(value, form)


def show_session(summary: SessionSummary) -> None:
    state = summary.state
    table = Table(title=f"{state.target}: session {state.session_id}", title_justify="left")
    for name in ("#", "edit", "gain", "p", "holdout", "verdict", "reason"):
        table.add_column(name, justify="right" if name in ("#", "gain", "p", "holdout") else "left")
    for d in summary.decisions:
        table.add_row(str(d.iteration + 1), d.edit.summary() if d.edit else "-",
                      _figure(d.gain, "+.3f"), _figure(d.p_value, ".3f"),
                      _figure(_holdout_gain(d), "+.3f"), d.outcome, d.reason)
    out.print(table)
    b, f = summary.baseline, summary.final
    out.print(
        f"train {pct(b['train'].pass_rate)} → {pct(f['train'].pass_rate)}, "
        f"holdout {pct(b['holdout'].pass_rate)} → {pct(f['holdout'].pass_rate)}; "
        f"{summary.accepted} kept, {len(summary.decisions) - summary.accepted} not; "
        f"{state.runs_used} runs; stopped: {state.stop_reason}")
    if summary.sealed is not None:
        out.print(summary.sealed.describe(), markup=False)
    out.print(f"records: {summary.log_path}")


@dataclass
class DemoResult:
    """A demo session, the repo it ran in, and the simulator's truth of its start and final prompt."""

    repo: Path
    target: str
    max_repeats: int
    summary: SessionSummary
    truth: dict[str, dict[str, float]]  # start/final → train/holdout → expected pass rate


def demo_json(result: DemoResult) -> Facts:
    facts = session_json(result.summary)
    baseline, final = facts["baseline"], facts["final"]
    assert isinstance(baseline, dict) and isinstance(final, dict)
    return {
        "repo": str(result.repo), "target": result.target, "max_repeats": result.max_repeats,
        **{k: facts[k] for k in ("session", "accepted", "rejected", "runs_used", "stop_reason",
                                 "commits", "iterations")},
        "baseline": {**baseline, "pass_rate": baseline["train"]["pass_rate"]},
        "final": {**final, "pass_rate": final["train"]["pass_rate"]},
        "truth": result.truth,
        "jsonl": [facts["jsonl"]],
    }


def show_demo(result: DemoResult) -> None:
    show_session(result.summary)
    truth = Table(title="simulator ground truth (expected pass rate)", title_justify="left")
    for name in ("", "start", "final"):
        truth.add_column(name, justify="right")
    for split in ("train", "holdout"):
        truth.add_row(split, pct(result.truth["start"][split]), pct(result.truth["final"][split]))
    out.print(truth)
    out.print(f"candidates' tests used at most {result.max_repeats} repeats here, to keep the demo "
              "short; optimize's default is 16 (accept.max_repeats), see BENCHMARKS.md")
    out.print(f"demo repo: {result.repo}  (try: cd {result.repo} && git log --stat && "
              f"overseer history {result.target})")


def plan_line(plan: Plan) -> str:
    """The bill of the session about to start, in one line (optimize prints it first)."""
    c = plan.recorded
    runs = [plan.session_runs(sampling, effect) for sampling in plan.candidates
            for effect in ("useless", "plus_10")]
    low, high = min(runs), max(runs)
    one = round(low) == round(high)
    count = f"{low:.0f}" if one else f"{low:.0f} to {high:.0f}"
    cost = f"${low * c.cost_usd:.2f}" if one else f"${low * c.cost_usd:.2f} to ${high * c.cost_usd:.2f}"
    time = wall(low * c.seconds / plan.jobs, None if one else high * c.seconds / plan.jobs)
    iterations = f"{plan.iterations} iteration{'s' if plan.iterations != 1 else ''}"
    return (f"the bill in advance: about {count} runs for {iterations} ({cost}, {time} at "
            f"-j {plan.jobs}); `overseer plan {plan.target}` explains it")


def wall(low: float, high: float | None = None) -> str:
    """A wall time (or a range of them, in seconds) in the unit that suits its upper end."""
    top = low if high is None else high
    unit, size, digits = ("s", 1, 0) if top < 90 else ("minutes", 60, 0) if top < 5400 else ("hours", 3600, 1)
    text = f"{low / size:.{digits}f}" + ("" if high is None else f" to {high / size:.{digits}f}")
    return f"{text} {unit}"


def coupling_words(coupling: Coupling | None) -> str:
    """What the target's recorded comparisons say of the run seed, in a sentence."""
    if coupling is None:
        return ("the seed's coupling: not measured yet (no candidate compared with its parent at the "
                "same seeds); a session's screens measure it")
    if not coupling.trusted:
        return f"the seed's coupling: too few pairs to trust yet: {coupling.describe()}"
    which = ("paired comparisons pay (accept.design: paired, or auto)" if coupling.pairs_pay else
             "a paired comparison buys little: accept.design measured (or auto) tests each "
             "candidate against the parent's accumulated runs")
    return f"the target's recent comparisons: {coupling.describe()}; {which}"


def show_plan(plan: Plan) -> None:
    """The bill in advance (bill.py), as a person reads it."""
    c = plan.recorded
    out.print(f"plan for {plan.target}: {plan.train_tasks} train + {plan.holdout_tasks} holdout "
              f"tasks, {plan.repeats} repeats per look, up to {plan.max_repeats} per candidate, "
              f"{plan.race} candidate{'s' if plan.race > 1 else ''} per iteration")
    out.print(f"per run (from {c.runs} recorded runs): {c.tokens:.0f} tokens, ${c.cost_usd:.4f}, "
              f"{c.seconds:.2f} s")
    out.print("baseline: measured" if not plan.baseline_runs
              else f"baseline: {plan.baseline_runs} runs still to make")
    table = Table(title="expected runs per candidate (its own and the parent's extra rounds)")
    for name in ("sampling", "useless edit", "+10-point edit"):
        table.add_column(name, justify="left" if name == "sampling" else "right")
    labels = {"seeded": "the model uses the run seed", "fresh": "the model draws fresh"}
    applies = plan.applies()
    for sampling, label in labels.items():
        cells = plan.candidates[sampling]
        table.add_row(label + (" (this target)" if sampling == applies else ""), f"{cells['useless'].runs:.0f}",
                      f"{cells['plus_10'].runs:.0f} (kept {cells['plus_10'].kept:.0%})")
    out.print(table)
    out.print(coupling_words(plan.coupling), markup=False)
    for sampling, label in labels.items():
        low, high = plan.session_runs(sampling, "useless"), plan.session_runs(sampling, "plus_10")
        out.print(f"a session of {plan.iterations} iterations, {label}: about {low:.0f} runs "
                  f"(every edit useless) to {high:.0f} (every edit +10 points); "
                  f"${low * c.cost_usd:.2f} to ${high * c.cost_usd:.2f}; "
                  f"{wall(low * c.seconds / plan.jobs, high * c.seconds / plan.jobs)} at -j {plan.jobs}")
    if (recent := plan.recent_session_runs()) is not None and plan.spent is not None:
        out.print(f"a session of {plan.iterations} iterations whose candidates cost what the last "
                  f"{plan.spent.iterations} iterations' did ({plan.spent.per_iteration:.0f} runs "
                  f"each, in {plan.spent.sessions} session{'s' if plan.spent.sessions > 1 else ''}): "
                  f"about {recent:.0f} runs, ${recent * c.cost_usd:.2f}, "
                  f"{wall(recent * c.seconds / plan.jobs)} at -j {plan.jobs}")
