"""Figures of a set of runs: ``Metrics`` (what a Decision records) and ``Summary`` (what ``run``
shows), both computed here from the same records in one pass of definitions."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

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


def pass_rate(records: Sequence[RunRecord]) -> float:
    return sum(r.passed for r in records) / len(records) if records else 0.0


def mean_score(records: Sequence[RunRecord]) -> float:
    return sum(r.score for r in records) / len(records) if records else 0.0


class Metrics(BaseModel):
    """The figures of one side of a comparison, as a Decision records them."""

    model_config = ConfigDict(extra="forbid")
    runs: int
    pass_rate: float
    mean_score: float
    tokens_per_run: float
    median_run_s: float
    infra_runs: int = 0   # left out of every figure above


def metrics(records: Sequence[RunRecord]) -> Metrics:
    """Figures of the runs that are evidence (infrastructure failures are counted, not used)."""
    evidence = [r for r in records if not r.infra]
    tokens = [r.usage.tokens for r in evidence if r.usage]
    return Metrics(
        runs=len(evidence), pass_rate=pass_rate(evidence), mean_score=mean_score(evidence),
        tokens_per_run=sum(tokens) / len(tokens) if tokens else 0.0,
        median_run_s=statistics.median(r.command_s + r.check_s for r in evidence) if evidence else 0.0,
        infra_runs=len(records) - len(evidence),
    )


@dataclass
class Summary:
    """What ``overseer run`` shows of a set of runs."""

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


def summarize(records: Sequence[RunRecord], wall_s: float = 0.0) -> Summary:
    passed = sum(r.passed for r in records)
    low, high = wilson_interval(passed, len(records))
    classes = Counter(r.error_class for r in records if not r.passed and r.error_class)
    return Summary(
        runs=len(records), passed=passed, pass_rate=pass_rate(records), ci_low=low, ci_high=high,
        mean_score=mean_score(records), error_classes=dict(classes.most_common()),
        input_tokens=sum(r.usage.input_tokens for r in records if r.usage),
        output_tokens=sum(r.usage.output_tokens for r in records if r.usage),
        cost_usd=round(sum(r.usage.cost_usd for r in records if r.usage), 6),
        wall_s=round(wall_s, 3),
    )


@dataclass(frozen=True)
class RunCosts:
    """What a run of one target has cost on average (infrastructure failures left out)."""

    runs: int
    tokens: float
    cost_usd: float
    seconds: float
