"""Reuse of earlier runs: a run is identified by (prompt hash, task-set hash, task, task hash,
command, repeat, seed); the same key always means the same experiment, so its record is reused
instead of running the command again (this is how a baseline is never re-run, even on --resume)."""

from __future__ import annotations

from pathlib import Path

from overseer.records import RunRecord, read_records

Key = tuple[str, str, str, str, str, int, int]


def run_key(record: RunRecord) -> Key:
    return (record.prompt_hash, record.task_set_hash, record.task_id, record.task_hash,
            record.command, record.repeat, record.seed)


class RunCache:
    def __init__(self) -> None:
        self._runs: dict[Key, RunRecord] = {}
        self.warnings: list[str] = []

    @classmethod
    def load(cls, directory: Path) -> RunCache:
        cache = cls()
        for path in sorted(directory.glob("*.jsonl")):
            if path.name in ("registry.jsonl", "decisions.jsonl"):
                continue
            records, warnings = read_records(path)
            cache.warnings.extend(warnings)
            cache.add(records)
        return cache

    def add(self, records: list[RunRecord]) -> None:
        for record in records:
            self._runs[run_key(record)] = record

    def get(self, key: Key) -> RunRecord | None:
        return self._runs.get(key)
