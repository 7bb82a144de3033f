"""A session's runs: reused from the cache or made in one batch per comparison, side by side, and
counted; through the evaluator seam with a toy model (a run passes when its prompt says GOOD)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

from overseer.cache import RunCache
from overseer.config import load_config
from overseer.evaluate import Arm
from overseer.optimize.options import Hooks, OptimizeOptions
from overseer.optimize.runs import SessionRuns
from overseer.optimize.setup import make_setup
from overseer.optimize.state import new_state
from overseer.prompts import prompt_hash
from overseer.records import RecordLog, RunRecord
from tests.helpers import make_run
from tests.toyloop import GOOD, START


class ToyModel:
    """Passes exactly when the prompt says GOOD; remembers every batch it was given."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[str, frozenset[tuple[str, int]]]]] = []

    def __call__(self, arms: Sequence[Arm], session_id: str, batch: str) -> list[list[RunRecord]]:
        self.batches.append([(arm.text, arm.pairs) for arm in arms])
        return [[make_run(task.id, "GOOD" in arm.text, repeat).model_copy(update={
                    "session_id": session_id, "batch": batch, "target": "toy", "prompt_hash": prompt_hash(arm.text),
                    "task_set_hash": arm.task_set.content_hash, "task_hash": task.content_hash})
                 for task, repeat in arm.jobs()] for arm in arms]


def _runs(project: Path, model: ToyModel, tmp_path: Path) -> SessionRuns:
    setup = make_setup(load_config(project / "overseer.yaml"), "toy", OptimizeOptions())
    state = new_state("toy", START, commit=False)
    cache = RunCache(command="c", seed=0)
    hooks = Hooks(progress=lambda label, total: nullcontext(lambda record: None))
    return SessionRuns(setup, state, cache, RecordLog(tmp_path / "runs.jsonl"), hooks, model)


def test_both_prompts_run_in_one_batch_and_nothing_twice(loop_project: Path, tmp_path: Path) -> None:
    model = ToyModel()
    runs = _runs(loop_project, model, tmp_path)
    parent = runs.parent("train", repeats=2)
    assert len(parent) == 16 and not any(r.passed for r in parent) and len(model.batches) == 1
    before, after = runs.compare(GOOD, "train", repeats=2)
    assert [r.record_id for r in before] == [r.record_id for r in parent]   # the parent's: reused
    assert all(r.passed for r in after)
    assert len(model.batches) == 2 and [text for text, _ in model.batches[1]] == [GOOD]
    runs.compare(GOOD, "train", repeats=3)        # one more round: both prompts, side by side
    assert [text for text, _ in model.batches[2]] == [START, GOOD]
    assert {pairs for _, pairs in model.batches[2]} == {frozenset((t.id, 2) for t in runs.setup.train.tasks)}
    assert runs.state.runs_used == 16 + 16 + 16 and runs.state.batches == 3
    assert len((tmp_path / "runs.jsonl").read_text().splitlines()) == 48


def test_the_screen_takes_a_seeded_minibatch(loop_project: Path, tmp_path: Path) -> None:
    runs = _runs(loop_project, ToyModel(), tmp_path)
    first = runs.minibatch(0)
    assert len(first) == 4 and first == runs.minibatch(0)   # screen_tasks: 4 in the toy target
    assert {t.id for t in first} <= {t.id for t in runs.setup.train.tasks}
