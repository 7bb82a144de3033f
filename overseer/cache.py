"""Reuse of earlier runs: a run is identified by (prompt hash, task-set hash, task, task hash,
command, repeat, seed); the same key always means the same experiment, so its record is reused
instead of running the command again (this is how a baseline is never re-run, even on --resume).

Earlier runs are found through the evidence index and read back from their JSONL line, one prompt at
a time, so a long history costs a query, not a full load.
"""

from __future__ import annotations

from pathlib import Path

from overseer.records import RunRecord
from overseer.store import open_store

Key = tuple[str, str, str, str, str, int, int]


def run_key(record: RunRecord) -> Key:
    return (record.prompt_hash, record.task_set_hash, record.task_id, record.task_hash,
            record.command, record.repeat, record.seed)


class RunCache:
    def __init__(self, runs_dir: Path | None = None, target: str = "") -> None:
        self._runs: dict[Key, RunRecord] = {}
        self._looked_up: set[tuple[str, str, str, int]] = set()
        self.runs_dir = runs_dir
        self.target = target

    def add(self, records: list[RunRecord]) -> None:
        for record in records:
            self._runs[run_key(record)] = record

    def _load(self, prompt_hash: str, task_set_hash: str, command: str, seed: int) -> None:
        wanted = (prompt_hash, task_set_hash, command, seed)
        if self.runs_dir is None or wanted in self._looked_up:
            return
        self._looked_up.add(wanted)
        with open_store(self.runs_dir) as store:
            self.add(store.runs_of(target=self.target, prompt_hash=prompt_hash,
                                   task_set_hash=task_set_hash, seed=seed, command=command))

    def get(self, key: Key) -> RunRecord | None:
        if key not in self._runs:
            prompt_hash, task_set_hash, _, _, command, _, seed = key
            self._load(prompt_hash, task_set_hash, command, seed)
        return self._runs.get(key)
