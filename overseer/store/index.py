"""The evidence index: SQLite (WAL) at ``runs/overseer.db``, built from the JSONL files.

JSONL stays the source of truth. The index is updated incrementally (each file is read from the
byte offset indexed last time, since the files only grow), can be rebuilt from scratch with the same
result, evolves by small named migrations, and ``verify`` re-reads every JSONL line and reports any
difference from the index. Read-side commands query the index, not the raw files.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from overseer.decide import Decision
from overseer.errors import FatalError, validation_message
from overseer.records import RunRecord
from overseer.registry import PromptVersion
from overseer.store.queries import Queries
from overseer.store.schema import (
    DB_NAME,
    MIGRATIONS,
    decision_row,
    digest,
    run_row,
    source_kind,
    version_row,
)


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


class Store(Queries):
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
                row = run_row(RunRecord.model_validate_json(text))
            elif kind == "versions":
                row = version_row(PromptVersion.model_validate_json(text), target)
            else:
                row = decision_row(Decision.model_validate_json(text), target)
        except ValidationError as exc:
            raise FatalError(f"{self.runs_dir / source}:{line_no}: not a valid line: "
                             f"{validation_message(exc)}") from None
        row.update(source=source, line=line_no, digest=digest(raw))
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
            return digest(handle.read(tail_length)) != tail_digest

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
            kind, target = source_kind(path), path.parent.name
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
                    (source, kind, offset + len(complete), lines, digest(raw_lines[-1]), len(raw_lines[-1])))
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
            kind = source_kind(path)
            indexed = {row[1]: (row[0], row[2]) for row in self.db.execute(
                f"SELECT {key_of[kind]}, line, digest FROM {kind} WHERE source = ?", (source,))}
            data = path.read_bytes()
            complete = data[: data.rfind(b"\n") + 1]
            for line_no, raw in enumerate(complete.splitlines(), start=1):
                where = f"{path}:{line_no}"
                if line_no not in indexed:
                    differences.append(Difference(where, "in the JSONL but not in the index"))
                elif indexed[line_no][1] != digest(raw):
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

