"""What each kind of edit has done: its measured effect, with an interval. Pure, so proposers can
use the prior without the index (insights.py computes it from the store)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from overseer.decision import Decision

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

    @property
    def verdict(self) -> str:
        return "helpful" if self.low > 0 else "harmful" if self.high < 0 else "uncertain"


def kind_effects(decisions: list[Decision],
                 class_deltas: dict[str, dict[str, float]] | None = None) -> dict[str, KindEffect]:
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
