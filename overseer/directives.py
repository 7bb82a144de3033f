"""Directives: what the prompt's owners require of every edit (config.Directives). Pure checks of
a proposed text against them; the loop calls an edit that breaks one invalid, whoever proposed it,
so no run is spent on it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from overseer.config import Directives
from overseer.errors import FatalError


def protected_lines(directives: Directives, text: str) -> list[str]:
    """The lines of ``text`` that a keep_lines pattern matches."""
    patterns = [re.compile(p) for p in directives.keep_lines]
    return [line for line in text.splitlines() if any(p.search(line) for p in patterns)]


def violation(directives: Directives, before: str, after: str) -> str | None:
    """Which directive the edit from ``before`` to ``after`` breaks, in words, or None."""
    kept = Counter(after.splitlines())
    for line, count in Counter(protected_lines(directives, before)).items():
        if kept[line] < count:
            return f"it deletes or changes {line.strip()!r}, a line the directives keep (keep_lines)"
    words_before, words_after = len(before.split()), len(after.split())
    limit = directives.max_words
    if limit is not None and words_after > limit and words_after > words_before:
        return f"it takes the prompt to {words_after} words, over the directives' max_words ({limit})"
    return None


def free_text(directives: Directives, root: Path) -> str:
    """The free text for LLM roles: ``text`` and the contents of ``file``."""
    parts = [directives.text.strip()]
    if directives.file:
        path = root / directives.file
        try:
            parts.append(path.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise FatalError(f"{path}: cannot read the directives file: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
    return "\n\n".join(p for p in parts if p)


def described(directives: Directives) -> str:
    """The constraints in words, for a proposer's prompt."""
    lines = [f"- Never delete or change a line matching the regular expression {p!r}."
             for p in directives.keep_lines]
    if directives.max_words:
        lines.append(f"- The prompt must stay within {directives.max_words} words.")
    return "\n".join(lines)
