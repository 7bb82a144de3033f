"""The evidence index: SQLite (WAL) at ``runs/overseer.db``, built from the JSONL files.

JSONL stays the source of truth. The index is updated incrementally (each file is read from the
byte offset indexed last time, since the files only grow), can be rebuilt from scratch with the same
result, evolves by small named migrations, and ``verify`` re-reads every JSONL line and reports any
difference from the index. Read-side commands query the index, not the raw files.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from overseer.errors import FatalError
from overseer.faults import checkpoint
from overseer.store.lines import (
    NOT_INDEXED,
    Unreadable,
    row_of,
    set_aside_unreadable,
    split_lines,
    unreadable_why,
)
from overseer.store.queries import Queries
from overseer.store.schema import (
    DB_NAME,
    MIGRATIONS,
    digest,
    source_kind,
)


@dataclass
class Difference:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _index_error(path: Path, exc: sqlite3.Error) -> FatalError:
    """One line for a database that cannot be used; a broken one says how to rebuild it."""
    if isinstance(exc, sqlite3.OperationalError) and any(
            s in str(exc) for s in ("readonly", "unable to open", "disk is full", "locked")):
        return FatalError(f"{path}: {exc}")
    return FatalError(f"{path}: the evidence index is broken ({exc}); rebuild it from the JSONL "
                      "files with `overseer index --rebuild`")


@dataclass
class IndexStats:
    files: int = 0
    added: int = 0
    warnings: list[str] = field(default_factory=list)


OPEN_PATIENCE_S = 120.0   # opening waits this long for other processes opening the same index


def _busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock. SQLite returns this at once, without its busy timeout,
    where waiting could deadlock (turning on WAL, a read transaction that must become a write)."""
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class Patience:
    """Randomised, doubling pauses until ``seconds`` have passed (then ``wait`` says no)."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.pause = 0.02

    def wait(self) -> bool:
        if time.monotonic() >= self.deadline:
            return False
        time.sleep(self.pause * (0.5 + random.random()))
        self.pause = min(1.0, self.pause * 2)
        return True


class Store(Queries):
    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = runs_dir
        self.path = runs_dir / DB_NAME
        runs_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise _index_error(self.path, exc) from None
        self.db.row_factory = sqlite3.Row
        patience = Patience(OPEN_PATIENCE_S)
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.migrate()
                return
            except sqlite3.Error as exc:
                if _busy(exc) and patience.wait():
                    continue
                self.db.close()
                raise _index_error(self.path, exc) from None

    def close(self) -> None:
        self.db.close()

    def _applied(self) -> set[str]:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)")
        return {row[0] for row in self.db.execute("SELECT name FROM migrations")}

    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, each in one transaction that holds the write lock
        from its start (BEGIN IMMEDIATE), so two processes opening a fresh index apply each one
        once, and a failure (a full disk) leaves the index as it was before that migration."""
        if all(name in self._applied() for name, _ in MIGRATIONS):
            return []
        applied = []
        for name, script in MIGRATIONS:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if name not in self._applied():   # again: another process may have applied it
                    for statement in filter(str.strip, script.split(";")):
                        self.db.execute(statement)
                        checkpoint("migrate:statement")
                    self.db.execute("INSERT INTO migrations (name) VALUES (?)", (name,))
                    applied.append(name)
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise
        return applied

    # ---- writing the index -------------------------------------------------------------------

    def _sources(self) -> list[Path]:
        return sorted(p for p in self.runs_dir.glob("*/*.jsonl") if p.is_file() and p.name not in NOT_INDEXED)

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.runs_dir).as_posix()

    def _insert(self, row: dict[str, Any], kind: str, source: str, line_no: int, raw: bytes,
                byte_offset: int) -> None:
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
        re-reads it. An unreadable line is left out with a warning; `index --rebuild` sets it
        aside."""
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
                raw_lines = split_lines(complete)
                position = offset
                for raw in raw_lines:
                    lines += 1
                    try:
                        row = row_of(kind, raw.rstrip(b"\n"), target)
                    except Unreadable as exc:
                        stats.warnings.append(f"{path}:{lines}: unreadable, left out of the index "
                                              f"({exc}); `overseer index --rebuild` sets it aside")
                    else:
                        self._insert(row, kind, source, lines, raw.rstrip(b"\n"), position)
                        stats.added += 1
                    position += len(raw)
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
            for line_no, raw in enumerate((line[:-1] for line in split_lines(complete)), start=1):
                where = f"{path}:{line_no}"
                if line_no in indexed and indexed[line_no][1] == digest(raw):
                    pass
                elif (why := unreadable_why(kind, raw, path.parent.name)) is not None:
                    differences.append(Difference(where, f"unreadable ({why}); `overseer index "
                                                         "--rebuild` sets it aside"))
                elif line_no not in indexed:
                    differences.append(Difference(where, "in the JSONL but not in the index"))
                else:
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
    """Throw the index away and build it again from the JSONL files, first setting aside the
    lines it cannot hold (``set_aside_unreadable``)."""
    warnings = [w for path in sorted(runs_dir.glob("*/*.jsonl")) if path.is_file()
                for w in set_aside_unreadable(path)]
    for suffix in ("", "-wal", "-shm"):
        (runs_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
    store = Store(runs_dir)
    try:
        stats = store.update()
    finally:
        store.close()
    stats.warnings[:0] = warnings
    return stats

