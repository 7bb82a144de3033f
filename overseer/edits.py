"""One small edit to a prompt: replace, insert-after or delete, located by exact text or lines.

An edit is validated before anything is applied: its anchor must match exactly once inside the
prompt (the prompt text is the editable region: the whole file, the marked region, or the string),
it must change at most ``max_edit_chars`` characters, and the prompt may not grow beyond
``max_growth`` of its starting length. An invalid edit raises ``EditRejected`` with the reason.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_MAX_EDIT_CHARS = 400
DEFAULT_MAX_GROWTH = 0.25


class EditRejected(ValueError):
    """The edit cannot be applied; ``str(exc)`` is the reason, recorded as evidence."""


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Literal["replace", "insert_after", "delete"]
    old: str | None = Field(None, description="exact text that must occur exactly once")
    lines: tuple[int, int] | None = Field(None, description="1-based inclusive line range")
    new: str = ""
    kind: str = Field("", description="e.g. add-constraint:output-format, delete-line")

    @model_validator(mode="after")
    def _located_once(self) -> Edit:
        if (self.old is None) == (self.lines is None):
            raise ValueError("give exactly one of old (exact text) or lines (a line range)")
        if self.old is not None and not self.old:
            raise ValueError("old must not be empty")
        if self.lines is not None and not 1 <= self.lines[0] <= self.lines[1]:
            raise ValueError("lines must be a range [first, last] with 1 <= first <= last")
        if self.op == "delete" and self.new:
            raise ValueError("a delete has no new text")
        if self.op != "delete" and not self.new:
            raise ValueError(f"{self.op} needs new text")
        return self

    def key(self) -> str:
        """Identity of an edit for 'never propose the same rejected edit twice'."""
        anchor = self.old if self.old is not None else f"lines {self.lines}"
        text = f"{self.op}\0{normalize(anchor)}\0{normalize(self.new)}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def summary(self, width: int = 60) -> str:
        text = " ".join((self.new or self.old or "").split())
        verb = {"replace": "replace with", "insert_after": "insert", "delete": "delete"}[self.op]
        body = text if len(text) <= width else text[: width - 1] + "…"
        return f"{verb}: {body}"


def normalize(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True)
class AppliedEdit:
    text: str
    diff: str
    changed_chars: int


def _span(prompt: str, edit: Edit) -> tuple[int, int]:
    if edit.old is not None:
        count = prompt.count(edit.old)
        if count != 1:
            where = "does not occur in the prompt" if count == 0 else f"occurs {count} times"
            raise EditRejected(f"old text {edit.old[:60]!r} {where}; it must match exactly once")
        start = prompt.index(edit.old)
        return start, start + len(edit.old)
    assert edit.lines is not None
    lines = prompt.splitlines(keepends=True)
    first, last = edit.lines
    if last > len(lines):
        raise EditRejected(f"lines {first}-{last} are outside the prompt (it has {len(lines)} lines)")
    start = sum(len(line) for line in lines[: first - 1])
    return start, start + sum(len(line) for line in lines[first - 1: last])


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{name}", tofile=f"b/{name}",
    ))


def apply_edit(prompt: str, edit: Edit, *, start_length: int, name: str = "prompt",
               max_edit_chars: int = DEFAULT_MAX_EDIT_CHARS,
               max_growth: float = DEFAULT_MAX_GROWTH) -> AppliedEdit:
    start, end = _span(prompt, edit)
    removed = prompt[start:end]
    if edit.op == "replace":
        new_text, changed = prompt[:start] + edit.new + prompt[end:], len(removed) + len(edit.new)
    elif edit.op == "insert_after":
        new_text, changed = prompt[:end] + edit.new + prompt[end:], len(edit.new)
    else:
        new_text, changed = prompt[:start] + prompt[end:], len(removed)
    if new_text == prompt:
        raise EditRejected("the edit changes nothing")
    if changed > max_edit_chars:
        raise EditRejected(f"the edit changes {changed} characters; the limit is {max_edit_chars}")
    limit = int(start_length * (1 + max_growth))
    if len(new_text) > limit:
        raise EditRejected(
            f"the prompt would grow to {len(new_text)} characters; the limit is {limit} "
            f"(+{max_growth:.0%} of its starting {start_length})")
    if not new_text.strip():
        raise EditRejected("the edit would leave the prompt empty")
    return AppliedEdit(new_text, unified_diff(prompt, new_text, name), changed)
