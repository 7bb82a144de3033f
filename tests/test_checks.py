from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from overseer.checks import JUnitError, judge_exit_code, judge_junit

TESTS = '''\
from solution import f


def test_ok():
    assert f(1) == 1


def test_wrong():
    assert f(2) == 3


def test_raises():
    f(None)
'''


def _junit(tmp_path: Path, solution: str) -> Path:
    (tmp_path / "solution.py").write_text(solution)
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "test_f.py").write_text(TESTS)
    junit = tmp_path / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={junit}", "tests"], cwd=tmp_path, capture_output=True)
    return junit


def test_per_test_outcomes_and_messages(tmp_path: Path) -> None:
    verdict = judge_junit(_junit(tmp_path, "def f(x):\n    return x + 0\n"))
    assert [(t.name, t.outcome) for t in verdict.tests] == [
        ("test_f::test_ok", "passed"), ("test_f::test_wrong", "failed"),
        ("test_f::test_raises", "failed")]
    assert verdict.tests_passed == 1 and verdict.tests_total == 3 and not verdict.passed
    assert verdict.score == pytest.approx(1 / 3)
    assert verdict.failing_tests == ["test_f::test_wrong", "test_f::test_raises"]
    assert any("TypeError" in m for m in verdict.messages)
    assert verdict.error_class in {"AssertionError", "TypeError"}


@pytest.mark.parametrize("solution, error_class", [
    ("Here is the code:\n```python\ndef f(x): return x\n```\n", "SyntaxError"),
    ("def g(x):\n    return x\n", "ImportError"),
    ("def f(x):\n    return re.sub('a', 'b', x)\n", "NameError"),
])
def test_error_class_of_broken_solutions(tmp_path: Path, solution: str, error_class: str) -> None:
    verdict = judge_junit(_junit(tmp_path, solution))
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
