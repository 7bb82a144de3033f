"""The drift probe: before a baseline recorded in an earlier session is trusted, a small seeded
sample of its train runs is run again now and compared, pair by pair (same prompt, task and
repeat). The model behind a name, a provider or a shared tool may have changed since; the
environment fingerprint cannot see that, the outcomes can, and so can the model the command
reports in its usage file: when the runs made now report another model than the earlier ones
did, that alone is drift.

The test is an exact two-sided sign test on the pairs whose outcome changed: without drift a
change is as likely to go either way (for a seeded, deterministic command none changes at all).
At ``PROBE_ALPHA`` a probe of ``PROBE_RUNS`` pairs flags drift when at least 8 changes all go one
way, or e.g. 10 of 11; smaller drifts are not seen by it (it costs ``PROBE_RUNS`` runs per session
that reuses a baseline, no more)."""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

from overseer.records import RunRecord
from overseer.seeds import drift_rank

PROBE_RUNS = 12
PROBE_ALPHA = 0.01


@dataclass(frozen=True)
class ProbeResult:
    pairs: int
    worse: int      # passed then, fails now
    better: int     # failed then, passes now
    p_value: float
    models: tuple[str, str] | None = None  # (then, now) when the reported model changed

    @property
    def drifted(self) -> bool:
        return self.p_value <= PROBE_ALPHA or self.models is not None

    def describe(self) -> str:
        model = f"the command reports model {self.models[1]} now, {self.models[0]} then; " \
            if self.models else ""
        return (f"{model}{self.pairs} earlier runs run again: {self.worse} now fail that passed, "
                f"{self.better} now pass that failed (sign test p = {self.p_value:.3g}, "
                f"drift when p <= {PROBE_ALPHA})")


def probe_sample(earlier: list[RunRecord], seed: int, size: int = PROBE_RUNS) -> list[RunRecord]:
    """A seeded sample of earlier runs: the same for the same runs and seed, whatever their order."""
    def rank(record: RunRecord) -> bytes:
        return drift_rank(seed, record.task_id, record.repeat)

    return sorted(earlier, key=rank)[:size]


def sign_test(worse: int, better: int) -> float:
    """Exact two-sided p-value that changes go both ways equally often."""
    n = worse + better
    if n == 0:
        return 1.0
    tail = sum(comb(n, k) for k in range(max(worse, better), n + 1)) / 2 ** n
    return float(min(1.0, 2 * tail))


def compare(earlier: list[RunRecord], now: list[RunRecord]) -> ProbeResult:
    then = {(r.task_id, r.repeat): r.passed for r in earlier if not r.infra}
    pairs = [(then[(r.task_id, r.repeat)], r.passed) for r in now
             if not r.infra and (r.task_id, r.repeat) in then]
    worse = sum(old and not new for old, new in pairs)
    better = sum(new and not old for old, new in pairs)
    then_models, now_models = reported_models(earlier), reported_models(now)
    models = (", ".join(then_models), ", ".join(now_models)) \
        if then_models and now_models and then_models != now_models else None
    return ProbeResult(len(pairs), worse, better, sign_test(worse, better), models)


def reported_models(records: list[RunRecord]) -> list[str]:
    """The models these runs' usage files name, sorted (none if the command reports none)."""
    return sorted({r.usage.model for r in records if r.usage and r.usage.model and not r.infra})
