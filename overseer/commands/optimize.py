"""``overseer optimize``: run the loop on one target, or on every target in turn (``--all``)."""

from __future__ import annotations

from overseer.config import LoadedConfig
from overseer.optimize import Hooks, OptimizeOptions, Optimizer, SessionSummary


def optimize_targets(*, loaded: LoadedConfig, targets: list[str], options: OptimizeOptions,
                     hooks: Hooks) -> list[SessionSummary]:
    summaries = []
    for name in targets:
        hooks.phase(f"target {name}")
        summaries.append(Optimizer(loaded, name, options, hooks).run())
    return summaries
