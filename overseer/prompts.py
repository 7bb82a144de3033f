"""Where a prompt lives in a file, and how to read it out and put a new text back.

Three kinds: the whole file; a region between ``overseer:begin NAME`` and ``overseer:end`` marker
lines (in any language's comment syntax); or a module-level Python string such as
``PROMPT = \"\"\"...\"\"\"``, found with ``ast``. Files are handled as bytes decoded as UTF-8 with
no newline translation, so a rewrite changes nothing outside the prompt.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from overseer.config import PromptLocation
from overseer.errors import FatalError

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


def _python_node(source: str, variable: str, where: str) -> ast.Constant:
    try:
        module = ast.parse(source)
    except SyntaxError as exc:
        raise FatalError(f"{where}:{exc.lineno}: cannot parse Python: {exc.msg}") from None
    found: list[ast.expr] = []
    for node in module.body:
        if (isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == variable for t in node.targets
        )) or (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == variable and node.value is not None):
            assert node.value is not None
            found.append(node.value)
    if len(found) != 1:
        raise FatalError(
            f"{where}: {len(found) or 'no'} module-level assignments to {variable} (need exactly one)"
        )
    value = found[0]
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        raise FatalError(f"{where}:{value.lineno}: {variable} is not a plain string literal")
    return value


def _char_offset(source: str, line_starts: list[int], lineno: int, byte_col: int) -> int:
    # ast reports columns as UTF-8 byte offsets within the line.
    start = line_starts[lineno - 1]
    line = source[start:line_starts[lineno]] if lineno < len(line_starts) else source[start:]
    return start + len(line.encode("utf-8")[:byte_col].decode("utf-8"))


def _python_span(source: str, variable: str, where: str) -> Span:
    node = _python_node(source, variable, where)
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    assert node.end_lineno is not None and node.end_col_offset is not None
    return Span(
        _char_offset(source, line_starts, node.lineno, node.col_offset),
        _char_offset(source, line_starts, node.end_lineno, node.end_col_offset),
    )


def _render_literal(old_literal: str, text: str) -> str:
    """A Python literal for ``text`` in the style of ``old_literal`` (triple quotes kept)."""
    body = old_literal.lstrip("rRuUbB")
    quote = body[:3] if body[:3] in ('"""', "'''") else ""
    if not quote:
        return repr(text)
    escaped = text.replace("\\", "\\\\").replace(quote, quote[:2] + "\\" + quote[2])
    if escaped.endswith(quote[0]):
        escaped = escaped[:-1] + "\\" + quote[0]
    continuation = "\\\n" if body.startswith(quote + "\\\n") and not text.startswith("\n") else ""
    literal = quote + continuation + escaped + quote
    return literal if ast.literal_eval(literal) == text else repr(text)


def prompt_span(source: str, location: PromptLocation, where: str) -> Span:
    if location.kind == "region":
        assert location.region is not None
        return _region_span(source, location.region, where)
    if location.kind == "python":
        assert location.variable is not None
        return _python_span(source, location.variable, where)
    return Span(0, len(source))


def extract_prompt(source: str, location: PromptLocation, where: str) -> str:
    if location.kind == "python":
        assert location.variable is not None
        return str(_python_node(source, location.variable, where).value)
    span = prompt_span(source, location, where)
    return source[span.start:span.end]


def replace_prompt(source: str, location: PromptLocation, text: str, where: str) -> str:
    """The whole file's new text with the prompt replaced by ``text``; nothing else changes."""
    span = prompt_span(source, location, where)
    if location.kind == "python":
        new = _render_literal(source[span.start:span.end], text)
    elif location.kind == "region" and text and not text.endswith("\n"):
        new = text + "\n"  # the end marker must stay on its own line
    else:
        new = text
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
