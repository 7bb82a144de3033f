"""Watching a routed band after its rule was promoted (seed 001's rolling window).

A promoted rule keeps what its experiment proved: the band's pass rate under it and the margin.
Later runs of the band under the rule (made by ``run`` and ``optimize``) are its rolling window:
the last ``window`` of them. The band is flagged when the window's pass rate is below
``proven.pass_rate - proven.margin`` with confidence: the exact binomial chance of so few passes,
were the rate still at that floor, is at most the rule's α. It is an alarm, looked at whenever
insights run, not a test with a guarantee over repeated looks; a flagged rule is undone with
``overseer experiment TARGET --revert N``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import comb

from overseer.records import RunRecord
from overseer.routing import Route, setting_text

DEFAULT_WINDOW = 200


@dataclass(frozen=True)
class BandWatch:
    rule: int                 # its number in the target's routing: (1 first)
    label: str
    experiment: str
    runs: int                 # in the window
    passed: int
    floor: float              # proven pass rate minus the margin
    p_value: float | None     # the chance of at most `passed` passes at the floor
    flagged: bool

    @property
    def rate(self) -> float | None:
        return self.passed / self.runs if self.runs else None


def binomial_lower_tail(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return min(1.0, sum(comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1)))


@dataclass(frozen=True)
class _RunTask:
    """What a rule looks at, for the task of a recorded run."""

    complexity: int
    tags: Sequence[str]


def under_rule(record: RunRecord, route: Route, tags: Mapping[str, Sequence[str]]) -> bool:
    """A later run (not the experiment's own) of a task the rule selects, made with the settings
    the rule sets."""
    if record.complexity is None or record.infra or (route.proven and record.session_id == route.proven.session):
        return False
    return route.matches(_RunTask(record.complexity, tags.get(record.task_id, ()))) and all(
        record.settings.get(name) == setting_text(value) for name, value in route.set.items())


def watch(routes: Sequence[Route], newest_first: Iterable[RunRecord], tags: Mapping[str, Sequence[str]],
          window: int = DEFAULT_WINDOW) -> list[BandWatch]:
    """Each promoted rule's window (its last ``window`` runs, newest first) and whether it is flagged."""
    records = list(newest_first)
    watched = []
    for number, route in enumerate(routes, start=1):
        if route.proven is None:
            continue
        runs = [r for r in records if under_rule(r, route, tags)][:window]
        passed = sum(r.passed for r in runs)
        floor = max(0.0, route.proven.pass_rate - route.proven.margin)
        p = binomial_lower_tail(passed, len(runs), floor) if runs else None
        watched.append(BandWatch(number, route.label(), route.proven.experiment, len(runs), passed,
                                 round(floor, 4), None if p is None else round(p, 6),
                                 p is not None and p <= route.proven.alpha))
    return watched
