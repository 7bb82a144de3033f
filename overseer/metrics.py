"""Summary figures of a set of runs."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from overseer.records import RunRecord


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion; well-behaved at 0, 1 and small n."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Summary:
    runs: int
    passed: int
    pass_rate: float
    ci_low: float
    ci_high: float
    mean_score: float
    error_classes: dict[str, int] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(records: list[RunRecord], wall_s: float = 0.0) -> Summary:
    n = len(records)
    passed = sum(r.passed for r in records)
    low, high = wilson_interval(passed, n)
    classes = Counter(r.error_class for r in records if not r.passed and r.error_class)
    return Summary(
        runs=n,
        passed=passed,
        pass_rate=passed / n if n else 0.0,
        ci_low=low,
        ci_high=high,
        mean_score=sum(r.score for r in records) / n if n else 0.0,
        error_classes=dict(classes.most_common()),
        input_tokens=sum(r.usage.input_tokens for r in records if r.usage),
        output_tokens=sum(r.usage.output_tokens for r in records if r.usage),
        cost_usd=round(sum(r.usage.cost_usd for r in records if r.usage), 6),
        wall_s=round(wall_s, 3),
    )
