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
# What the output shows, when a failure has a plainer cause than its assertion's type says: the
# model declined, fenced its answer in markdown, wrote a label in another case, left a required
# field out, or ran on (a judge's reason says so).
REFUSED, FENCED, LABEL_CASE, MISSING_FIELD, TOO_LONG = ("RefusalError", "FencedAnswerError", "LabelCaseError",
                                                        "MissingFieldError", "TooLongError")
_REFUSAL = re.compile(r"^\W*(i'?m sorry|sorry,|i (cannot|can't|can not|am unable|won't)|as an ai\b|"
                      r"unfortunately,? i\b)", re.I)
_FENCE = re.compile(r"^\s*```")
_LONG = re.compile(r"\b(too long|verbose|lengthy|wordy|not concise|more than one sentence)", re.I)


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


def _lowered(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return [_lowered(v) for v in value]
    if isinstance(value, dict):
        return {k: _lowered(v) for k, v in value.items()}
    return value


def _equals(output: str, value: Any) -> tuple[bool, str, str]:
    if isinstance(value, dict | list):   # an object compares as JSON
        try:
            parsed = json.loads(output)
        except ValueError:
            return False, f"expected JSON {json.dumps(value)[:80]}, got {output[:80]!r}", FORMAT
        ok, case_only = parsed == value, _lowered(parsed) == _lowered(value)
    else:
        ok, case_only = output == str(value), output.lower() == str(value).lower()
    return ok, f"expected {str(value)[:80]!r}, got {output[:80]!r}", LABEL_CASE if case_only else WRONG


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
    error = MISSING_FIELD if first.validator == "required" else \
        LABEL_CASE if any(validator.is_valid(_lowered(v)) for v in values) else SCHEMA
    return False, f"JSON at {where} breaks the schema: {first.message}"[:200], error


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
        return _equals(output, value)
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
        ok, score, reason = script_result(python(output, value), threshold)
        return Outcome(ok, score, reason, CHECK)
    ok, reason, error = _simple(kind, output, value, threshold)
    return Outcome(ok, 1.0 if ok else 0.0, reason, error)


def is_refusal(output: str) -> bool:
    return _REFUSAL.search(output) is not None


def diagnose(output: str, outcome: Outcome) -> str:
    """The error class a failing assertion reports: a refusal or a fenced answer whatever the
    assertion looked for (a fence only where the format was judged, or the JSON did not parse),
    a judge's verdict that the answer runs on, else the assertion's own class."""
    kind = outcome.error_class
    if is_refusal(output):
        return REFUSED
    if _FENCE.search(output) and (kind in (WRONG, FORMAT, SCHEMA, LABEL_CASE, MISSING_FIELD)
                                  or kind.endswith("DecodeError")):
        return FENCED
    if kind == CHECK and _LONG.search(outcome.reason):
        return TOO_LONG
    return FORMAT if kind.endswith("DecodeError") else kind   # a check that could not parse the output


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


def script_result(result: Any, threshold: float | None) -> tuple[bool, float, str]:
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
