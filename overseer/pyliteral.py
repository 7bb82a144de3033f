"""A prompt held by a module-level Python string: read it, and edit it in place.

An edit rewrites only the characters of the literal that hold the changed part of the value, in
that part's own style: its prefix, quotes, escapes (a part written with ``\\n`` escapes gets
``\\n`` for a new line break), the file's line endings, ``\\``-newline joins and the layout of an
implicit concatenation (comments between the parts included) all stay, so the diff of a one-line
edit is one line. What cannot be kept is refused with one line naming the form: an f-string, a
prompt extended by ``+=``, a new text a raw string cannot hold.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from dataclasses import dataclass

from overseer.errors import FatalError

_BOM = "\ufeff"
_LINE_END = re.compile(r"\r\n|\r|\n")   # what Python counts as a line break, and nothing else
_ESCAPE = re.compile(r"\\(\r\n|\r|\n|N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)",
                     re.DOTALL)
_PREFIX = re.compile(r"[rRuUbBfF]*")


@dataclass
class _Part:
    """One string token of the literal: where its body is, and which source characters make
    each character of its value."""

    prefix: str
    quote: str
    body_start: int
    body_end: int
    value: str
    sources: list[tuple[int, int]]    # (start, end) in the file, one per value character
    escapes: dict[str, str]           # value character -> the escape this part wrote it with
    line_breaks: bool                 # the part holds real line breaks (a triple-quoted text)

    @property
    def raw(self) -> bool:
        return "r" in self.prefix.lower()

    @property
    def triple(self) -> bool:
        return len(self.quote) == 3


def _line_starts(source: str) -> list[int]:
    return [0, *(m.end() for m in _LINE_END.finditer(source))]


def _offset(source: str, starts: list[int], lineno: int, byte_col: int) -> int:
    # ast counts lines as Python does, and columns as UTF-8 bytes within the line.
    start = starts[lineno - 1]
    return start + len(source[start:start + byte_col].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _assignment(source: str, variable: str, where: str) -> ast.expr:
    try:
        with warnings.catch_warnings():   # the file's own invalid escapes (\d) are not ours to report
            warnings.simplefilter("ignore")
            module = ast.parse(source.removeprefix(_BOM))
    except SyntaxError as exc:
        raise FatalError(f"{where}:{exc.lineno}: cannot parse Python: {exc.msg}") from None
    found: list[ast.expr] = []
    for node in module.body:
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == variable for t in node.targets):
                found.append(node.value)
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and node.target.id == variable and node.value is not None:
                found.append(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == variable:
            raise FatalError(f"{where}:{node.lineno}: {variable} is extended with `+=`; overseer edits a "
                             "prompt held by one assignment (join the parts into one literal)")
    if len(found) != 1:
        raise FatalError(f"{where}: {len(found) or 'no'} module-level assignments to {variable} "
                         "(need exactly one)")
    value = found[0]
    if isinstance(value, ast.JoinedStr):
        raise FatalError(f"{where}:{value.lineno}: {variable} is an f-string; overseer edits only a "
                         "plain string literal")
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        raise FatalError(f"{where}:{value.lineno}: {variable} is not a plain string literal")
    return value


def read_value(source: str, variable: str, where: str) -> str:
    node = _assignment(source, variable, where)
    assert isinstance(node, ast.Constant)
    return str(node.value)


def _decode(source: str, start: int, end: int, raw: bool, triple: bool) -> tuple[str, list[tuple[int, int]], dict[str, str]]:
    value: list[str] = []
    sources: list[tuple[int, int]] = []
    escapes: dict[str, str] = {}
    i = start
    while i < end:
        char = source[i]
        if char == "\r":   # a line break inside a triple-quoted string is "\n" in the value
            stop = i + 2 if source[i + 1:i + 2] == "\n" else i + 1
            value.append("\n")
            sources.append((i, stop))
            i = stop
        elif char != "\\":
            value.append(char)
            sources.append((i, i + 1))
            i += 1
        elif raw:   # kept as is, and it keeps the next character from closing the string
            value.append("\\")
            sources.append((i, i + 1))
            i += 1
            if i < end and source[i] not in "\r":
                value.append(source[i])
                sources.append((i, i + 1))
                i += 1
        else:
            match = _ESCAPE.match(source, i, end)
            assert match is not None
            sequence = match.group(0)
            if match.group(1)[0] in "\r\n":   # a backslash-newline join: nothing in the value
                i = match.end()
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                decoded = ast.literal_eval(f'"{sequence}"')
            if len(decoded) == 1:
                escapes.setdefault(decoded, sequence)
                sources.append((i, match.end()))
            else:   # an unknown escape such as \d stays a backslash and the character
                sources.extend([(i, i + 1), (i + 1, match.end())])
            value.append(decoded)
            i = match.end()
    return "".join(value), sources, escapes


def _parts(source: str, start: int, end: int, where: str) -> list[_Part]:
    """The string tokens between ``start`` and ``end`` (the literal's span), skipping the
    whitespace, comments and backslash-newlines between them."""
    parts: list[_Part] = []
    i = start
    while i < end:
        if source[i] in " \t\f\r\n" or source[i] == "\\":
            i += 1
        elif source[i] == "#":
            line_end = _LINE_END.search(source, i, end)
            i = line_end.start() if line_end else end
        else:
            prefix = _PREFIX.match(source, i, end).group(0)  # type: ignore[union-attr]
            at = i + len(prefix)
            quote = source[at:at + 3] if source[at:at + 3] in ('"""', "'''") else source[at]
            body = at + len(quote)
            j = body
            while not source.startswith(quote, j):
                if j >= end:
                    raise FatalError(f"{where}: a string literal that does not end where Python says")
                j += 2 if source[j] == "\\" else 1
            raw = "r" in prefix.lower()
            value, sources, escapes = _decode(source, body, j, raw, len(quote) == 3)
            line_breaks = _LINE_END.search(source, body, j) is not None
            parts.append(_Part(prefix, quote, body, j, value, sources, escapes, line_breaks))
            i = j + len(quote)
    if not parts:
        raise FatalError(f"{where}: no string literal found where the assignment is")
    return parts


def _locate(source: str, variable: str, where: str) -> tuple[list[_Part], str]:
    node = _assignment(source, variable, where)
    assert isinstance(node, ast.Constant) and node.end_lineno is not None and node.end_col_offset is not None
    bom = len(_BOM) if source.startswith(_BOM) else 0
    body = source[bom:]
    starts = _line_starts(body)
    start = bom + _offset(body, starts, node.lineno, node.col_offset)
    end = bom + _offset(body, starts, node.end_lineno, node.end_col_offset)
    parts = _parts(source, start, end, where)
    if "".join(p.value for p in parts) != node.value:
        raise FatalError(f"{where}:{node.lineno}: {variable} is written in a form overseer cannot "
                         "edit in place")
    return parts, str(node.value)


def _encode(text: str, part: _Part, newline: str, where: str, *, closing: bool) -> str:
    """``text`` written in ``part``'s style (``closing``: the part's closing quotes follow it)."""
    quote = part.quote[0]
    out: list[str] = []
    for char in text:
        unsafe = char == "\x00" or unicodedata.category(char) in ("Cs", "Zl", "Zp") \
            or (unicodedata.category(char) == "Cc" and char not in "\t\n")
        if part.raw:
            if unsafe or (char == "\n" and not part.triple) or (char == quote and not part.triple):
                raise FatalError(f"{where}: the new text has {char!r}, which the raw string "
                                 f"({part.prefix}{part.quote}...) cannot hold")
            out.append(newline if char == "\n" else char)
        elif char == "\n" and part.triple and (part.line_breaks or "\n" not in part.escapes):
            out.append(newline)
        elif char in part.escapes and char != "\\":
            out.append(part.escapes[char])
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == quote and not part.triple:
            out.append("\\" + char)
        elif unsafe:
            out.append(ascii(char)[1:-1])
        else:
            out.append(char)
    encoded = "".join(out)
    if part.raw and ((part.triple and part.quote in encoded)
                     or (closing and (len(encoded) - len(encoded.rstrip("\\"))) % 2)
                     or (closing and part.triple and encoded.endswith(quote))):
        raise FatalError(f"{where}: the new text has quotes or a final backslash that the raw string "
                         f"({part.prefix}{part.quote}...) cannot hold")
    if part.triple and not part.raw:
        encoded = encoded.replace(part.quote, part.quote[:2] + "\\" + quote)
        if closing and encoded.endswith(quote) and not encoded.endswith("\\" + quote):
            encoded = encoded[:-1] + "\\" + quote
    return encoded


def replace_value(source: str, variable: str, text: str, where: str) -> str:
    """``source`` with the literal assigned to ``variable`` now holding ``text``: only the
    characters of the changed part are rewritten (see the module docstring). Raises FatalError
    when the edit cannot be made in place."""
    parts, old = _locate(source, variable, where)
    if text == old:
        return source
    prefix = 0
    while prefix < min(len(old), len(text)) and old[prefix] == text[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(text)) - prefix and old[-1 - suffix] == text[-1 - suffix]:
        suffix += 1
    first, last = prefix, len(old) - suffix          # the old value's changed characters
    middle = text[prefix:len(text) - suffix]
    newline = "\r\n" if "\r\n" in source else "\n"

    bounds, at = [], 0
    for part in parts:
        bounds.append((at, at + len(part.value)))
        at += len(part.value)

    def place(index: int) -> tuple[int, int]:
        """The part holding value character ``index``, and the file offset where it starts."""
        for number, (lo, hi) in enumerate(bounds):
            if lo <= index < hi:
                return number, parts[number].sources[index - lo][0]
        return len(parts) - 1, parts[-1].body_end

    start_part, start_at = place(first)
    end_part, end_at = place(last) if last < len(old) else (len(parts) - 1, parts[-1].body_end)
    if end_part > start_part and end_at == parts[end_part].body_start:
        end_part, end_at = end_part - 1, parts[end_part - 1].body_end
    edits = [(start_at, parts[start_part].body_end if end_part > start_part else end_at,
              _encode(middle, parts[start_part], newline, where,
                      closing=end_part > start_part or end_at == parts[start_part].body_end))]
    for number in range(start_part + 1, end_part + 1):   # the rest of the change: emptied
        part = parts[number]
        edits.append((part.body_start, end_at if number == end_part else part.body_end, ""))
    result = source
    for begin, stop, new in sorted(edits, reverse=True):
        result = result[:begin] + new + result[stop:]
    try:
        survived = read_value(result, variable, where) == text
    except FatalError:
        survived = False
    if not survived:
        raise FatalError(f"{where}: the new text cannot be written into {variable}'s literal in place")
    return result
