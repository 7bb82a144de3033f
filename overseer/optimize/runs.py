"""The runs a session needs: fetched from the run cache or run now (through the evaluator seam),
appended to the session's JSONL, and counted against the budgets."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from overseer.cache import Pair, RunCache
from overseer.evaluate import evaluate_prompt
from overseer.optimize.options import Evaluator, Hooks
from overseer.optimize.setup import Setup
from overseer.optimize.state import SessionState
from overseer.records import RecordLog, RunRecord
from overseer.tasks import Task, TaskSet


@dataclass
class Baseline:
    """The current prompt's runs with the most repeats seen so far, per split."""

    train: list[RunRecord] = field(default_factory=list)
    holdout: list[RunRecord] = field(default_factory=list)


@dataclass
class SessionRuns:
    setup: Setup
    state: SessionState
    cache: RunCache
    log: RecordLog
    hooks: Hooks
    evaluator: Evaluator | None = None
    baseline: Baseline = field(default_factory=Baseline)

    def of(self, text: str, tasks: Sequence[Task], task_set: TaskSet, label: str,
           repeats: int | None = None) -> list[RunRecord]:
        """Runs of ``text`` on ``tasks`` for repeats 0..repeats-1 (default: the first look's)."""
        def run(prompt: str, subset: TaskSet, missing: set[Pair], count: int) -> list[RunRecord]:
            return self._run(prompt, subset, missing, count, label)

        fetched = self.cache.fetch(text, task_set, tasks, repeats or self.setup.repeats, run)
        self.state.runs_used += len(fetched.ran)
        self.state.cost_usd += sum(r.usage.cost_usd for r in fetched.ran if r.usage)
        return fetched.records

    def _run(self, text: str, subset: TaskSet, missing: set[Pair], repeats: int,
             label: str) -> list[RunRecord]:
        if self.evaluator is not None:
            records = self.evaluator(text, subset, missing, repeats, self.state.session_id)
            for record in records:
                self.log.append(record)
            return records
        with self.hooks.progress(label, len(missing)) as on_run:
            return evaluate_prompt(
                loaded=self.setup.loaded, target_name=self.setup.name, prompt_text=text,
                task_set=subset, repeats=repeats, jobs=self.setup.jobs,
                session_id=self.state.session_id, log=self.log, on_run=on_run, only=missing,
            ).records

    def again(self, text: str, records: Sequence[RunRecord], label: str) -> list[RunRecord]:
        """Run these (task, repeat) pairs of the train set again now, whatever the cache holds."""
        train = self.setup.train
        pairs = {(r.task_id, r.repeat) for r in records}
        tasks = [t for t in train.tasks if any(t.id == task for task, _ in pairs)]
        ran = self._run(text, train.subset(train.name, tasks), pairs,
                        max(repeat for _, repeat in pairs) + 1, label)
        self.cache.add(ran)
        self.state.runs_used += len(ran)
        self.state.cost_usd += sum(r.usage.cost_usd for r in ran if r.usage)
        return ran

    def parent(self, split: str, repeats: int | None = None) -> list[RunRecord]:
        """The current prompt's runs on ``split``, run now only where a look needs more repeats
        than it has; the baseline keeps the largest set for later iterations."""
        task_set = self.setup.train if split == "train" else self.setup.holdout
        records = self.of(self.state.current_text, task_set.tasks, task_set, f"baseline {split}", repeats)
        if len(records) > len(getattr(self.baseline, split)):
            setattr(self.baseline, split, records)
        return records

    def candidate(self, text: str, split: str, repeats: int | None = None) -> list[RunRecord]:
        task_set = self.setup.train if split == "train" else self.setup.holdout
        return self.of(text, task_set.tasks, task_set, split, repeats)

    def minibatch(self, iteration: int) -> list[Task]:
        """The screen's train tasks for this iteration (a seeded shuffle), or none."""
        size, train = self.setup.accept.screen_tasks, self.setup.train
        if size == 0 or size >= len(train):
            return []
        ranked = sorted(train.tasks,
                        key=lambda t: hashlib.sha256(f"{iteration}:{t.id}".encode()).hexdigest())
        return ranked[:size]
