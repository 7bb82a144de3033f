"""promptfoo's deterministic assertions pass and fail where its documentation says they do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from overseer.checks import judge_junit
from overseer.suites import check
from overseer.suites.assertions import Outcome, diagnose, judge

SCHEMA = {"type": "object", "required": ["label"], "properties": {"label": {"enum": ["pos", "neg"]}}}


@pytest.mark.parametrize("kind, value, output, passed", [
    ("equals", "positive", "positive", True),
    ("equals", "positive", "Positive", False),
    ("equals", {"a": 1}, '{"a": 1}', True),            # an object compares as JSON
    ("contains", "pri", "priority: high", True),
    ("contains", "PRI", "priority: high", False),
    ("icontains", "PRI", "priority: high", True),      # case folded
    ("not-icontains", "sorry", "I am SORRY", False),
    ("not-contains", "sorry", "fine", True),
    ("contains-any", ["x", "high"], "priority: high", True),
    ("contains-any", ["x", "z"], "priority: high", False),
    ("contains-all", ["priority", "HIGH"], "priority: high", False),
    ("icontains-all", ["priority", "HIGH"], "priority: high", True),
    ("icontains-any", ["LOW", "x"], "low", True),
    ("starts-with", "neg", "negative", True),
    ("starts-with", "neg", " negative", False),
    ("regex", r"^\d{3}$", "123", True),
    ("regex", r"^\d{3}$", "1234", False),
    ("is-json", None, '{"label": "pos"}', True),
    ("is-json", None, 'Sure: {"label": "pos"}', False),
    ("is-json", SCHEMA, '{"label": "maybe"}', False),
    ("is-json", SCHEMA, '{"label": "neg"}', True),
    ("contains-json", SCHEMA, 'Sure: {"label": "neg"} done', True),
    ("contains-json", None, "no json here", False),
    ("not-is-json", None, "plain", True),
    ("levenshtein", "kitten", "sitting", True),          # distance 3 <= 5 by default
    ("python", "output.startswith('neg')", "negative", True),
    ("python", "0.4", "x", True),                          # a number above 0 passes without threshold
    ("python", "{'pass': False, 'score': 0.2, 'reason': 'no'}", "x", False),
    ("python", "x = len(output)\nreturn x < 3", "ab", True),  # a multi-line body is a function
    ("not-python", "output == 'a'", "a", False),
])
def test_each_type(kind: str, value: Any, output: str, passed: bool) -> None:
    outcome = check._judge({"type": kind, "value": value}, output, {"vars": {}})   # not- included
    assert outcome.passed is passed, outcome


def test_levenshtein_and_python_thresholds() -> None:
    assert not judge("levenshtein", "kitten", "sitting", threshold=2).passed
    python = check._python({"vars": {"expected": "neg"}})
    assert judge("python", "out", "0.4", threshold=0.5, python=python).passed is False
    assert judge("python", "out", "context['vars']['expected'] == 'neg'", python=python).passed


def _case(tmp_path: Path, asserts: list[dict[str, Any]], output: str, threshold: float | None = None) -> Path:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"description": "d", "vars": {}, "assert": asserts, "threshold": threshold}))
    (tmp_path / "out.txt").write_text(output + "\n")
    junit = tmp_path / "junit.xml"
    check.main([str(case), str(tmp_path / "out.txt"), str(junit)])
    return junit


def test_weights_threshold_and_assert_set_set_the_score_and_the_pass(tmp_path: Path) -> None:
    asserts = [{"type": "contains", "value": "neg"}, {"type": "starts-with", "value": "x", "weight": 3}]
    verdict = judge_junit(_case(tmp_path, asserts, "negative"))
    assert verdict.score == pytest.approx(0.25) and not verdict.passed and verdict.tests_total == 2
    assert verdict.failing_tests == ['promptfoo::starts-with@"x"']
    assert verdict.error_class == "AnswerFormatError"
    assert judge_junit(_case(tmp_path, asserts, "negative", threshold=0.2)).passed   # 0.25 >= 0.2
    nested = [{"type": "assert-set", "threshold": 0.5, "assert": [
        {"type": "contains", "value": "neg"}, {"type": "contains", "value": "zzz"}]}]
    verdict = judge_junit(_case(tmp_path, nested, "negative"))
    assert verdict.passed and verdict.score == pytest.approx(0.5)
    unweighted = [{"type": "contains", "value": "zzz", "weight": 0}, {"type": "contains", "value": "neg"}]
    assert judge_junit(_case(tmp_path, unweighted, "negative")).passed   # weight 0: not counted


def test_a_python_assertion_that_raises_fails_with_its_error(tmp_path: Path) -> None:
    verdict = judge_junit(_case(tmp_path, [{"type": "python", "value": "1 / 0"}], "x"))
    assert not verdict.passed and verdict.error_class == "ZeroDivisionError"


TRIAGE_SCHEMA = {"type": "object", "required": ["category", "priority"],
                 "properties": {"category": {"enum": ["billing", "bug"]}, "priority": {"enum": ["low", "high"]}}}
CATEGORY_IS_BUG = {"type": "python", "value": 'json.loads(output).get("category") == "bug"'}


@pytest.mark.parametrize("output, error_class", [
    ("I'm sorry, but I can't help with this request.", "RefusalError"),
    ('```json\n{"category": "bug", "priority": "low"}\n```', "FencedAnswerError"),
    ('Here is my answer:\n{"category": "bug", "priority": "low"}\nThanks.', "AnswerFormatError"),
    ('{"category": "Bug", "priority": "low"}', "LabelCaseError"),
    ('{"category": "bug"}', "MissingFieldError"),
    ('{"category": "billing", "priority": "low"}', "AssertionError"),   # a wrong label: the check's own
])
def test_a_failing_case_names_what_its_output_shows(tmp_path: Path, output: str, error_class: str) -> None:
    """The class of a case's first failing assertion, diagnosed from the output, is the run's
    class: the later assertions that fail only because of it (a python check that cannot parse a
    fenced answer) do not outvote it."""
    verdict = judge_junit(_case(tmp_path, [{"type": "is-json", "value": TRIAGE_SCHEMA}, CATEGORY_IS_BUG,
                                           dict(CATEGORY_IS_BUG)], output))
    assert not verdict.passed and verdict.error_class == error_class


def test_equals_in_another_case_and_a_judge_saying_too_long_are_named() -> None:
    assert judge("equals", "Billing", "billing").error_class == "LabelCaseError"
    assert judge("equals", "refund", "billing").error_class == "WrongAnswerError"
    verdict = check._judge({"type": "llm-rubric", "value": "short"}, "x" * 10, {
        "vars": {}, "test": {}, "grader": lambda kind, output, assertion, case: Outcome(
            False, 0.0, "The summary is too long and verbose.", "AssertionError")})
    assert diagnose("x", verdict) == "TooLongError"
    assert diagnose("x", Outcome(False, 0.0, "nope", "JSONDecodeError")) == "AnswerFormatError"
