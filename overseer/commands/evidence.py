"""``overseer index``, ``overseer verify`` and ``overseer stats``: the evidence index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from overseer.config import LoadedConfig
from overseer.evaluate import runs_dir
from overseer.store import Difference, IndexStats, open_store, rebuild


def index(*, loaded: LoadedConfig, from_scratch: bool) -> IndexStats:
    if from_scratch:
        return rebuild(runs_dir(loaded))
    with open_store(runs_dir(loaded), update=False) as store:
        return store.update()


def verify(*, loaded: LoadedConfig) -> list[Difference]:
    """Index what is new (the index may simply lag), then compare every line with its row."""
    with open_store(runs_dir(loaded), update=False) as store:
        store.update()
        return store.verify()


@dataclass
class TargetStats:
    target: str
    runs: int
    sessions: int
    pass_rate: float
    failures_kept: int
    successes_kept: int
    successes_dropped: int
    bytes_kept: int
    bytes_dropped: int
    mechanical: int
    sanitizers: dict[str, int] = field(default_factory=dict)

    @property
    def saved_share(self) -> float:
        total = self.bytes_kept + self.bytes_dropped
        return self.bytes_dropped / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "saved_share": round(self.saved_share, 4)}


def stats(*, loaded: LoadedConfig, target: str | None) -> tuple[list[TargetStats], int]:
    with open_store(runs_dir(loaded)) as store:
        where, params = ("WHERE target = ?", (target,)) if target else ("", ())
        rows = store.query(f"""
            SELECT target, COUNT(*) AS runs, COUNT(DISTINCT session_id) AS sessions,
                   AVG(passed) AS pass_rate,
                   SUM(CASE WHEN passed = 0 THEN 1 ELSE 0 END) AS failures_kept,
                   SUM(CASE WHEN passed = 1 AND output_kept = 1 THEN 1 ELSE 0 END) AS successes_kept,
                   SUM(CASE WHEN passed = 1 AND output_kept = 0 THEN 1 ELSE 0 END) AS successes_dropped,
                   SUM(output_bytes) AS bytes_kept, SUM(output_dropped_bytes) AS bytes_dropped,
                   SUM(mechanical) AS mechanical
            FROM runs {where} GROUP BY target ORDER BY target""", *params)
        result = []
        for row in rows:
            fired: dict[str, int] = {}
            for (names,) in store.query("SELECT sanitizers FROM runs WHERE target = ? AND sanitizers != ''", row["target"]):
                for name in names.split(","):
                    fired[name] = fired.get(name, 0) + 1
            result.append(TargetStats(**{k: row[k] for k in row.keys()}, sanitizers=fired))
        size = store.path.stat().st_size
    return result, size
