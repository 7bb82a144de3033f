"""What a caller chooses for a session: budgets and switches, how the loop reports, and the seam
through which runs are made."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from overseer.decision import Decision
from overseer.evaluate import Arm
from overseer.records import RunRecord

ProgressFactory = Callable[[str, int], AbstractContextManager[Callable[[RunRecord], None]]]

# Runs one batch of arms side by side and returns each arm's records (see evaluate.evaluate_batch):
# the default runs the target's command for real; benchmarks pass the simulator's fast path.
# Arguments: the arms, the session id, the batch id.
Evaluator = Callable[[Sequence[Arm], str, str], list[list[RunRecord]]]


@dataclass
class OptimizeOptions:
    iterations: int = 10
    max_runs: int | None = None
    max_cost: float | None = None
    max_time_s: float | None = None
    patience: int = 5
    commit: bool = True
    branch: str | None = None
    allow_dirty: bool = False
    resume: bool = False
    jobs: int | None = None
    repeats: int | None = None
    max_repeats: int | None = None  # overrides the target's accept.max_repeats
    use_prior: bool = True
    race: int | None = None  # overrides the target's race


def _no_phase(message: str) -> None:
    pass


def _no_decision(decision: Decision) -> None:
    pass


@dataclass
class Hooks:
    """How the loop reports while it works (the CLI renders; tests may ignore)."""

    progress: ProgressFactory
    phase: Callable[[str], None] = _no_phase
    decided: Callable[[Decision], None] = _no_decision
