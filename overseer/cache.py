"""Reuse of earlier runs: a run is identified by (prompt hash, task-set hash, task, task hash,
command, repeat, seed); the same key always means the same experiment, so its record is reused
instead of running the command again (this is how a baseline is never re-run, even on --resume).
Only this module spells the key.

Earlier runs are found through the evidence index and read back from their JSONL line, one prompt at
a time, so a long history costs a query, not a full load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from overseer.prompts import prompt_hash
from overseer.records import RunRecord
from overseer.redact import redact
from overseer.store import open_store
from overseer.tasks import Task, TaskSet

_Key = tuple[str, str, str, str, str, int, int]
Pair = tuple[str, int]  # (task id, repeat)


def _key_of(record: RunRecord) -> _Key:
    return (record.prompt_hash, record.task_set_hash, record.task_id, record.task_hash,
            record.command, record.repeat, record.seed)


@dataclass
class Lookup:
    """The runs asked for that were found, by (task, repeat), and the pairs that are missing."""

    found: dict[Pair, RunRecord]
    missing: set[Pair]


class RunCache:
    """The runs of one target's command at one seed in one environment (fingerprint.py), by prompt,
    task and repeat: those it ran itself and those the index finds under the same fingerprint."""

    def __init__(self, *, command: str, seed: int, runs_dir: Path | None = None, target: str = "",
                 environment: str = "") -> None:
        self._runs: dict[_Key, RunRecord] = {}
        self._looked_up: set[tuple[str, str]] = set()
        # records hold the command redacted (runner.py), so the key does too
        self.command, self.seed, self.environment = redact(command), seed, environment
        self.runs_dir, self.target = runs_dir, target
        self.elsewhere = 0  # earlier runs of the prompts looked up, made under another environment

    def add(self, records: Sequence[RunRecord]) -> None:
        """Remember runs; an infrastructure failure is not an outcome, so it is run again when
        asked for next time."""
        for record in records:
            if not record.infra:
                self._runs[_key_of(record)] = record

    def _load(self, digest: str, task_set_hash: str) -> None:
        if self.runs_dir is None or (digest, task_set_hash) in self._looked_up:
            return
        self._looked_up.add((digest, task_set_hash))
        with open_store(self.runs_dir) as store:
            self.add(store.runs_of(target=self.target, prompt_hash=digest, task_set_hash=task_set_hash,
                                   seed=self.seed, command=self.command, environment=self.environment))
            self.elsewhere += store.count_runs_of(
                target=self.target, prompt_hash=digest, task_set_hash=task_set_hash, seed=self.seed,
                command=self.command, not_environment=self.environment)

    def forget_earlier(self, session_id: str) -> None:
        """Drop the runs of earlier sessions (a drift probe found they no longer hold); what this
        session ran stays, and the index is not asked again."""
        self._runs = {key: r for key, r in self._runs.items() if r.session_id == session_id}

    def get(self, digest: str, task_set: TaskSet, task: Task, repeat: int) -> RunRecord | None:
        key = (digest, task_set.content_hash, task.id, task.content_hash, self.command, repeat, self.seed)
        if key not in self._runs:
            self._load(digest, task_set.content_hash)
        return self._runs.get(key)

    def lookup(self, text: str, task_set: TaskSet, pairs: Iterable[Pair]) -> Lookup:
        """Which runs of ``text`` at these (task id, repeat) pairs of ``task_set`` were already
        made (in this session, an earlier one, or a killed one), and which are missing."""
        digest = prompt_hash(text)
        tasks = {task.id: task for task in task_set.tasks}
        found: dict[Pair, RunRecord] = {}
        missing: set[Pair] = set()
        for task_id, repeat in pairs:
            record = self.get(digest, task_set, tasks[task_id], repeat)
            if record is None:
                missing.add((task_id, repeat))
            else:
                found[(task_id, repeat)] = record
        return Lookup(found, missing)


def grid(tasks: Sequence[Task], repeats: int) -> list[Pair]:
    """Every (task, repeat) of ``tasks`` for repeats 0..repeats-1, repeat by repeat."""
    return [(task.id, repeat) for repeat in range(repeats) for task in tasks]
