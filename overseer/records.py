"""RunRecord, and crash-safe JSONL: one ``os.write`` of one line on an O_APPEND descriptor, then fsync.

A crash can cost at most the line being written. A torn last line found when a log is opened for
appending is moved to ``<file>.torn`` (never merged with the next record, never silently dropped).
"""

from __future__ import annotations

import errno
import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeVar

import jsonlines
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from overseer import __version__
from overseer.errors import FatalError, naming, validation_message

RECORD_VERSION = 2


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Usage(BaseModel):
    """What a command reports in ``$OVERSEER_USAGE_FILE``; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str | None = None
    input_tokens: int = Field(0, ge=0)
    output_tokens: int = Field(0, ge=0)
    cost_usd: float = Field(0.0, ge=0)
    provider_error: str | None = Field(
        None, description="set by a command whose provider failed (429, 5xx, network)")
    retry_after: float | None = Field(
        None, ge=0, description="seconds the provider asked to wait before the next try (its Retry-After)")

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class TestOutcome(_Record):
    __test__ = False  # not a pytest class
    name: str
    outcome: Literal["passed", "failed", "error", "skipped"]
    message: str = ""


class RunRecord(_Record):
    record_version: int = RECORD_VERSION
    record_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    session_id: str
    target: str
    command: str
    prompt_hash: str
    task_id: str
    task_hash: str
    task_set_hash: str
    repeat: int
    seed: int
    started_at: str
    exit_code: int | None
    timed_out: bool
    command_s: float
    check_exit_code: int | None = None
    check_timed_out: bool = False
    check_s: float = 0.0
    tests: list[TestOutcome] = Field(default_factory=list)
    tests_passed: int = 0
    tests_total: int = 0
    tests_omitted: int = 0   # JUnit cases counted but not kept in ``tests`` (checks.judge_junit)
    score: float = Field(0.0, ge=0.0, le=1.0)
    passed: bool = False
    error_class: str | None = None
    failing_tests: list[str] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    signature: str | None = None
    usage: Usage | None = None
    usage_error: str | None = None
    sanitized: dict[str, list[str]] = Field(default_factory=dict)
    mechanical: bool = False
    complexity: int | None = None
    artifacts: dict[str, str] = Field(default_factory=dict)
    output_kept: bool = True
    output_bytes: int = 0
    output_dropped_bytes: int = 0
    # Not the prompt's failure: the check stalled or crashed, the command was killed by a signal
    # it did not send, or the provider failed; never used as evidence (see runner.infra_cause).
    environment: str = ""   # see fingerprint.py; "" for runs recorded before it existed
    settings: dict[str, str] = Field(default_factory=dict)  # what config.Target.settings gave the run
    batch: str = ""         # runs of one batch were made side by side (evaluate.py)
    infra: bool = False
    infra_cause: str | None = None
    attempts: int = 1
    node: str | None = None  # the cluster node that made the run (executor: ray); None on this machine
    check_cpu_s: float | None = None
    overseer_version: str = __version__


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_session_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def set_aside_torn_tail(path: Path) -> str | None:
    """Move an unterminated last line to ``<path>.torn``; return a warning, or None if intact."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with path.open("rb") as handle:
        data = handle.read()
    if data.endswith(b"\n"):
        return None
    keep = data.rfind(b"\n") + 1
    torn_path = path.with_name(path.name + ".torn")
    fd = os.open(torn_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data[keep:] + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    with path.open("r+b") as handle:
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
    line_no = data[:keep].count(b"\n") + 1
    return f"{path}:{line_no}: torn last line ({len(data) - keep} bytes) moved to {torn_path}"


class RecordLog:
    """An append-only JSONL file of RunRecords, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        warning = set_aside_torn_tail(path)
        self.warnings: list[str] = [warning] if warning else []
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._lock = threading.Lock()

    def append(self, record: BaseModel) -> None:
        line = (record.model_dump_json() + "\n").encode("utf-8")
        with self._lock:
            try:
                written = os.write(self._fd, line)
                if written != len(line):
                    raise OSError(errno.EIO, f"short write ({written} of {len(line)} bytes)")
                os.fsync(self._fd)
            except OSError as exc:
                raise naming(exc, self.path) from None

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> RecordLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


M = TypeVar("M", bound=BaseModel)


def read_jsonl(path: Path, model: type[M]) -> tuple[list[M], list[str]]:
    """All lines of one JSONL file as ``model``, and warnings; a bad line is a FatalError naming
    file:line. An unterminated last line (a crash mid-append) is skipped with a warning."""
    items: list[M] = []
    warnings: list[str] = []
    data = path.read_bytes()
    complete, _, tail = data.rpartition(b"\n") if b"\n" in data else (b"", b"", data)
    if tail:
        line_no = complete.count(b"\n") + (2 if complete else 1)
        warnings.append(f"{path}:{line_no}: torn last line ignored ({len(tail)} bytes)")
    lines = complete.decode("utf-8", errors="replace").split("\n") if complete else []
    with jsonlines.Reader(lines) as reader:
        for line_no, _ in enumerate(lines, start=1):
            try:
                items.append(model.model_validate(reader.read()))
            except jsonlines.InvalidLineError as exc:
                raise FatalError(f"{path}:{line_no}: not a JSON line: {exc}") from None
            except ValidationError as exc:
                raise FatalError(
                    f"{path}:{line_no}: not a {model.__name__}: {validation_message(exc)}") from None
    return items, warnings


def read_records(path: Path) -> tuple[list[RunRecord], list[str]]:
    return read_jsonl(path, RunRecord)
