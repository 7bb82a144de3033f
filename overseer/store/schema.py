"""The index's schema: its migrations, and the row each kind of JSONL line becomes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from overseer.decision import Decision
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
    # Runs that failed for infrastructure reasons are kept out of every figure of evidence.
    ("0006-infra", """
        ALTER TABLE runs ADD COLUMN infra INTEGER NOT NULL DEFAULT 0
    """),
    # Runs are reused only under the same environment fingerprint (fingerprint.py).
    ("0007-environment", """
        ALTER TABLE runs ADD COLUMN environment TEXT NOT NULL DEFAULT ''
    """),
]


def source_kind(path: Path) -> str:
    return {"registry.jsonl": "versions", "decisions.jsonl": "decisions"}.get(path.name, "runs")


def digest(line: bytes) -> str:
    return hashlib.sha1(line).hexdigest()


def run_row(r: RunRecord) -> dict[str, Any]:
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
        "command": r.command, "infra": int(r.infra), "environment": r.environment,
    }


def version_row(v: PromptVersion, target: str) -> dict[str, Any]:
    return {"target": target, "hash": v.hash, "parent": v.parent, "status": v.status,
            "time": v.time, "decision_id": v.decision_id, "body": v.model_dump_json()}


def decision_row(d: Decision, target: str) -> dict[str, Any]:
    return {"decision_id": d.decision_id, "target": d.target or target, "session_id": d.session_id,
            "iteration": d.iteration, "time": d.time, "parent_hash": d.parent_hash,
            "candidate_hash": d.candidate_hash, "kind": d.edit.kind if d.edit else None,
            "outcome": d.outcome, "gain": d.gain, "p_value": d.p_value, "body": d.model_dump_json()}
