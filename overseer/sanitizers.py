"""Sanitizers: optional, per target, applied to the command's output files before the check.

They fix mechanical damage (markdown fences and prose around code, typographic quotes and dashes),
so a run can be judged on its substance; a run that passes only thanks to one is marked mechanical
and kept out of what overseer learns about edits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from overseer.plugins import load

_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)```", re.DOTALL)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‒": "-"})
SANITIZE_CAP = 4_000_000   # a larger output file is left as it is (and never read whole)
TEXT_SUFFIXES = frozenset({".py", ".ts", ".js", ".txt", ".md", ".json", ".yaml", ".yml", ".sh", ""})


def strip_fences(text: str) -> str:
    """The code of the largest fenced block, when the text has one (prose around it dropped)."""
    blocks = _FENCE.findall(text)
    if not blocks:
        return text
    code = str(max(blocks, key=lambda block: len(block[1]))[1])
    return code if code.endswith("\n") else code + "\n"


def smart_quotes(text: str) -> str:
    return text.translate(_QUOTES)


def unicode_dashes(text: str) -> str:
    return text.translate(_DASHES)


SANITIZERS: dict[str, Callable[[str], str]] = {
    "strip_fences": strip_fences, "smart_quotes": smart_quotes, "unicode_dashes": unicode_dashes,
}


@lru_cache(maxsize=64)
def sanitizer(name: str, where: str = "sanitizers") -> Callable[[str], str]:
    """The sanitizer of this name: overseer's own, or a plugin's (plugins.py), imported once;
    one line naming ``where`` if there is none."""
    if name in SANITIZERS:
        return SANITIZERS[name]
    return load("sanitizers", name, where)


def sanitize_outputs(workdir: Path, names: list[str]) -> dict[str, list[str]]:
    """Apply the named sanitizers to the text files in ``workdir``; which changed which files."""
    changed: dict[str, list[str]] = {}
    for path in sorted(p for p in workdir.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        try:
            if path.stat().st_size > SANITIZE_CAP:
                continue
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        original = text
        for name in names:
            after = sanitizer(name)(text)
            if after != text:
                changed.setdefault(name, []).append(path.relative_to(workdir).as_posix())
                text = after
        if text != original:
            path.write_text(text, encoding="utf-8")
    return changed
