"""JSONL lines as index rows, and the lines the index cannot hold: told apart (row_of raises
Unreadable) and set aside to ``<file>.unreadable`` before a rebuild, nothing lost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from overseer.decision import Decision
from overseer.errors import validation_message
from overseer.lock import target_lock
from overseer.records import RunRecord
from overseer.registry import PromptVersion
from overseer.store.schema import decision_row, run_row, source_kind, version_row


def split_lines(data: bytes) -> list[bytes]:
    """``data`` cut after each b"\\n" and nowhere else (a damaged line may hold a stray \\r, which
    bytes.splitlines would also cut at), each line with its b"\\n"; a last piece without one (a
    torn tail) is the last element."""
    pieces = data.split(b"\n")
    return [piece + b"\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


class Unreadable(ValueError):
    """A JSONL line the index cannot hold: not UTF-8, not a valid line, a number too large."""


_SQLITE_INT = 2**63
# Logs read directly by their own module, not indexed: experiments (experiment/session.py).
NOT_INDEXED = frozenset({"experiments.jsonl"})


def row_of(kind: str, raw: bytes, target: str) -> dict[str, Any]:
    """The index row of one JSONL line (without its place). Raises Unreadable."""
    try:
        text = raw.decode("utf-8")
        if kind == "runs":
            row = run_row(RunRecord.model_validate_json(text))
        elif kind == "versions":
            row = version_row(PromptVersion.model_validate_json(text), target)
        else:
            row = decision_row(Decision.model_validate_json(text), target)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 at byte {exc.start}") from None
    except ValidationError as exc:
        raise Unreadable(f"not a valid line: {validation_message(exc)}") from None
    for key, value in row.items():
        if isinstance(value, int) and not -_SQLITE_INT <= value < _SQLITE_INT:
            raise Unreadable(f"{key} is too large a number for the index")
    return row


def unreadable_why(kind: str, raw: bytes, target: str) -> str | None:
    """Why the index cannot hold this line, or None when it can."""
    try:
        row_of(kind, raw, target)
    except Unreadable as exc:
        return str(exc)
    return None


def set_aside_unreadable(path: Path) -> list[str]:
    """Move the lines of ``path`` the index cannot hold to ``<path>.unreadable`` (appended,
    synced), then replace ``path`` by the rest (a synced temp file renamed over it), under the
    target's lock: nothing is lost, and the JSONL is whole again. One warning per line moved."""
    kind, target = source_kind(path), path.parent.name
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    bad: list[tuple[int, bytes, str]] = []
    for line_no, raw in enumerate(split_lines(complete), start=1):
        try:
            row_of(kind, raw.rstrip(b"\n"), target)
        except Unreadable as exc:
            bad.append((line_no, raw, str(exc)))
    if not bad:
        return []
    aside = path.with_name(path.name + ".unreadable")
    with target_lock(path.parent, target):
        with aside.open("ab") as out:
            out.write(b"".join(raw for _, raw, _ in bad))
            out.flush()
            os.fsync(out.fileno())
        moved = {line_no for line_no, _, _ in bad}
        kept = b"".join(raw for n, raw in enumerate(split_lines(data), start=1)
                        if n not in moved)
        temp = path.with_name(path.name + ".rebuild-tmp")
        with temp.open("wb") as out:
            out.write(kept)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    return [f"{path}:{line_no}: unreadable ({why}); moved to {aside}" for line_no, _, why in bad]
