from __future__ import annotations

import ast
from pathlib import Path

import pytest

from overseer.config import PromptLocation
from overseer.errors import FatalError
from overseer.prompts import extract_prompt, read_prompt, replace_prompt, write_prompt_in_copy

PY_SOURCE = '''\
"""A tool."""
import os

PROMPT = """\\
You are careful.
Use "quotes" and a backslash \\\\ here.
"""

OTHER = "x"


def main():
    return PROMPT
'''

REGION_SOURCE = """\
#!/bin/sh
# overseer:begin system
# Be brief.
# Output only code.
# overseer:end
echo done
"""


def test_whole_file_round_trip() -> None:
    location = PromptLocation(file="p.md")
    assert extract_prompt("hello\r\nworld\r\n", location, "p.md") == "hello\r\nworld\r\n"
    assert replace_prompt("old", location, "new\n", "p.md") == "new\n"


def test_region_extract_and_replace_keeps_everything_else() -> None:
    location = PromptLocation(file="run.sh", region="system")
    assert extract_prompt(REGION_SOURCE, location, "run.sh") == "# Be brief.\n# Output only code.\n"
    new = replace_prompt(REGION_SOURCE, location, "# Be brief.\n", "run.sh")
    assert new == REGION_SOURCE.replace("# Output only code.\n", "")
    assert replace_prompt(REGION_SOURCE, location, "# no newline", "run.sh").count("# overseer:end\n") == 1


def test_region_name_must_match_exactly() -> None:
    source = "# overseer:begin system2\nx\n# overseer:end\n"
    with pytest.raises(FatalError, match="no `overseer:begin system` marker"):
        extract_prompt(source, PromptLocation(file="f", region="system"), "f")


def test_region_without_end_marker() -> None:
    with pytest.raises(FatalError, match="f: `overseer:begin a` has no `overseer:end`"):
        extract_prompt("# overseer:begin a\nx\n", PromptLocation(file="f", region="a"), "f")


def test_python_variable_round_trip_keeps_style_and_rest_of_file() -> None:
    location = PromptLocation(file="tool.py", variable="PROMPT")
    text = extract_prompt(PY_SOURCE, location, "tool.py")
    assert text == 'You are careful.\nUse "quotes" and a backslash \\ here.\n'
    edited = text.replace("careful", "very careful") + 'End with """ and a quote"'
    new_source = replace_prompt(PY_SOURCE, location, edited, "tool.py")
    assert extract_prompt(new_source, location, "tool.py") == edited
    assert 'PROMPT = """\\\nYou are very careful.' in new_source
    assert new_source.endswith('\n\nOTHER = "x"\n\n\ndef main():\n    return PROMPT\n')
    assert ast.parse(new_source)


def test_python_variable_with_non_ascii_before_it_on_the_line() -> None:
    source = 'X = "é"; PROMPT = "naïve prompt"\n'
    location = PromptLocation(file="t.py", variable="PROMPT")
    assert replace_prompt(source, location, "new ✓", "t.py") == 'X = "é"; PROMPT = "new ✓"\n'


@pytest.mark.parametrize("source, message", [
    ("PROMPT = f'{x}'\n", "PROMPT is an f-string"),
    ("PROMPT = 1\n", "not a plain string literal"),
    ("PROMPT = 'a'\nPROMPT = 'b'\n", "2 module-level assignments"),
    ("OTHER = 'a'\n", "no module-level assignments to PROMPT"),
    ("PROMPT = (\n", "cannot parse Python"),
])
def test_python_variable_errors(source: str, message: str) -> None:
    with pytest.raises(FatalError, match=message):
        extract_prompt(source, PromptLocation(file="t.py", variable="PROMPT"), "t.py")


def test_read_and_write_in_copy(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text(PY_SOURCE)
    location = PromptLocation(file="tool.py", variable="PROMPT")
    write_prompt_in_copy(tmp_path, location, "Short.\n")
    assert read_prompt(tmp_path, location) == "Short.\n"


def test_missing_prompt_file(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="prompt file does not exist"):
        read_prompt(tmp_path, PromptLocation(file="gone.md"))
