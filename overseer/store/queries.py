"""The questions the read side asks of the index, one named method each (all SQL stays in this
package). Runs are read back from their JSONL line, the source of truth, by byte offset."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from overseer.decision import Decision
from overseer.errors import FatalError
from overseer.metrics import RunCosts
from overseer.records import RunRecord
from overseer.registry import PromptVersion
from overseer.store.schema import digest


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
    infra: int = 0
    sanitizers: dict[str, int] = field(default_factory=dict)

    @property
    def saved_share(self) -> float:
        total = self.bytes_kept + self.bytes_dropped
        return self.bytes_dropped / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "saved_share": round(self.saved_share, 4)}


@dataclass(frozen=True)
class TaskRate:
    """One task's pass rate under one prompt version."""

    task_id: str
    prompt_hash: str
    rate: float
    runs: int


@dataclass(frozen=True)
class BandRate:
    """Recent runs of one model or one complexity band."""

    band: str
    runs: int
    pass_rate: float


def _marks(values: Sequence[str]) -> str:
    return ",".join("?" * len(values)) or "''"


class Queries:
    runs_dir: Path
    db: sqlite3.Connection

    def versions(self, target: str) -> list[PromptVersion]:
        """Every recorded version of ``target``'s prompt, oldest first: the one read path of the
        registry for everything outside the session that writes it."""
        rows = self.db.execute("SELECT body FROM versions WHERE target = ? ORDER BY source, line", (target,))
        return [PromptVersion.model_validate_json(r[0]) for r in rows]

    def decisions(self, target: str | None = None) -> list[Decision]:
        """One target's decisions in the order they were made, or every target's by time."""
        rows = self.db.execute(
            "SELECT body FROM decisions WHERE target = ? ORDER BY source, line", (target,)) if target \
            else self.db.execute("SELECT body FROM decisions ORDER BY time, decision_id")
        return [Decision.model_validate_json(r[0]) for r in rows]

    def _read_back(self, rows: Iterable[tuple[str, int, str]]) -> list[RunRecord]:
        """The records at these (source, byte offset, digest) rows, read from their JSONL. A line
        that is no longer the one indexed (the file was edited in place) is a FatalError saying
        how to rebuild, never a record read from the wrong place."""
        by_source: dict[str, list[tuple[int, str]]] = {}
        for source, byte_offset, line_digest in rows:
            by_source.setdefault(source, []).append((byte_offset, line_digest))
        records: list[RunRecord] = []
        for source, places in by_source.items():
            path = self.runs_dir / source
            try:
                handle = path.open("rb")
            except FileNotFoundError:
                raise FatalError(f"{path}: indexed, but the file is gone; run "
                                 "`overseer index --rebuild`") from None
            with handle:
                for byte_offset, line_digest in places:
                    handle.seek(byte_offset)
                    raw = handle.readline().rstrip(b"\n")
                    if digest(raw) != line_digest:
                        raise FatalError(
                            f"{path}: changed since it was indexed (the line at byte {byte_offset} "
                            "differs); run `overseer verify`, then `overseer index --rebuild`")
                    records.append(RunRecord.model_validate_json(raw))
        return records

    def runs_of(self, *, target: str, prompt_hash: str, task_set_hash: str, seed: int,
                command: str, environment: str) -> list[RunRecord]:
        """Every recorded run of one prompt under one experiment setup and environment that is
        evidence (infrastructure failures are left out)."""
        return self._read_back(self.db.execute(
            "SELECT source, byte_offset, digest FROM runs WHERE target = ? AND prompt_hash = ? AND "
            "task_set_hash = ? AND seed = ? AND command = ? AND environment = ? AND infra = 0 "
            "ORDER BY source, byte_offset",
            (target, prompt_hash, task_set_hash, seed, command, environment)).fetchall())

    def runs_of_prompts(self, target: str, prompt_hashes: Sequence[str]) -> list[RunRecord]:
        """Every recorded run of these prompts of the target that is evidence."""
        if not prompt_hashes:
            return []
        marks = ", ".join("?" * len(prompt_hashes))
        return self._read_back(self.db.execute(
            f"SELECT source, byte_offset, digest FROM runs WHERE target = ? AND infra = 0 AND "
            f"prompt_hash IN ({marks}) ORDER BY source, byte_offset",
            (target, *prompt_hashes)).fetchall())

    def latest_runs(self, target: str, limit: int) -> list[RunRecord]:
        """The target's last ``limit`` runs that are evidence, newest first."""
        records = self._read_back(self.db.execute(
            "SELECT source, byte_offset, digest FROM runs WHERE target = ? AND infra = 0 "
            "ORDER BY started_at DESC LIMIT ?", (target, int(limit))).fetchall())
        return sorted(records, key=lambda r: r.started_at, reverse=True)

    def count_runs_of(self, *, target: str, prompt_hash: str, task_set_hash: str, seed: int,
                      command: str, not_environment: str) -> int:
        """How many runs of one prompt and setup were recorded under another environment."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM runs WHERE target = ? AND prompt_hash = ? AND task_set_hash = ? "
            "AND seed = ? AND command = ? AND environment != ? AND infra = 0",
            (target, prompt_hash, task_set_hash, seed, command, not_environment)).fetchone()
        return int(row[0])

    def passing_runs(self, *, target: str, prompt_hashes: Sequence[str], min_score: float) -> list[RunRecord]:
        """Passing runs of these prompt versions whose output was kept, in recorded order."""
        return self._read_back(self.db.execute(
            f"SELECT source, byte_offset, digest FROM runs WHERE target = ? AND passed = 1 AND score >= ? "
            f"AND output_kept = 1 AND prompt_hash IN ({_marks(prompt_hashes)}) ORDER BY source, line",
            (target, min_score, *prompt_hashes)).fetchall())

    def error_class_counts(self) -> list[tuple[str, str, str | None, int]]:
        """(target, prompt hash, error class or None for passes, runs), mechanical runs left out."""
        return [(r[0], r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT target, prompt_hash, error_class, COUNT(*) FROM runs WHERE mechanical = 0 AND infra = 0 "
            "GROUP BY target, prompt_hash, error_class")]

    def run_costs(self, target: str, environment: str | None = None, command: str | None = None) -> RunCosts:
        """Mean tokens, cost and seconds per run of the target's runs that are evidence; with
        ``environment`` and ``command``, only the runs made under them (a run made under another
        profile, model or command says nothing of what the next session's will cost)."""
        where, args = "target = ? AND infra = 0", [target]
        if environment is not None:   # "": a run recorded before fingerprints, of no known environment
            where, args = f"{where} AND environment IN (?, '')", [*args, environment]
        if command is not None:
            where, args = f"{where} AND command = ?", [*args, command]
        row = self.db.execute(
            "SELECT COUNT(*), AVG(COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0)), "
            "AVG(COALESCE(cost_usd, 0)), AVG(COALESCE(command_s, 0) + COALESCE(check_s, 0)) "
            f"FROM runs WHERE {where}", args).fetchone()
        return RunCosts(int(row[0]), float(row[1] or 0), float(row[2] or 0), float(row[3] or 0))

    def session_runs(self, target: str) -> dict[str, int]:
        """Runs recorded per session of the target (every run made, whatever its outcome)."""
        rows = self.db.execute(
            "SELECT session_id, COUNT(*) FROM runs WHERE target = ? GROUP BY session_id", (target,))
        return {session: int(count) for session, count in rows}

    def task_rates(self, target: str, prompt_hashes: Sequence[str]) -> list[TaskRate]:
        rows = self.db.execute(
            f"SELECT task_id, prompt_hash, AVG(passed), COUNT(*) FROM runs WHERE target = ? AND infra = 0 "
            f"AND prompt_hash IN ({_marks(prompt_hashes)}) GROUP BY task_id, prompt_hash",
            (target, *prompt_hashes))
        return [TaskRate(*row) for row in rows]

    def failures_by_session(self, target: str) -> list[tuple[str, str | None, int]]:
        """(session, signature or error class, failing runs), sessions in the order they started."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT session_id, COALESCE(signature, error_class) AS sig, COUNT(*) FROM runs "
            "WHERE target = ? AND passed = 0 AND infra = 0 GROUP BY session_id, sig ORDER BY MIN(started_at)",
            (target,))]

    def recent_rates(self, target: str, by: Literal["model", "complexity"], window: int) -> list[BandRate]:
        """Pass rates per model (most runs first) or per complexity over the last ``window`` runs."""
        recent = "FROM (SELECT * FROM runs WHERE target = ? AND infra = 0 ORDER BY started_at DESC LIMIT ?)"
        query = (f"SELECT COALESCE(model, '-'), COUNT(*) AS n, ROUND(AVG(passed), 4) {recent} "
                 "GROUP BY model ORDER BY n DESC") if by == "model" else (
                 f"SELECT complexity, COUNT(*), ROUND(AVG(passed), 4) {recent} "
                 "WHERE complexity IS NOT NULL GROUP BY complexity ORDER BY complexity")
        return [BandRate(str(band), runs, rate) for band, runs, rate in
                self.db.execute(query, (target, int(window)))]

    def target_stats(self, target: str | None) -> list[TargetStats]:
        where, params = ("WHERE target = ?", (target,)) if target else ("", ())
        rows = self.db.execute(f"""
            SELECT target, COUNT(*) AS runs, COUNT(DISTINCT session_id) AS sessions,
                   AVG(passed) AS pass_rate,
                   SUM(CASE WHEN passed = 0 THEN 1 ELSE 0 END) AS failures_kept,
                   SUM(CASE WHEN passed = 1 AND output_kept = 1 THEN 1 ELSE 0 END) AS successes_kept,
                   SUM(CASE WHEN passed = 1 AND output_kept = 0 THEN 1 ELSE 0 END) AS successes_dropped,
                   SUM(output_bytes) AS bytes_kept, SUM(output_dropped_bytes) AS bytes_dropped,
                   SUM(mechanical) AS mechanical, SUM(infra) AS infra
            FROM runs {where} GROUP BY target ORDER BY target""", params).fetchall()
        result = []
        for row in rows:
            fired: dict[str, int] = {}
            for (names,) in self.db.execute(
                    "SELECT sanitizers FROM runs WHERE target = ? AND sanitizers != ''", (row["target"],)):
                for name in names.split(","):
                    fired[name] = fired.get(name, 0) + 1
            result.append(TargetStats(**{k: row[k] for k in row.keys()}, sanitizers=fired))  # noqa: SIM118
        return result
