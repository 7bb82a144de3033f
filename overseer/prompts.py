"""Where a prompt lives in a file, and how to read it out and put a new text back.

Three kinds: the whole file; a region between ``overseer:begin NAME`` and ``overseer:end`` marker
lines (in any language's comment syntax); or a module-level Python string such as
``PROMPT = \"\"\"...\"\"\"``, found with ``ast`` and edited in place by ``pyliteral``. Files are
handled as bytes decoded as UTF-8 with no newline translation, so a rewrite changes nothing
outside the prompt.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from overseer.config import PromptLocation
from overseer.errors import FatalError
from overseer.pyliteral import read_value, replace_value

_END_MARKER = re.compile(r"overseer:end\b")


def prompt_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Span:
    """Character offsets of the prompt inside its file's text."""

    start: int
    end: int


def read_source(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise FatalError(f"{path}: prompt file does not exist") from None
    except IsADirectoryError:
        raise FatalError(f"{path}: prompt file is a directory; point prompt: at a file") from None
    except UnicodeDecodeError:
        raise FatalError(f"{path}: prompt file is not UTF-8 text") from None


def _region_span(source: str, name: str, where: str) -> Span:
    begin = re.compile(rf"overseer:begin\s+{re.escape(name)}(?![\w.-])")
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    begins = [i for i, line in enumerate(lines) if begin.search(line)]
    if len(begins) != 1:
        found = "no" if not begins else f"{len(begins)}"
        raise FatalError(f"{where}: {found} `overseer:begin {name}` marker lines (need exactly one)")
    for j in range(begins[0] + 1, len(lines)):
        if _END_MARKER.search(lines[j]):
            return Span(offsets[begins[0] + 1], offsets[j])
    raise FatalError(f"{where}: `overseer:begin {name}` has no `overseer:end` line after it")


def prompt_span(source: str, location: PromptLocation, where: str) -> Span:
    """Where a whole-file or region prompt is (a Python literal is edited by pyliteral)."""
    if location.kind == "region":
        assert location.region is not None
        return _region_span(source, location.region, where)
    return Span(0, len(source))


def extract_prompt(source: str, location: PromptLocation, where: str) -> str:
    if location.kind == "python":
        assert location.variable is not None
        return read_value(source, location.variable, where)
    span = prompt_span(source, location, where)
    return source[span.start:span.end]


def replace_prompt(source: str, location: PromptLocation, text: str, where: str) -> str:
    """The whole file's new text with the prompt replaced by ``text``; nothing else changes."""
    if location.kind == "python":
        assert location.variable is not None
        return replace_value(source, location.variable, text, where)
    span = prompt_span(source, location, where)
    # the end marker must stay on its own line
    new = text + "\n" if location.kind == "region" and text and not text.endswith("\n") else text
    result = source[:span.start] + new + source[span.end:]
    expected = new if location.kind == "region" else text
    if extract_prompt(result, location, where) != expected:
        raise FatalError(f"{where}: the new prompt text does not survive a round trip")
    return result


def prompt_file(root: Path, location: PromptLocation) -> Path:
    """Where the prompt's file really is under ``root`` (a symlink inside the project is followed,
    so an edit is written through to its target). One line and exit 2 when it resolves outside
    ``root`` (an absolute path, ``..``, a symlink leading out): candidates are written into an
    isolated copy of the project, and a file outside it would be the user's own."""
    resolved = (root / location.file).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise FatalError(
            f"{location.file}: the prompt file resolves outside the project, to {resolved}; "
            "overseer edits a prompt only inside the directory of overseer.yaml (copy the file in "
            "and point prompt: at it)")
    return resolved


def read_prompt(root: Path, location: PromptLocation) -> str:
    path = prompt_file(root, location)
    return extract_prompt(read_source(path), location, str(root / location.file))


def write_prompt_in_copy(root: Path, location: PromptLocation, text: str) -> Path:
    """Put ``text`` in place inside an isolated copy (never the user's checkout)."""
    path = prompt_file(root, location)
    new_source = replace_prompt(read_source(path), location, text, str(path))
    path.write_bytes(new_source.encode("utf-8"))
    return path
