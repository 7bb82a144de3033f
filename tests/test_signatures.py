"""Failure signatures and diagnostic codes."""

from __future__ import annotations

import pytest

from overseer.records import TestOutcome
from overseer.signatures import check_codes, signature


@pytest.mark.parametrize("error_class, tests, messages, output, expected", [
    (None, [], [], "", None),
    ("SyntaxError", [], ["invalid syntax"], "", "SyntaxError"),
    ("ImportError", [], ["ImportError: cannot import name 'slugify' from 'solution'"], "", "ImportError@name"),
    ("ModuleNotFoundError", [], ["No module named 'solution'"], "", "MissingOutput"),
    ("ModuleNotFoundError", [], ["No module named 'numpy'"], "", "ModuleNotFoundError"),
    ("AssertionError", [TestOutcome(name="test_x::test_a", outcome="passed"),
                        TestOutcome(name="test_x::test_b", outcome="failed", message="assert 1 == 2")],
     [], "", "AssertionError@test_x::test_b"),
    ("CheckFailed", [], [], "src/a.ts(3,5): error TS2345: Argument of type", "TS2345"),
    ("CheckFailed", [], [], "a.py:3: error: Incompatible types  [arg-type]\na.py:9: error: x  [arg-type]", "mypy[arg-type]"),
    ("CheckFailed", [], [], "a.py:1:80: E501 Line too long (90 > 79)", "ruff[E501]"),
    ("Timeout", [], ["check timed out after 6s"], "", "Timeout"),
])
def test_signatures(error_class, tests, messages, output, expected) -> None:
    assert signature(error_class=error_class, tests=tests, messages=messages, check_output=output) == expected


def test_check_codes_most_frequent_first() -> None:
    text = "a.py:1:1: F401 unused\nb.py:2:1: E501 long\nc.py:3:1: E501 long\n"
    assert check_codes(text) == ["ruff[E501]", "ruff[F401]"]
