"""The runs a session needs: fetched from the run cache or run now (through the evaluator seam),
appended to the session's JSONL, and counted against the budgets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from overseer import seeds
from overseer.cache import Pair, RunCache, grid
from overseer.evaluate import Arm, evaluate_batch
from overseer.evidence import measured
from overseer.evidence.allocate import gather
from overseer.evidence.coupling import pooled
from overseer.evidence.paired import run_value
from overseer.executor import RunExecutor
from overseer.optimize.options import Evaluator, Hooks
from overseer.optimize.setup import Setup
from overseer.optimize.state import SessionState
from overseer.records import RecordLog, RunRecord
from overseer.seeds import screen_rank, timing_rank
from overseer.tasks import Task, TaskSet
from overseer.throttle import Throttle


@dataclass
class Baseline:
    """The current prompt's runs with the most repeats seen so far, per split."""

    train: list[RunRecord] = field(default_factory=list)
    holdout: list[RunRecord] = field(default_factory=list)


Design = Literal["paired", "measured"]


def own_grid(tasks: Sequence[Task], rounds: int) -> list[Pair]:
    """Every (task, repeat) of a measured candidate's first ``rounds`` rounds."""
    return [(task.id, repeat) for repeat in measured.own_repeats(rounds) for task in tasks]


@dataclass(frozen=True)
class Want:
    """The runs a comparison needs of one prompt: these (task id, repeat) pairs of ``task_set``."""

    text: str
    task_set: TaskSet
    pairs: Sequence[Pair]


@dataclass
class SessionRuns:
    setup: Setup
    state: SessionState
    cache: RunCache
    log: RecordLog
    hooks: Hooks
    evaluator: Evaluator | None = None
    executor: RunExecutor | None = None   # None: each batch runs in threads of this process
    baseline: Baseline = field(default_factory=Baseline)
    # (parent, candidate) runs at the same seeds made by the screens: what the coupling is measured on
    probes: list[tuple[list[RunRecord], list[RunRecord]]] = field(default_factory=list)
    throttle: Throttle | None = None   # runs at once, over the whole session (throttle.py)

    def __post_init__(self) -> None:
        if self.throttle is None:
            self.throttle = Throttle(self.setup.jobs)

    def design(self) -> tuple[Design, str]:
        """How the next candidates are compared with the parent, and why: ``accept.design``, or for
        auto, paired once the screens' runs (which no candidate's test uses) show the seed
        couples the two prompts' runs (evidence/coupling.py), else measured."""
        chosen = self.setup.accept.design
        if chosen != "auto":
            return chosen, f"accept.design is {chosen}"
        found = pooled(self.probes, self.setup.target.objective)
        if found is None or not found.trusted:
            return "measured", "the coupling is not measured yet: too few screened runs"
        return ("paired" if found.pairs_pay else "measured"), found.describe()

    def of(self, text: str, tasks: Sequence[Task], task_set: TaskSet, label: str,
           repeats: int | None = None) -> list[RunRecord]:
        """Runs of ``text`` on ``tasks`` for repeats 0..repeats-1 (default: the first look's)."""
        [records] = self.side_by_side([Want(text, task_set, grid(tasks, repeats or self.setup.repeats))], label)
        return records

    def compare(self, candidate: str, split: str, repeats: int | None = None,
                design: Design = "paired") -> tuple[list[RunRecord], list[RunRecord]]:
        """The current prompt's and the candidate's runs on ``split``; what is missing of either
        is run in one batch, side by side. Paired, both at the same (task, repeat); measured
        (evidence/measured.py), the candidate at seeds of its own and the parent over more rounds.
        (The baseline the proposer sees stays the parent's first-look runs; an accepted
        candidate's runs become the next one.)"""
        task_set = self.setup.train if split == "train" else self.setup.holdout
        rounds = repeats or self.setup.repeats
        pairs = grid(task_set.tasks, rounds)
        if design == "measured":
            before, after = self.side_by_side([
                Want(self.state.current_text, task_set, grid(task_set.tasks, self.parent_rounds(rounds))),
                Want(candidate, task_set, own_grid(task_set.tasks, rounds))], split)
            return before, after
        before, after = self.side_by_side(
            [Want(self.state.current_text, task_set, pairs), Want(candidate, task_set, pairs)], split)
        return before, after

    def parent_rounds(self, rounds: int) -> int:
        """The parent's rounds a measured candidate at ``rounds`` rounds is tested against."""
        most = max(self.setup.repeats, self.setup.accept.max_repeats or self.setup.repeats)
        return measured.parent_rounds(rounds, measured.PARENT_ROUNDS * most)

    def train_rounds(self, candidate: str, rounds: int, design: Design = "paired"
                     ) -> tuple[list[RunRecord], list[RunRecord]]:
        """The current prompt's and the candidate's train runs for ``rounds`` rounds of the
        candidate's test, only the pairs its walk chooses (evidence/allocate.py: tasks on which
        both agreed so far are run in only some rounds); what is missing is run side by side.
        A measured candidate runs every task each round, at seeds of its own (compare)."""
        train, objective = self.setup.train, self.setup.target.objective
        if design == "measured":
            return self.compare(candidate, "train", rounds, design)

        def fetch(pairs: list[Pair]) -> tuple[list[RunRecord], list[RunRecord]]:
            before, after = self.side_by_side(
                [Want(self.state.current_text, train, pairs), Want(candidate, train, pairs)], "train")
            return before, after

        return gather([t.id for t in train.tasks], self.setup.target.seed, rounds,
                      lambda r: run_value(r, objective), fetch)

    def timing(self, candidate: str, before: Sequence[RunRecord], after: Sequence[RunRecord]
               ) -> tuple[list[RunRecord], list[RunRecord]]:
        """Runs of both prompts made side by side, for the time criterion: the pairs of
        ``before`` and ``after`` whose two runs share a batch, topped up to ``accept.time_pairs``
        by running both prompts again, in one batch, on a seeded choice of the other train pairs."""
        wanted, train = self.setup.accept.time_pairs, self.setup.train
        parent = {(r.task_id, r.repeat): r for r in before}
        together = [(parent[key], r) for r in after
                    if (key := (r.task_id, r.repeat)) in parent and r.batch and r.batch == parent[key].batch]
        train_ids = {t.id for t in train.tasks}

        def rank(pair: Pair) -> bytes:
            return timing_rank(self.setup.target.seed, *pair)

        shared = {(b.task_id, b.repeat) for b, _ in together}
        others = sorted((key for key in parent if key[0] in train_ids and key not in shared), key=rank)
        chosen = frozenset(others[:max(0, wanted - len(together))])
        old_before, old_after = [b for b, _ in together], [a for _, a in together]
        if not chosen:
            return old_before, old_after
        new_before, new_after = self._run(
            [Arm.of(self.state.current_text, train, chosen), Arm.of(candidate, train, chosen)],
            "timing side by side")
        return old_before + new_before, old_after + new_after

    def parent(self, split: str, repeats: int | None = None) -> list[RunRecord]:
        """The current prompt's runs on ``split`` (run now only where they are missing)."""
        task_set = self.setup.train if split == "train" else self.setup.holdout
        records = self.of(self.state.current_text, task_set.tasks, task_set, f"baseline {split}", repeats)
        if len(records) > len(getattr(self.baseline, split)):
            setattr(self.baseline, split, records)
        return records

    def remeasure(self) -> None:
        """A measured candidate just kept left the runs of its own seeds as the baseline: measure
        the new parent at the parent's seeds (its first look's rounds), which the next candidates'
        tests and screens compare with."""
        for split in ("train", "holdout"):
            if measured.measured(getattr(self.baseline, split)):
                task_set = self.setup.train if split == "train" else self.setup.holdout
                setattr(self.baseline, split, self.of(self.state.current_text, task_set.tasks, task_set,
                                                      f"baseline {split}"))

    def side_by_side(self, wants: Sequence[Want], label: str) -> list[list[RunRecord]]:
        """Each want's runs, in the order of its pairs: reused from the cache, or run now, every
        missing run of every want in ONE batch, in a seeded interleaved order."""
        lookups = [self.cache.lookup(w.text, w.task_set, w.pairs) for w in wants]
        arms = [Arm.of(want.text, want.task_set, lookup.missing)
                for want, lookup in zip(wants, lookups, strict=True)]
        fresh = iter(self._run([arm for arm in arms if arm.pairs], label)
                     if any(arm.pairs for arm in arms) else [])
        results = []
        for want, lookup in zip(wants, lookups, strict=True):
            records = dict(lookup.found)
            if lookup.missing:
                records.update({(r.task_id, r.repeat): r for r in next(fresh)})
            results.append([records[pair] for pair in dict.fromkeys(want.pairs)])
        return results

    def _run(self, arms: Sequence[Arm], label: str) -> list[list[RunRecord]]:
        """One batch: each arm's runs, appended to the log, remembered, counted."""
        self.state.batches += 1
        batch = f"{self.state.session_id}:{self.state.batches}"
        if self.evaluator is not None:
            results = self.evaluator(arms, self.state.session_id, batch)
            for records in results:
                for record in records:
                    self.log.append(record)
        else:
            order_seed = seeds.order_seed(self.setup.target.seed, batch)
            with self.hooks.progress(label, sum(len(arm.pairs) for arm in arms)) as on_run:
                results = evaluate_batch(
                    loaded=self.setup.loaded, target_name=self.setup.name, arms=arms,
                    jobs=self.setup.jobs, session_id=self.state.session_id, log=self.log,
                    batch=batch, order_seed=order_seed, on_run=on_run, executor=self.executor,
                    throttle=self.throttle)
        for records in results:
            self.cache.add(records)
            self.state.runs_used += len(records)
            self.state.cost_usd += sum(r.usage.cost_usd for r in records if r.usage)
        return results

    def again(self, text: str, records: Sequence[RunRecord], label: str) -> list[RunRecord]:
        """Run these (task, repeat) pairs of the train set again now, whatever the cache holds."""
        [ran] = self._run([Arm.of(text, self.setup.train, {(r.task_id, r.repeat) for r in records})],
                          label)
        return ran

    def minibatch(self, iteration: int) -> list[Task]:
        """The screen's train tasks for this iteration (a seeded shuffle), or none."""
        size, train = self.setup.accept.screen_tasks, self.setup.train
        if size == 0 or size >= len(train):
            return []
        ranked = sorted(train.tasks, key=lambda t: screen_rank(self.setup.target.seed, iteration, t.id))
        return ranked[:size]
