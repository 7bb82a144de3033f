from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.sanitizers import sanitize_outputs, sanitizer, smart_quotes, strip_fences, unicode_dashes


def test_the_largest_fenced_block_is_kept() -> None:
    text = "Here it is:\n```python\ndef f():\n    return 1\n```\nand a note\n```\nx\n```\n"
    assert strip_fences(text) == "def f():\n    return 1\n"
    assert strip_fences("no fences\n") == "no fences\n"


def test_typographic_characters_become_ascii() -> None:
    assert smart_quotes("\u201cok\u201d and \u2018x\u2019") == "\"ok\" and 'x'"
    assert unicode_dashes("a \u2013 b \u2014 c") == "a - b - c"


def test_outputs_are_sanitized_in_place_and_reported(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("```python\nx = 1\n```\n")
    (tmp_path / "clean.py").write_text("y = 2\n")
    (tmp_path / "image.png").write_bytes(b"```\x89")
    assert sanitize_outputs(tmp_path, ["strip_fences"]) == {"strip_fences": ["solution.py"]}
    assert (tmp_path / "solution.py").read_text() == "x = 1\n"
    assert (tmp_path / "image.png").read_bytes() == b"```\x89"


def test_an_unknown_sanitizer_is_one_line_naming_where() -> None:
    with pytest.raises(FatalError, match="no-such-sanitizer"):
        sanitizer("no-such-sanitizer", "targets.x.sanitizers")
