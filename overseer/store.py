"""The evidence index: SQLite (WAL) at ``runs/overseer.db``, built from the JSONL files.

JSONL stays the source of truth. The index is updated incrementally (each file is read from the
byte offset indexed last time, since the files only grow), can be rebuilt from scratch with the same
result, evolves by small named migrations, and ``verify`` re-reads every JSONL line and reports any
difference from the index. Read-side commands query the index, not the raw files.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from overseer.decide import Decision
from overseer.errors import FatalError
from overseer.records import RunRecord
from overseer.registry import PromptVersion

DB_NAME = "overseer.db"

MIGRATIONS: list[tuple[str, str]] = [
    ("0001-initial", """
        CREATE TABLE sources (path TEXT PRIMARY KEY, kind TEXT NOT NULL,
                              offset INTEGER NOT NULL, lines INTEGER NOT NULL);
        CREATE TABLE runs (
            record_id TEXT PRIMARY KEY, source TEXT NOT NULL, line INTEGER NOT NULL,
            digest TEXT NOT NULL, target TEXT NOT NULL, session_id TEXT NOT NULL,
            prompt_hash TEXT NOT NULL, task_id TEXT NOT NULL, task_hash TEXT NOT NULL,
            task_set_hash TEXT NOT NULL, repeat INTEGER NOT NULL, seed INTEGER NOT NULL,
            started_at TEXT NOT NULL, passed INTEGER NOT NULL, score REAL NOT NULL,
            error_class TEXT, input_tokens INTEGER, output_tokens INTEGER, cost_usd REAL,
            model TEXT, command_s REAL, check_s REAL);
        CREATE TABLE versions (
            source TEXT NOT NULL, line INTEGER NOT NULL, digest TEXT NOT NULL,
            target TEXT NOT NULL, hash TEXT NOT NULL, parent TEXT, status TEXT NOT NULL,
            time TEXT NOT NULL, decision_id TEXT, body TEXT NOT NULL,
            PRIMARY KEY (source, line));
        CREATE TABLE decisions (
            decision_id TEXT PRIMARY KEY, source TEXT NOT NULL, line INTEGER NOT NULL,
            digest TEXT NOT NULL, target TEXT NOT NULL, session_id TEXT NOT NULL,
            iteration INTEGER NOT NULL, time TEXT NOT NULL, parent_hash TEXT NOT NULL,
            candidate_hash TEXT, kind TEXT, outcome TEXT NOT NULL, gain REAL, p_value REAL,
            body TEXT NOT NULL);
    """),
    ("0002-lookup-indexes", """
        CREATE INDEX runs_by_prompt ON runs (target, prompt_hash, task_id, repeat);
        CREATE INDEX runs_by_source ON runs (source, line);
        CREATE INDEX versions_by_target ON versions (target, hash);
        CREATE INDEX decisions_by_target ON decisions (target, time);
    """),
    ("0003-run-evidence", """
        ALTER TABLE runs ADD COLUMN signature TEXT;
        ALTER TABLE runs ADD COLUMN mechanical INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN sanitizers TEXT NOT NULL DEFAULT '';
        ALTER TABLE runs ADD COLUMN output_kept INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE runs ADD COLUMN output_bytes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN output_dropped_bytes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN complexity INTEGER;
    """),
    ("0004-source-tail", """
        ALTER TABLE sources ADD COLUMN tail_digest TEXT NOT NULL DEFAULT '';
        ALTER TABLE sources ADD COLUMN tail_length INTEGER NOT NULL DEFAULT 0;
    """),
    # Runs are found again by their experiment key and read back from their byte offset, so an
    # optimize session never loads a whole history. The rows are re-read from the JSONL (the
    # source of truth) to fill the new columns.
    ("0005-run-lookup", """
        ALTER TABLE runs ADD COLUMN command TEXT NOT NULL DEFAULT '';
        ALTER TABLE runs ADD COLUMN byte_offset INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX runs_by_key ON runs (target, prompt_hash, task_set_hash, seed, command);
        CREATE INDEX runs_by_time ON runs (target, started_at);
        CREATE INDEX runs_by_prompt_class ON runs (target, prompt_hash, mechanical, error_class);
        DELETE FROM runs;
        DELETE FROM versions;
        DELETE FROM decisions;
        DELETE FROM sources
    """),
]


def _kind(path: Path) -> str:
    return {"registry.jsonl": "versions", "decisions.jsonl": "decisions"}.get(path.name, "runs")


def _digest(line: bytes) -> str:
    return hashlib.sha1(line).hexdigest()


def _run_row(r: RunRecord) -> dict[str, Any]:
    usage = r.usage
    return {
        "record_id": r.record_id, "target": r.target, "session_id": r.session_id,
        "prompt_hash": r.prompt_hash, "task_id": r.task_id, "task_hash": r.task_hash,
        "task_set_hash": r.task_set_hash, "repeat": r.repeat, "seed": r.seed,
        "started_at": r.started_at, "passed": int(r.passed), "score": r.score,
        "error_class": r.error_class,
        "input_tokens": usage.input_tokens if usage else None,
        "output_tokens": usage.output_tokens if usage else None,
        "cost_usd": usage.cost_usd if usage else None, "model": usage.model if usage else None,
        "command_s": r.command_s, "check_s": r.check_s, "signature": r.signature,
        "mechanical": int(r.mechanical), "sanitizers": ",".join(sorted(r.sanitized)),
        "output_kept": int(r.output_kept), "output_bytes": r.output_bytes,
        "output_dropped_bytes": r.output_dropped_bytes, "complexity": r.complexity,
        "command": r.command,
    }


def _version_row(v: PromptVersion, target: str) -> dict[str, Any]:
    return {"target": target, "hash": v.hash, "parent": v.parent, "status": v.status,
            "time": v.time, "decision_id": v.decision_id, "body": v.model_dump_json()}


def _decision_row(d: Decision, target: str) -> dict[str, Any]:
    return {"decision_id": d.decision_id, "target": d.target or target, "session_id": d.session_id,
            "iteration": d.iteration, "time": d.time, "parent_hash": d.parent_hash,
            "candidate_hash": d.candidate_hash, "kind": d.edit.kind if d.edit else None,
            "outcome": d.outcome, "gain": d.gain, "p_value": d.p_value, "body": d.model_dump_json()}


@dataclass
class Difference:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class IndexStats:
    files: int = 0
    added: int = 0
    warnings: list[str] = field(default_factory=list)


class Store:
    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = runs_dir
        self.path = runs_dir / DB_NAME
        runs_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.migrate()

    def close(self) -> None:
        self.db.close()

    def migrate(self) -> list[str]:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        applied = []
        for name, script in MIGRATIONS:
            if name in done:
                continue
            with self.db:
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO migrations (name) VALUES (?)", (name,))
            applied.append(name)
        return applied

    # ---- writing the index -------------------------------------------------------------------

    def _sources(self) -> list[Path]:
        return sorted(p for p in self.runs_dir.glob("*/*.jsonl") if p.is_file())

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.runs_dir).as_posix()

    def _insert(self, kind: str, source: str, line_no: int, raw: bytes, target: str,
                byte_offset: int) -> None:
        text = raw.decode("utf-8")
        try:
            if kind == "runs":
                row = _run_row(RunRecord.model_validate_json(text))
            elif kind == "versions":
                row = _version_row(PromptVersion.model_validate_json(text), target)
            else:
                row = _decision_row(Decision.model_validate_json(text), target)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise FatalError(f"{self.runs_dir / source}:{line_no}: not a valid line: "
                             f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
        row.update(source=source, line=line_no, digest=_digest(raw))
        if kind == "runs":
            row["byte_offset"] = byte_offset
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        table = {"runs": "runs", "versions": "versions", "decisions": "decisions"}[kind]
        self.db.execute(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})", row)

    def _rewritten(self, path: Path, offset: int, tail_digest: str, tail_length: int) -> bool:
        """True if the last line indexed is no longer where it was: the file was edited in place."""
        if not offset:
            return False
        with path.open("rb") as handle:
            handle.seek(offset - tail_length)
            return _digest(handle.read(tail_length)) != tail_digest

    def update(self) -> IndexStats:
        """Index whatever the JSONL files gained since the last update. A file edited in place
        (not appended to) is left alone with a warning: `verify` reports it, `index --rebuild`
        re-reads it."""
        stats = IndexStats()
        for path in self._sources():
            source = self._relative(path)
            row = self.db.execute("SELECT * FROM sources WHERE path = ?", (source,)).fetchone()
            offset, lines = (row["offset"], row["lines"]) if row else (0, 0)
            size = path.stat().st_size
            if size == offset:
                continue
            if size < offset or (row and self._rewritten(path, offset, row["tail_digest"], row["tail_length"])):
                stats.warnings.append(f"{path}: changed in place since it was indexed; "
                                      "run `overseer verify`, then `overseer index --rebuild`")
                continue
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read(size - offset)
            complete = data[: data.rfind(b"\n") + 1]
            if not complete:
                continue
            kind, target = _kind(path), path.parent.name
            with self.db:
                raw_lines = complete.splitlines(keepends=True)
                position = offset
                for raw in raw_lines:
                    lines += 1
                    self._insert(kind, source, lines, raw.rstrip(b"\n"), target, position)
                    position += len(raw)
                    stats.added += 1
                self.db.execute(
                    "INSERT OR REPLACE INTO sources (path, kind, offset, lines, tail_digest, tail_length)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (source, kind, offset + len(complete), lines, _digest(raw_lines[-1]), len(raw_lines[-1])))
            stats.files += 1
        return stats

    # ---- checking the index against the JSONL -------------------------------------------------

    def verify(self) -> list[Difference]:
        differences: list[Difference] = []
        seen_sources = set()
        key_of = {"runs": "record_id", "versions": "source || ':' || line", "decisions": "decision_id"}
        for path in self._sources():
            source = self._relative(path)
            seen_sources.add(source)
            kind = _kind(path)
            indexed = {row[1]: (row[0], row[2]) for row in self.db.execute(
                f"SELECT {key_of[kind]}, line, digest FROM {kind} WHERE source = ?", (source,))}
            data = path.read_bytes()
            complete = data[: data.rfind(b"\n") + 1]
            for line_no, raw in enumerate(complete.splitlines(), start=1):
                where = f"{path}:{line_no}"
                if line_no not in indexed:
                    differences.append(Difference(where, "in the JSONL but not in the index"))
                elif indexed[line_no][1] != _digest(raw):
                    differences.append(Difference(where, "differs from the index (edited after indexing)"))
                indexed.pop(line_no, None)
            for line_no, (key, _) in sorted(indexed.items()):
                differences.append(Difference(f"{path}:{line_no}", f"{key} is in the index but not in the JSONL"))
        for kind in ("runs", "versions", "decisions"):
            for row in self.db.execute(f"SELECT DISTINCT source FROM {kind}"):
                if row[0] not in seen_sources:
                    differences.append(Difference(str(self.runs_dir / row[0]), "indexed, but the file is gone"))
        return differences

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every indexed row, in a stable order (for comparing two indexes)."""
        order = {"runs": "record_id", "versions": "source, line", "decisions": "decision_id",
                 "sources": "path", "migrations": "name"}
        return {table: [tuple(r) for r in self.db.execute(f"SELECT * FROM {table} ORDER BY {key}")]
                for table, key in order.items()}

    # ---- queries used by the read-side commands ------------------------------------------------

    def versions(self, target: str) -> list[PromptVersion]:
        rows = self.db.execute("SELECT body FROM versions WHERE target = ? ORDER BY source, line", (target,))
        return [PromptVersion.model_validate_json(r[0]) for r in rows]

    def decisions(self, target: str | None = None) -> list[Decision]:
        query = "SELECT body FROM decisions" + (" WHERE target = ?" if target else "") + " ORDER BY time, decision_id"
        rows = self.db.execute(query, (target,) if target else ())
        return [Decision.model_validate_json(r[0]) for r in rows]

    def runs_of(self, *, target: str, prompt_hash: str, task_set_hash: str, seed: int,
                command: str) -> list[RunRecord]:
        """Every recorded run of one prompt under one experiment setup, read back from the JSONL."""
        rows = self.db.execute(
            "SELECT source, byte_offset FROM runs WHERE target = ? AND prompt_hash = ? AND "
            "task_set_hash = ? AND seed = ? AND command = ? ORDER BY source, byte_offset",
            (target, prompt_hash, task_set_hash, seed, command)).fetchall()
        by_source: dict[str, list[int]] = {}
        for source, byte_offset in rows:
            by_source.setdefault(source, []).append(byte_offset)
        records: list[RunRecord] = []
        for source, offsets in by_source.items():
            with (self.runs_dir / source).open("rb") as handle:
                for byte_offset in offsets:
                    handle.seek(byte_offset)
                    records.append(RunRecord.model_validate_json(handle.readline()))
        return records

    def query(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return list(self.db.execute(sql, params))


@contextmanager
def open_store(runs_dir: Path, *, update: bool = True) -> Iterator[Store]:
    store = Store(runs_dir)
    try:
        if update:
            store.update()
        yield store
    finally:
        store.close()


def rebuild(runs_dir: Path) -> IndexStats:
    """Throw the index away and build it again from the JSONL files."""
    for suffix in ("", "-wal", "-shm"):
        (runs_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
    store = Store(runs_dir)
    try:
        return store.update()
    finally:
        store.close()

