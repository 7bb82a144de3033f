"""The sealed test set (``test:`` in a target): an unbiased "did this session help".

The holdout decides every proven candidate, so across a session and across nights it is looked at
again and again: a second validation set, not a test set. The sealed set is never read by a
decision, never shown to a proposer or the panel: it is run once the session is over, for its
starting prompt and its final prompt only, side by side at the same seeds (cached like any run and
counted in the bill), and only when the session kept an edit. Its figure is the mean paired gain
over its tasks with the betting test's confidence sequence (evidence/betting.py; each end at 1 - α).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from overseer.acceptance import Objective
from overseer.cache import grid
from overseer.evidence.betting import confidence_sequence
from overseer.evidence.paired import rounds_of, run_value
from overseer.optimize.runs import SessionRuns, Want
from overseer.records import RunRecord
from overseer.tasks import target_test_set


@dataclass(frozen=True)
class SealedFigure:
    tasks: int
    repeats: int
    before: float       # the starting prompt's mean value on the sealed tasks
    after: float        # the final prompt's
    low: float          # the confidence sequence for after - before, each end at 1 - alpha
    high: float
    alpha: float

    @property
    def gain(self) -> float:
        return self.after - self.before

    def describe(self) -> str:
        return (f"sealed test set ({self.tasks} tasks x {self.repeats}): {self.before:.3f} -> "
                f"{self.after:.3f}, gain {self.gain:+.3f} in [{self.low:+.3f}, {self.high:+.3f}] "
                f"(each end at {1 - self.alpha:.0%})")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "gain": round(self.gain, 4)}


def sealed_figure(start: Sequence[RunRecord], final: Sequence[RunRecord], objective: Objective,
                  alpha: float) -> SealedFigure | None:
    """The figure of the two prompts' runs on the sealed tasks (infrastructure failures left out)."""
    before = [r for r in start if not r.infra]
    after = [r for r in final if not r.infra]
    if not before or not after:
        return None
    rounds = rounds_of(before, after, objective)
    interval = confidence_sequence(rounds, alpha)
    return SealedFigure(tasks=len({r.task_id for r in after}), repeats=len(rounds),
                        before=round(sum(run_value(r, objective) for r in before) / len(before), 4),
                        after=round(sum(run_value(r, objective) for r in after) / len(after), 4),
                        low=interval.low, high=interval.high, alpha=alpha)


def measure(runs: SessionRuns) -> SealedFigure | None:
    """Run the session's starting and final prompts on the target's sealed test set, in one batch
    at the same seeds (what is cached is reused), and give the figure; None without a test set."""
    setup, state = runs.setup, runs.state
    test = target_test_set(setup.loaded, setup.target)
    if test is None:
        return None
    runs.hooks.phase(f"sealed test set: the starting and the final prompt on its {len(test)} tasks")
    pairs = grid(test.tasks, setup.repeats)
    start, final = runs.side_by_side([Want(state.start_text, test, pairs),
                                      Want(state.current_text, test, pairs)], "sealed test")
    return sealed_figure(start, final, setup.target.objective, setup.accept.alpha)
