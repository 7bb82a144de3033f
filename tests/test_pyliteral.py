"""Python-variable prompts are edited in place: an unchanged write is byte-identical and a one-word
edit is a one-line diff, whatever form the literal has (issue: 80 of 489 real prompts changed on an
unchanged write, up to 149 diff lines for a one-line edit)."""

from __future__ import annotations

import ast
import difflib

import pytest

from overseer.errors import FatalError
from overseer.pyliteral import read_value, replace_value

FORMS = {
    "implicit concatenation with comments": (
        'import os\n\nPROMPT = (\n    "You are a helpful assistant. "  # role\n'
        '    "Be careful with the details.\\n"\n    # the format\n'
        "    'Reply in JSON.'\n)\n\nOTHER = 1\n"),
    "backslash-newline joins in triple quotes": (
        'PROMPT = """\\\nYou are a helpful assistant. \\\nBe careful with the details.\n'
        'Reply in JSON.\n"""\n'),
    "escapes in a single-quoted string": (
        'PROMPT = "You are a helpful assistant.\\nBe careful with the \\"details\\".\\n\\tReply in JSON."\n'),
    "double quotes stay double": 'PROMPT = "Be careful with the details, don\'t guess."\n',
    "raw string": 'PROMPT = r"Match \\d+ digits. Be careful with the details."\n',
    "raw triple string": 'PROMPT = r"""Match \\d+.\nBe careful with the details.\n"""\n',
    "crlf file": 'X = 1\r\nPROMPT = """\r\nYou are a helpful assistant.\r\nBe careful with the details.\r\n"""\r\n',
    "bom": '\ufeffPROMPT = """You are helpful.\nBe careful with the details.\n"""\n',
    "line-break characters Python does not count": (
        '# a form feed \x0c a vt \x0b a nel \x85 a ls \u2028 a ps \u2029\n'
        'PROMPT = """You are helpful.\nBe careful with the details.\n"""\nY = "\x0c"\n'),
    "annotated": 'PROMPT: str = (\n    "Be careful with the details."\n    " Reply in JSON."\n)\n',
    "octal, hex, named and unknown escapes": (
        'PROMPT = "Tab\\x09 nul\\0 e\\N{LATIN SMALL LETTER E WITH ACUTE} regex \\d. Be careful with the details."\n'),
    "u prefix and single quotes": "PROMPT = u'Be careful with the details.\\n'\n",
}


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_an_unchanged_write_is_byte_identical(form: str) -> None:
    source = FORMS[form]
    assert replace_value(source, "PROMPT", read_value(source, "PROMPT", "t.py"), "t.py") == source


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_one_word_edit_is_a_one_line_diff(form: str) -> None:
    source = FORMS[form]
    old = read_value(source, "PROMPT", "t.py")
    new = old.replace("careful", "precise")
    edited = replace_value(source, "PROMPT", new, "t.py")
    assert read_value(edited, "PROMPT", "t.py") == new
    changed = _changed_lines(source, edited)
    assert len(changed) == 2 and changed[0].replace("careful", "precise")[1:] == changed[1][1:], changed


@pytest.mark.filterwarnings("ignore::DeprecationWarning")   # the corpus's own \\d, parsed again
@pytest.mark.parametrize("form", sorted(FORMS))
def test_adding_and_deleting_a_line_keeps_the_literal_s_style(form: str) -> None:
    source = FORMS[form]
    old = read_value(source, "PROMPT", "t.py")
    for new in (old + "Never invent facts.", old.replace("Be careful with the details.", "")):
        try:
            edited = replace_value(source, "PROMPT", new, "t.py")
        except FatalError as exc:   # a raw string cannot hold a line break: one line, never a traceback
            assert "\n" not in str(exc) and "raw string" in str(exc)
            continue
        assert read_value(edited, "PROMPT", "t.py") == new
        ast.parse(edited.removeprefix("\ufeff"))
        if "\r\n" in source:
            assert "\n" not in edited.replace("\r\n", "")   # no bare line feed in a CRLF file
        assert edited.startswith("\ufeff") == source.startswith("\ufeff")


@pytest.mark.parametrize("text", ["with a nul \x00 in it", "a lone surrogate \ud800 here",
                                  'quotes """ and \'\'\' and a trailing quote"', "back\\slash\\"])
def test_awkward_new_texts_are_written_or_refused_in_one_line(text: str) -> None:
    for form, source in FORMS.items():
        try:
            edited = replace_value(source, "PROMPT", text, "t.py")
        except FatalError as exc:
            assert "\n" not in str(exc) and "raw string" in str(exc), (form, exc)
            continue
        edited.encode("utf-8")   # never a lone surrogate in the file
        assert read_value(edited, "PROMPT", "t.py") == text, form


@pytest.mark.parametrize("source, message", [
    ('PROMPT = """Be careful."""\nPROMPT += " More."\n', r"PROMPT is extended with `\+=`"),
    ("PROMPT = f'Be careful with {x}.'\n", "PROMPT is an f-string"),
    ("PROMPT = ('a' f'{x}')\n", "PROMPT is an f-string"),
])
def test_forms_that_cannot_be_edited_are_refused_naming_the_form(source: str, message: str) -> None:
    with pytest.raises(FatalError, match=message):
        read_value(source, "PROMPT", "t.py")
