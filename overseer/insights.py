"""What the evidence says: effects of edit kinds (with intervals, and per error class), the rolling
window of recent attempts, fragile tasks, error classes over time, the kept prompt's trend, and
success rates per model and per complexity band over a rolling window of runs."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from overseer.decision import Decision
from overseer.effects import KindEffect, kind_effects
from overseer.experiment.verdict import Experiment
from overseer.experiment.watch import DEFAULT_WINDOW, BandWatch, watch
from overseer.registry import KEPT_STATUSES
from overseer.routing import Route
from overseer.signatures import family
from overseer.store import BandRate, Store, TaskRate


def error_class_deltas(store: Store, decisions: list[Decision]) -> dict[str, dict[str, float]]:
    """Per edit kind, the mean change in the share of runs failing with each error class, from
    the parent prompt's runs to the candidate's (mechanical runs left out). One scan of the index:
    shares per (target, prompt) first, then the differences per decision."""
    wanted = [d for d in decisions if d.edit is not None and d.candidate_hash and d.gain is not None]
    if not wanted:
        return {}
    shares: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    totals: Counter[tuple[str, str]] = Counter()
    for target, prompt, error_class, n in store.error_class_counts():
        totals[(target, prompt)] += n
        if error_class:
            shares[(target, prompt)][error_class] += n
    per_kind: dict[str, list[dict[str, float]]] = defaultdict(list)
    for d in wanted:
        before, after = (d.target, d.parent_hash), (d.target, d.candidate_hash or "")
        if d.edit is None or not totals[before] or not totals[after]:
            continue
        classes = set(shares[before]) | set(shares[after])
        per_kind[d.edit.kind].append({
            c: shares[after][c] / totals[after] - shares[before][c] / totals[before] for c in classes})
    result = {}
    for kind, items in per_kind.items():
        classes = {c for item in items for c in item}
        result[kind] = {c: round(sum(i.get(c, 0.0) for i in items) / len(items), 4) for c in sorted(classes)}
    return result


def edit_prior(store: Store) -> dict[str, KindEffect]:
    """The prior handed to proposers: every target's decisions (evidence transfers)."""
    decisions = store.decisions()
    return kind_effects(decisions, error_class_deltas(store, decisions))


@dataclass
class FragileTask:
    task: str
    mean_pass_rate: float
    spread: float
    versions: int


@dataclass
class TrendPoint:
    version: str
    status: str
    time: str
    train: float | None
    holdout: float | None


@dataclass
class Insights:
    target: str
    effects: list[KindEffect]
    window: dict[str, Any]
    fragile_tasks: list[FragileTask]
    error_classes_by_session: list[dict[str, Any]]
    trend: list[TrendPoint]
    by_model: list[BandRate]
    by_complexity: list[BandRate]
    # routed bands watched since their rule was promoted, and every experiment (as recorded)
    routing: list[BandWatch] = field(default_factory=list)
    experiments: list[dict[str, Any]] = field(default_factory=list)
    panel: dict[str, Any] = field(default_factory=dict)   # panel_summary, when a panel proposed

    def to_dict(self) -> dict[str, Any]:
        facts = asdict(self)
        facts["routing"] = [{**asdict(w), "pass_rate": w.rate} for w in self.routing]
        facts["by_model"] = [{"model": b.band, "runs": b.runs, "pass_rate": b.pass_rate} for b in self.by_model]
        facts["by_complexity"] = [{"complexity": int(b.band), "runs": b.runs, "pass_rate": b.pass_rate}
                                  for b in self.by_complexity]
        return facts


_VETO_CLASSES = (("violates a directive", "directive"), ("duplicates", "duplicate"),
                 ("contradicts", "contradiction"), ("no failing run shows", "unseen failure"),
                 ("adds bloat", "bloat"), ("cannot be applied", "inapplicable"),
                 ("dropped", "reply invalid"))


def veto_class(critique: str) -> str:
    return next((name for text, name in _VETO_CLASSES if text in critique), "other")


def panel_summary(decisions: list[Decision]) -> dict[str, Any]:
    """What the proposal panels did: proposals, vetoes by reason, refinements, dropped replies,
    and how often a veto would have been right, as far as later evaluations tell: a vetoed edit
    evaluated later (for any parent, by any proposer) and not kept counts as a right veto, one
    kept as a wrong one."""
    records = {(d.session_id, d.iteration): d.panel for d in decisions if d.panel is not None}
    entries = [p for record in records.values() for p in record.proposals]
    reasons = Counter(veto_class(p.critiques[-1] if p.critiques else "") for p in entries
                      if p.verdict == "vetoed")
    vetoed_at: dict[str, int] = {}
    for i, d in enumerate(decisions):
        if d.outcome == "vetoed" and d.edit is not None:
            vetoed_at.setdefault(d.edit.key(), i)
    right = wrong = 0
    for key, first in vetoed_at.items():
        later = [d.outcome for d in decisions[first + 1:] if d.edit is not None and d.edit.key() == key
                 and d.outcome in ("accepted", "rejected", "screened_out", "unproven")]
        if later:
            right, wrong = right + ("accepted" not in later), wrong + ("accepted" in later)
    return {"iterations": len(records), "proposals": len(entries),
            "vetoed": sum(p.verdict == "vetoed" for p in entries), "veto_reasons": dict(reasons),
            "refinements": sum(p.refined for p in entries),
            "dropped_replies": sum(len(r.dropped) for r in records.values()),
            "vetoes_checked_later": right + wrong, "vetoes_right": right}


def panel_line(p: dict[str, Any]) -> str:
    """The proposal panels' work in one line (insights.panel_summary)."""
    reasons = ", ".join(f"{k} {v}" for k, v in p["veto_reasons"].items()) or "none"
    checked = p["vetoes_checked_later"]
    later = (f"; of {checked} vetoed edits evaluated later, {p['vetoes_right']} were not kept (the veto "
             "was right)") if checked else "; no vetoed edit was evaluated later yet"
    return (f"proposal panel: {p['proposals']} proposals in {p['iterations']} iterations, "
            f"{p['vetoed']} vetoed ({reasons}), {p['refinements']} refined, "
            f"{p['dropped_replies']} replies dropped{later}")


def rolling_window(decisions: list[Decision], size: int) -> dict[str, Any]:
    recent = [d for d in decisions if d.edit is not None][-size:]
    evaluated = [d.gain for d in recent if d.gain is not None]
    return {"size": size, "attempts": len(recent),
            "accepted": sum(d.outcome == "accepted" for d in recent),
            "mean_gain": round(statistics.fmean(evaluated), 4) if evaluated else None,
            "outcomes": dict(Counter(d.outcome for d in recent))}


def fragile_tasks(rates: list[TaskRate]) -> list[FragileTask]:
    """Tasks with a low mean pass rate, or a large spread, across the kept versions."""
    per_task: dict[str, list[float]] = defaultdict(list)
    for rate in rates:
        per_task[rate.task_id].append(rate.rate)
    fragile = []
    for task, values in per_task.items():
        mean = statistics.fmean(values)
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        if mean < 0.5 or spread > 0.25:
            fragile.append(FragileTask(task, round(mean, 3), round(spread, 3), len(values)))
    return sorted(fragile, key=lambda f: (f.mean_pass_rate, -f.spread))


def failures_by_session(store: Store, target: str) -> list[dict[str, Any]]:
    by_session: dict[str, dict[str, Any]] = {}
    for session, sig, n in store.failures_by_session(target):
        entry = by_session.setdefault(session, {"session": session, "classes": {}})
        entry["classes"][family(sig)] = entry["classes"].get(family(sig), 0) + n
    return list(by_session.values())


def insights(store: Store, target: str, *, window: int = 20, run_window: int = 1000,
             routes: Sequence[Route] = (), tags: Mapping[str, Sequence[str]] | None = None,
             experiments: Sequence[Experiment] = (), band_window: int = DEFAULT_WINDOW,
             sealed: Collection[str] = ()) -> Insights:
    """``routes``, ``tags`` (task id -> tags) and ``experiments``: the target's routing rules and
    recorded experiments, for the watch of each promoted band over its last ``band_window`` runs.
    ``sealed``: the ids of the sealed test tasks, never in a per-task view."""
    decisions = store.decisions(target)
    effects = sorted(kind_effects(decisions, error_class_deltas(store, decisions)).values(),
                     key=lambda e: -e.mean_gain)
    kept = [v for v in store.versions(target) if v.status in KEPT_STATUSES]
    kept_hashes = list(dict.fromkeys(v.hash for v in kept))
    fragile = fragile_tasks([r for r in store.task_rates(target, kept_hashes) if r.task_id not in sealed]) \
        if kept_hashes else []
    trend = [TrendPoint(v.hash, v.status, v.time, v.train_pass_rate, v.holdout_pass_rate) for v in kept]
    watched = watch(routes, store.latest_runs(target, max(2000, 10 * band_window)), tags or {}, band_window) \
        if any(r.proven for r in routes) else []
    return Insights(target, effects, rolling_window(decisions, window), fragile[:15],
                    failures_by_session(store, target), trend,
                    store.recent_rates(target, "model", run_window),
                    store.recent_rates(target, "complexity", run_window),
                    watched, [e.model_dump(mode="json") for e in experiments],
                    panel_summary(decisions) if any(d.panel for d in decisions) else {})
