from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from overseer.checks import KEPT_FAILING, KEPT_OTHER, JUnitError, judge_exit_code, judge_junit

# JUnit XML written by pytest for tests/test_f.py (test_ok: f(1) == 1, test_wrong: f(2) == 3,
# test_raises: f(None)) against four solution.py files; see tests/fixtures/junit/README.md.
FIXTURES = Path(__file__).parent / "fixtures" / "junit"


def test_per_test_outcomes_and_messages() -> None:
    verdict = judge_junit(FIXTURES / "mixed.xml")
    assert [(t.name, t.outcome) for t in verdict.tests] == [
        ("test_f::test_ok", "passed"), ("test_f::test_wrong", "failed"),
        ("test_f::test_raises", "failed")]
    assert verdict.tests_passed == 1 and verdict.tests_total == 3 and not verdict.passed
    assert verdict.score == pytest.approx(1 / 3)
    assert verdict.failing_tests == ["test_f::test_wrong", "test_f::test_raises"]
    assert any("TypeError" in m for m in verdict.messages)
    assert verdict.error_class in {"AssertionError", "TypeError"}


@pytest.mark.parametrize("fixture, error_class", [
    ("syntax_error.xml", "SyntaxError"),   # prose and a markdown fence around the code
    ("import_error.xml", "ImportError"),   # the function was renamed
    ("name_error.xml", "NameError"),       # a missing import
])
def test_error_class_of_broken_solutions(fixture: str, error_class: str) -> None:
    verdict = judge_junit(FIXTURES / fixture)
    assert verdict.error_class == error_class and verdict.score == 0.0


def test_unreadable_junit(tmp_path: Path) -> None:
    bad = tmp_path / "junit.xml"
    bad.write_text("<testsuite><testcase")
    with pytest.raises(JUnitError, match="unreadable JUnit XML"):
        judge_junit(bad)


def test_exit_code_check() -> None:
    assert judge_exit_code(0, False).passed
    assert judge_exit_code(1, False).error_class == "CheckFailed"
    assert judge_exit_code(None, True).error_class == "Timeout"


def _big_suite(path: Path, cases: int, failing_every: int) -> None:
    with path.open("w") as out:
        out.write('<testsuite name="big">')
        for i in range(cases):
            body = ('<failure message="assert 0">E   AssertionError</failure>'
                    if i % failing_every == 0 else "")
            out.write(f'<testcase classname="tests.test_big" name="test_{i}">{body}</testcase>')
        out.write("</testsuite>")


def test_a_huge_suite_is_counted_in_full_and_kept_in_part(tmp_path: Path) -> None:
    """400k cases used to become a 92 MB record and 1.16 GB of memory: now counts over all of
    them, the first 50 failing and 50 other cases in full, and memory of that order."""
    junit = tmp_path / "junit.xml"
    _big_suite(junit, cases=60_000, failing_every=100)
    tracemalloc.start()
    try:
        verdict = judge_junit(junit)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert verdict.tests_total == 60_000 and verdict.tests_passed == 59_400
    assert not verdict.passed and verdict.error_class == "AssertionError"
    assert sum(t.outcome == "failed" for t in verdict.tests) == KEPT_FAILING
    assert sum(t.outcome == "passed" for t in verdict.tests) == KEPT_OTHER
    assert verdict.tests_omitted == 60_000 - KEPT_FAILING - KEPT_OTHER
    assert verdict.failing_tests[:2] == ["test_big::test_0", "test_big::test_100"]
    assert peak < 8_000_000, f"{peak} bytes at the peak"
