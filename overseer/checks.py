"""Judging a run: per-test outcomes from JUnit XML, the score, and the run's error class."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from overseer.records import TestOutcome
from overseer.redact import redact

_MESSAGE_CAP = 300
_ERROR_NAME = re.compile(r"\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Exit|Interrupt))\b")
_E_LINE = re.compile(r"^E\s+([A-Z][A-Za-z0-9]*(?:Error|Exception))\b", re.MULTILINE)


class JUnitError(ValueError):
    pass


@dataclass
class Verdict:
    tests: list[TestOutcome] = field(default_factory=list)
    tests_passed: int = 0
    tests_total: int = 0
    score: float = 0.0
    passed: bool = False
    error_class: str | None = None
    failing_tests: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    tests_omitted: int = 0


def _short(text: str) -> str:
    text = redact(" ".join(text.split()))
    return text if len(text) <= _MESSAGE_CAP else text[: _MESSAGE_CAP - 1] + "…"


def _error_class(message: str, body: str) -> str | None:
    found = _E_LINE.search(body)
    if found:
        return found.group(1)
    found = _ERROR_NAME.search(message) or _ERROR_NAME.search(body)
    if found:
        return found.group(1)
    if message.startswith("assert"):
        return "AssertionError"
    return None


# What a check may state in its suite's properties: the score, the pass, and the failure's class
# when the check knows it better than a count of its failing tests (a promptfoo case's first failing
# assertion: the later ones often fail only because of it).
STATED = ("overseer.score", "overseer.passed", "overseer.error_class")
KEPT_FAILING = 50   # failing cases a record keeps in full; passing and skipped ones: KEPT_OTHER
KEPT_OTHER = 50


@dataclass
class _Case:
    outcome: TestOutcome
    klass: str | None


def _case(case: ET.Element) -> _Case:
    module = (case.get("classname") or "").rsplit(".", 1)[-1]
    name = f"{module}::{case.get('name', '?')}" if module else case.get("name", "?")
    outcome, message, klass = "passed", "", None
    for kind in ("error", "failure", "skipped"):
        child = case.find(kind)
        if child is not None:
            outcome = {"failure": "failed"}.get(kind, kind)
            text = (child.text or "").strip()
            message = child.get("message") or (text.splitlines()[-1] if text else "")
            if kind != "skipped":
                klass = _error_class(message, child.text or "") or "TestFailure"
            break
    return _Case(TestOutcome(name=_short(name), outcome=outcome, message=_short(message)), klass)


def judge_junit(path: Path) -> Verdict:
    """Read JUnit XML as a stream (a suite of 400,000 cases costs the memory of a hundred): counts
    over every case, and in full the first KEPT_FAILING failing and KEPT_OTHER other cases, in file
    order; ``tests_omitted`` says how many were left out. Raises JUnitError."""
    failing: list[TestOutcome] = []
    kept: list[TestOutcome] = []
    classes: Counter[str] = Counter()
    counted = passed = omitted = 0
    stated: dict[str, str] = {}
    try:
        for _, element in ET.iterparse(path, events=("end",)):
            if element.tag == "property" and (element.get("name") or "") in STATED:
                stated[element.get("name") or ""] = element.get("value") or ""
            if element.tag != "testcase":
                continue
            case = _case(element)
            element.clear()
            outcome = case.outcome
            counted += outcome.outcome != "skipped"
            passed += outcome.outcome == "passed"
            if case.klass:
                classes[case.klass] += 1
            bad = outcome.outcome in ("failed", "error")
            if bad and len(failing) < KEPT_FAILING:
                failing.append(outcome)
                kept.append(outcome)
            elif not bad and len(kept) - len(failing) < KEPT_OTHER:
                kept.append(outcome)
            else:
                omitted += 1
    except (ET.ParseError, OSError) as exc:
        raise JUnitError(f"{path}: unreadable JUnit XML: {exc}") from None
    common = [(stated["overseer.error_class"], 1)] if stated.get("overseer.error_class") else classes.most_common(1)
    score, all_passed = _stated(stated, passed / counted if counted else 0.0, bool(counted) and passed == counted)
    return Verdict(
        tests=kept,
        tests_passed=passed,
        tests_total=counted,
        score=score,
        passed=all_passed,
        error_class=common[0][0] if common else (None if counted else "NoTests"),
        failing_tests=[o.name for o in failing][:20],
        messages=[o.message for o in failing if o.message][:5],
        tests_omitted=omitted,
    )


def _stated(stated: dict[str, str], score: float, passed: bool) -> tuple[float, bool]:
    """The score and pass a check states in its suite's properties (a promptfoo case's weighted
    score and threshold: suites/check.py), else the fraction of tests passed and all passed."""
    try:
        if "overseer.score" in stated:
            score = min(1.0, max(0.0, float(stated["overseer.score"])))
    except ValueError:
        pass
    if stated.get("overseer.passed") in ("true", "false"):
        passed = stated["overseer.passed"] == "true"
    return score, passed


def judge_exit_code(exit_code: int | None, timed_out: bool) -> Verdict:
    """For a check command that writes no JUnit XML: pass means exit code 0."""
    if timed_out:
        return Verdict(error_class="Timeout", messages=["check timed out"])
    if exit_code == 0:
        return Verdict(tests_passed=1, tests_total=1, score=1.0, passed=True)
    return Verdict(tests_total=1, error_class="CheckFailed",
                   messages=[f"check exited with {exit_code}"])
