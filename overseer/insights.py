"""What the evidence says: effects of edit kinds (with intervals, and per error class), the rolling
window of recent attempts, fragile tasks, error classes over time, the kept prompt's trend, and
success rates per model and per complexity band over a rolling window of runs."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from overseer.decide import Decision
from overseer.store import Store

# Two-sided 95% Student t quantiles for small samples; 1.96 beyond.
_T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26,
        10: 2.23, 15: 2.13, 20: 2.09, 30: 2.04}


def _t95(df: int) -> float:
    return next((v for k, v in sorted(_T95.items()) if df <= k), 1.96)


@dataclass
class KindEffect:
    kind: str
    attempts: int
    accepted: int
    mean_gain: float
    low: float
    high: float
    error_class_deltas: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kind_effects(decisions: list[Decision], class_deltas: dict[str, dict[str, float]] | None = None) -> dict[str, KindEffect]:
    """Each edit kind's measured effect on the train objective: mean paired gain over the
    decisions that evaluated it, with a 95% t-interval (a single attempt gets the widest one)."""
    gains: dict[str, list[float]] = defaultdict(list)
    accepted: Counter[str] = Counter()
    for d in decisions:
        if d.edit is None or d.gain is None or d.outcome not in ("accepted", "rejected"):
            continue
        gains[d.edit.kind].append(d.gain)
        accepted[d.edit.kind] += d.outcome == "accepted"
    effects = {}
    for kind, values in gains.items():
        mean = statistics.fmean(values)
        half = _t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values)) \
            if len(values) > 1 else 1.0
        effects[kind] = KindEffect(kind, len(values), accepted[kind], round(mean, 4),
                                   round(max(-1.0, mean - half), 4), round(min(1.0, mean + half), 4),
                                   (class_deltas or {}).get(kind, {}))
    return effects


def error_class_deltas(store: Store, decisions: list[Decision]) -> dict[str, dict[str, float]]:
    """Per edit kind, the mean change in the share of runs failing with each error class, from
    the parent prompt's runs to the candidate's (mechanical runs left out). One scan of the index:
    shares per (target, prompt) first, then the differences per decision."""
    wanted = [d for d in decisions if d.edit is not None and d.candidate_hash and d.gain is not None]
    if not wanted:
        return {}
    shares: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    totals: Counter[tuple[str, str]] = Counter()
    for row in store.query("""SELECT target, prompt_hash, error_class, COUNT(*) AS n FROM runs
                              WHERE mechanical = 0 GROUP BY target, prompt_hash, error_class"""):
        key = (row["target"], row["prompt_hash"])
        totals[key] += row["n"]
        if row["error_class"]:
            shares[key][row["error_class"]] += row["n"]
    per_kind: dict[str, list[dict[str, float]]] = defaultdict(list)
    for d in wanted:
        before, after = (d.target, d.parent_hash), (d.target, d.candidate_hash or "")
        if not totals[before] or not totals[after]:
            continue
        classes = set(shares[before]) | set(shares[after])
        per_kind[d.edit.kind].append({  # type: ignore[union-attr]
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
class Insights:
    target: str
    effects: list[KindEffect]
    window: dict[str, Any]
    fragile_tasks: list[dict[str, Any]]
    error_classes_by_session: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    by_model: list[dict[str, Any]]
    by_complexity: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "effects": [e.to_dict() for e in self.effects]}


def rolling_window(decisions: list[Decision], size: int) -> dict[str, Any]:
    recent = [d for d in decisions if d.edit is not None][-size:]
    evaluated = [d.gain for d in recent if d.gain is not None]
    return {"size": size, "attempts": len(recent),
            "accepted": sum(d.outcome == "accepted" for d in recent),
            "mean_gain": round(statistics.fmean(evaluated), 4) if evaluated else None,
            "outcomes": dict(Counter(d.outcome for d in recent))}


def insights(store: Store, target: str, *, window: int = 20, run_window: int = 1000) -> Insights:
    decisions = store.decisions(target)
    effects = sorted(kind_effects(decisions, error_class_deltas(store, decisions)).values(),
                     key=lambda e: -e.mean_gain)
    kept = [v for v in store.versions(target) if v.status in ("baseline", "accepted", "rollback")]
    kept_hashes = list(dict.fromkeys(v.hash for v in kept))
    fragile: list[dict[str, Any]] = []
    if kept_hashes:
        marks = ",".join("?" * len(kept_hashes))
        rows = store.query(f"""SELECT task_id, prompt_hash, AVG(passed) AS rate FROM runs
                               WHERE target = ? AND prompt_hash IN ({marks})
                               GROUP BY task_id, prompt_hash""", target, *kept_hashes)
        per_task: dict[str, list[float]] = defaultdict(list)
        for row in rows:
            per_task[row["task_id"]].append(row["rate"])
        for task, rates in per_task.items():
            mean = statistics.fmean(rates)
            spread = statistics.pstdev(rates) if len(rates) > 1 else 0.0
            if mean < 0.5 or spread > 0.25:
                fragile.append({"task": task, "mean_pass_rate": round(mean, 3),
                                "spread": round(spread, 3), "versions": len(rates)})
        fragile.sort(key=lambda f: (f["mean_pass_rate"], -f["spread"]))
    sessions = store.query("""SELECT session_id, MIN(started_at) AS started,
                                     COALESCE(signature, error_class) AS sig, COUNT(*) AS n
                              FROM runs WHERE target = ? AND passed = 0
                              GROUP BY session_id, sig ORDER BY started""", target)
    by_session: dict[str, dict[str, Any]] = {}
    for row in sessions:
        entry = by_session.setdefault(row["session_id"], {"session": row["session_id"], "classes": {}})
        family = (row["sig"] or "Unknown").split("@")[0]
        entry["classes"][family] = entry["classes"].get(family, 0) + row["n"]
    trend = [{"version": v.hash, "status": v.status, "time": v.time,
              "train": v.train_pass_rate, "holdout": v.holdout_pass_rate} for v in kept]
    recent = f"""FROM (SELECT * FROM runs WHERE target = ? ORDER BY started_at DESC LIMIT {int(run_window)})"""
    by_model = [dict(r) for r in store.query(
        f"SELECT COALESCE(model, '-') AS model, COUNT(*) AS runs, ROUND(AVG(passed), 4) AS pass_rate "
        f"{recent} GROUP BY model ORDER BY runs DESC", target)]
    by_complexity = [dict(r) for r in store.query(
        f"SELECT complexity, COUNT(*) AS runs, ROUND(AVG(passed), 4) AS pass_rate "
        f"{recent} WHERE complexity IS NOT NULL GROUP BY complexity ORDER BY complexity", target)]
    return Insights(target, effects, rolling_window(decisions, window), fragile[:15],
                    list(by_session.values()), trend, by_model, by_complexity)
