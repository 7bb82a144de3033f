"""promptfoo's deterministic assertions, judged on a run's output with promptfoo's documented
semantics (https://www.promptfoo.dev/docs/configuration/expected-outputs/deterministic/).

Each assertion gives (pass, score in [0, 1], reason). ``not-`` before any type inverts its pass
(and its score). The error class a failing assertion names is the failure the proposers reflect
on: a wrong answer, a missing or forbidden phrase, or output in the wrong format.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WRONG, MISSING, FORMAT, SCHEMA, CHECK = ("WrongAnswerError", "MissingContentError", "AnswerFormatError",
                                         "SchemaError", "AssertionError")


@dataclass(frozen=True)
class Outcome:
    passed: bool
    score: float
    reason: str
    error_class: str


def _texts(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _contains(output: str, value: Any, fold: bool) -> tuple[bool, str]:
    needle = str(value)
    found = needle.lower() in output.lower() if fold else needle in output
    return found, f"{'found' if found else 'did not find'} {needle!r}"


def _contains_some(output: str, value: Any, fold: bool, every: bool) -> tuple[bool, str]:
    needles = _texts(value)
    hay = output.lower() if fold else output
    hits = [n for n in needles if (n.lower() if fold else n) in hay]
    ok = len(hits) == len(needles) if every else bool(hits)
    missing = [n for n in needles if n not in hits]
    return ok, (f"found {hits!r}" if ok else f"missing {missing!r}" if every else f"none of {needles!r}")


def _equals(output: str, value: Any) -> tuple[bool, str]:
    if isinstance(value, dict | list):   # an object compares as JSON
        try:
            ok = json.loads(output) == value
        except ValueError:
            ok = False
    else:
        ok = output == str(value)
    return ok, f"expected {str(value)[:80]!r}, got {output[:80]!r}"


def json_values(output: str, whole: bool) -> list[Any]:
    """The JSON the output is (``whole``), or every JSON object or array inside it."""
    if whole:
        try:
            return [json.loads(output)]
        except ValueError:
            return []
    decoder, found, i = json.JSONDecoder(), [], 0
    while i < len(output):
        if output[i] in "{[":
            try:
                value, end = decoder.raw_decode(output, i)
            except ValueError:
                i += 1
                continue
            found.append(value)
            i = end
        else:
            i += 1
    return found


def _json(output: str, schema: Any, whole: bool) -> tuple[bool, str, str]:
    values = json_values(output, whole)
    if not values:
        return False, "the output is not JSON" if whole else "the output holds no JSON", FORMAT
    if schema is None:
        return True, "valid JSON", FORMAT
    from jsonschema import Draft202012Validator  # a heavy import, only for schemas

    validator = Draft202012Validator(schema)
    if any(validator.is_valid(v) for v in values):
        return True, "JSON matching the schema", SCHEMA
    first = next(validator.iter_errors(values[0]))
    where = "/".join(str(p) for p in first.absolute_path) or "the top level"
    return False, f"JSON at {where} breaks the schema: {first.message}"[:200], SCHEMA


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _simple(kind: str, output: str, value: Any, threshold: float | None) -> tuple[bool, str, str]:
    """(pass, reason, error class) of one positive assertion type."""
    fold = kind.startswith("i")
    if kind == "equals":
        return (*_equals(output, value), WRONG)
    if kind in ("contains", "icontains"):
        return (*_contains(output, value, fold), MISSING)
    if kind in ("contains-any", "icontains-any", "contains-all", "icontains-all"):
        return (*_contains_some(output, value, fold, kind.endswith("all")), MISSING)
    if kind == "starts-with":
        ok = output.startswith(str(value))
        return ok, f"{'starts' if ok else 'does not start'} with {str(value)!r}", FORMAT
    if kind == "regex":
        ok = re.search(str(value), output) is not None
        return ok, f"{'matches' if ok else 'does not match'} /{value}/", FORMAT
    if kind in ("is-json", "contains-json"):
        return _json(output, value, kind == "is-json")
    if kind == "levenshtein":
        distance, limit = levenshtein(output, str(value)), 5 if threshold is None else threshold
        return distance <= limit, f"edit distance {distance} (at most {limit:g})", WRONG
    raise ValueError(f"unknown assertion type {kind!r}")


SIMPLE = ("equals", "contains", "icontains", "contains-any", "icontains-any", "contains-all",
          "icontains-all", "starts-with", "regex", "is-json", "contains-json", "levenshtein")


def judge(kind: str, output: str, value: Any, threshold: float | None = None,
          python: Callable[[str, Any], Any] | None = None) -> Outcome:
    """One assertion of a type of SIMPLE or ``python`` (without ``not-``: see ``negated``) on
    ``output``. ``python`` evaluates a python assertion's value (an expression or a file)."""
    if kind == "python":
        assert python is not None
        ok, score, reason = _python_result(python(output, value), threshold)
        return Outcome(ok, score, reason, CHECK)
    ok, reason, error = _simple(kind, output, value, threshold)
    return Outcome(ok, 1.0 if ok else 0.0, reason, error)


def negated(outcome: Outcome) -> Outcome:
    """What ``not-`` makes of an assertion's outcome: the pass and the score turned around."""
    return Outcome(not outcome.passed, 1.0 - outcome.score, f"not expected: {outcome.reason}",
                   outcome.error_class)


def combined(results: Sequence[tuple[Outcome, float]], threshold: float | None) -> tuple[float, bool]:
    """(score, pass) of weighted outcomes, as promptfoo combines a case's or an assert-set's: the
    weighted mean of the scores; pass at the threshold, else when every assertion of weight above
    0 passed (weight 0: informational, never counted)."""
    total = sum(w for _, w in results)
    score = sum(o.score * w for o, w in results) / total if total else 0.0
    passed = score >= threshold if threshold is not None else all(o.passed for o, w in results if w > 0)
    return score, passed


def _python_result(result: Any, threshold: float | None) -> tuple[bool, float, str]:
    """promptfoo's reading of a python assertion's return: a bool, a number (a score compared with
    the threshold, else passing when above 0), or a dict with pass, score and reason."""
    if isinstance(result, dict):
        score = float(result.get("score", 1.0 if result.get("pass") else 0.0))
        return bool(result.get("pass", score > 0)), score, str(result.get("reason", ""))
    if isinstance(result, bool):
        return result, float(result), "returned " + str(result)
    if isinstance(result, int | float) and math.isfinite(result):
        score = float(result)
        ok = score >= threshold if threshold is not None else score > 0
        return ok, max(0.0, min(1.0, score)), f"score {score:g}"
    return bool(result), float(bool(result)), f"returned {str(result)[:80]!r}"
