"""A failure's normalized signature: what kind of failure, in words that stay the same from run to
run (no line numbers, no values), so failures can be counted, compared and learned from."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from overseer.records import TestOutcome

_TS = re.compile(r"\bTS(\d{4})\b")
_MYPY = re.compile(r"^\S+:\d+(?::\d+)?: error: .*\[([a-z][a-z0-9-]*)\]\s*$", re.MULTILINE)
_RUFF = re.compile(r"^\S+:\d+:\d+: ([A-Z]{1,4}\d{2,4})\b", re.MULTILINE)
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
_MISSING_NAME = re.compile(r"cannot import name '(\w+)'")
_PASSTHROUGH = {"Timeout", "CheckStalled", "CommandFailed", "CheckFailed", "NoTests", "TestFailure"}


def check_codes(text: str) -> list[str]:
    """Diagnostic codes in a check's output, most frequent first: TSnnnn, mypy[code], ruff[code]."""
    found = [f"TS{m}" for m in _TS.findall(text)]
    found += [f"mypy[{m}]" for m in _MYPY.findall(text)]
    found += [f"ruff[{m}]" for m in _RUFF.findall(text)]
    return [code for code, _ in Counter(found).most_common()]


def signature(*, error_class: str | None, tests: Sequence[TestOutcome], messages: Sequence[str],
              check_output: str = "") -> str | None:
    """``None`` for a pass; otherwise e.g. ``SyntaxError``, ``AssertionError@test_x::test_y``,
    ``ImportError@name``, ``MissingOutput``, ``TS2345``, ``mypy[arg-type]``, ``Timeout``."""
    if error_class is None:
        return None
    codes = check_codes(check_output)
    if codes:
        return codes[0]
    if error_class in _PASSTHROUGH:
        return error_class
    text = " ".join([*messages, *(t.message for t in tests)])
    if error_class in ("ModuleNotFoundError", "ImportError"):
        if _MISSING_MODULE.search(text) and _MISSING_MODULE.search(text).group(1) == "solution":  # type: ignore[union-attr]
            return "MissingOutput"
        if _MISSING_NAME.search(text):
            return "ImportError@name"
    if error_class == "AssertionError":
        failing = [t.name for t in tests if t.outcome in ("failed", "error")]
        if failing:
            return f"AssertionError@{failing[0]}"
    return error_class


def family(signature: str | None) -> str:
    """A signature without its detail (``AssertionError@test_x`` → ``AssertionError``): what is
    counted, so one rule or one row covers every test an assertion fails in."""
    return (signature or "Unknown").split("@")[0]
