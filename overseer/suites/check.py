"""The check of a promptfoo case: ``python -m overseer.suites.check CASE_JSON OUTPUT JUNIT_XML``.

Run as the task's check command, in the check's own process (its CPU limit and process group):
each assertion of the case is judged on the output (the command's stdout, trailing newlines
removed) and becomes one test case of the JUnit XML, named by its type and value (so that failure
signatures read ``contains@"priority"``); an ``assert-set`` is one test, its score the weighted mean
of its parts. The suite's properties carry the case's score (the weighted mean of the assertions'
scores, promptfoo's), whether it passed (its threshold, else every assertion) and the class of its
first failing assertion (the later ones often fail only because of it), which checks.judge_junit
reads. Exit 0 when the case passed, 1 when not; 75, with no JUnit XML, when
the judge of a model-graded assertion gave no verdict (an infrastructure failure).
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from overseer.suites.assertions import CHECK, Outcome, combined, diagnose, judge, negated, script_result
from overseer.suites.graded import GRADED, JudgeFailed, grade, similar
from overseer.suites.scripts import ScriptError, run_javascript, transformed

EXIT_NO_VERDICT = 75   # the judge failed: no JUnit XML is written, so the run is infrastructure


def _python(context: dict[str, Any]) -> Any:
    def evaluate(output: str, value: Any) -> Any:
        code = str(value)
        scope: dict[str, Any] = {"output": output, "context": context, "json": json}
        if "get_assert" in code or "\n" in code.strip():
            if "get_assert" not in code:   # a multi-line body: promptfoo wraps it in a function
                code = "def get_assert(output, context):\n" + "".join(
                    f"    {line}\n" for line in code.splitlines())
            exec(compile(code, "<python assertion>", "exec"), scope)
            return scope["get_assert"](output, context)
        return eval(compile(code, "<python assertion>", "eval"), scope)
    return evaluate


def _label(assertion: dict[str, Any]) -> str:
    value = assertion.get("value")
    if value is None or assertion.get("file"):
        shown = assertion.get("file") or ""
    elif isinstance(value, str):
        shown = json.dumps(value[:40])
    else:
        shown = "schema" if isinstance(value, dict) else json.dumps(value)[:40]
    name = str(assertion["type"]) + (f"@{shown}" if shown else "")
    return f"{name} [{assertion['metric']}]" if assertion.get("metric") else name


def _judge(assertion: dict[str, Any], output: str, context: dict[str, Any]) -> Outcome:
    kind = str(assertion["type"])
    base = kind.removeprefix("not-")
    try:
        if "transform" in assertion:   # this assertion's own view of the output
            output = transformed(assertion["transform"], output, context)
        if base == "assert-set":
            parts = [(_judge(a, output, context), float(a.get("weight", 1.0))) for a in assertion["assert"]]
            score, ok = combined(parts, assertion.get("threshold"))
            failed = [o for o, _ in parts if not o.passed]
            outcome = Outcome(ok, score, "; ".join(o.reason for o in failed) or "every part holds",
                              failed[0].error_class if failed else CHECK)
        elif base in GRADED:
            outcome = context["grader"](base, output, assertion, context["test"])
        elif base == "javascript":
            ok, score, reason = script_result(run_javascript(assertion, output, context), assertion.get("threshold"))
            outcome = Outcome(ok, score, reason, CHECK)
        else:
            outcome = judge(base, output, assertion.get("value"), assertion.get("threshold"), _python(context))
    except ScriptError as exc:   # the suite's javascript or transform threw: its failure, named
        return Outcome(False, 0.0, f"{exc.name}: {exc}", exc.name)
    except JudgeFailed:
        raise
    except Exception as exc:   # the user's python assertion raised: its failure, named
        return Outcome(False, 0.0, f"{type(exc).__name__}: {exc}", type(exc).__name__)
    return negated(outcome) if kind != base else outcome


Grader = Callable[[str, str, dict[str, Any], dict[str, Any]], Outcome]


def judge_case(case: dict[str, Any], output: str, grader: Grader | None = None
               ) -> tuple[list[tuple[str, Outcome, float]], float, bool]:
    """Every assertion of ``case`` on ``output`` as (label, outcome, weight), and the case's score
    and pass. ``grader`` grades the model-graded ones (default: the target's judge); JudgeFailed
    when it gives no verdict."""
    context = {"vars": case["vars"], "test": case, "grader": grader or _grader()}
    if case.get("transform"):   # options.transform: what every assertion judges
        try:
            output = transformed(case["transform"], output, context)
        except ScriptError as exc:
            failed = Outcome(False, 0.0, f"the transform raised {exc.name}: {exc}", exc.name)
            return [("transform", failed, 1.0)], 0.0, False
    results = []
    for assertion in case["assert"]:
        outcome = _judge(assertion, output, context)
        if not outcome.passed:
            outcome = replace(outcome, error_class=diagnose(output, outcome))
        results.append((_label(assertion), outcome, float(assertion.get("weight", 1.0))))
    score, passed = combined([(o, w) for _, o, w in results], case.get("threshold"))
    return results, score, passed


def _grader() -> Grader:
    """An assertion's own grader (``provider``, or its test's), else the target's judge (the
    simulator's, overseer.sim.text, when that is ``sim``); ``similar`` embeds with the assertion's
    provider, else the judge's ``embedding``, else the simulator's when the judge is ``sim``."""
    def grader(kind: str, output: str, assertion: dict[str, Any], case: dict[str, Any]) -> Outcome:
        judge_model = os.environ.get("OVERSEER_JUDGE_MODEL", "")
        simulated = judge_model.partition(":")[0] == "sim"
        if kind == "similar":
            embedding = assertion.get("provider") or os.environ.get("OVERSEER_EMBEDDING_MODEL") \
                or ("sim" if simulated else None)
            return similar(output, assertion.get("value"), assertion.get("threshold"), embedding)
        model = assertion.get("provider") or judge_model
        if model.partition(":")[0] == "sim":
            from overseer.sim.text import sim_grade

            return sim_grade(kind, output, assertion, case)
        return grade(kind, output, assertion.get("value"), case["vars"], model or None)
    return grader


def main(argv: list[str]) -> int:
    case_path, output_path, junit_path = (Path(a) for a in argv)
    case = json.loads(case_path.read_text(encoding="utf-8"))
    output = output_path.read_text(encoding="utf-8", errors="replace").rstrip("\r\n") \
        if output_path.is_file() else ""
    try:
        results, score, passed = judge_case(case, output)
    except JudgeFailed as exc:   # no verdict at all: the run is an infrastructure failure
        print(f"overseer.suites.check: {exc}", file=sys.stderr)
        return EXIT_NO_VERDICT
    suite = ET.Element("testsuite", name=case.get("description") or case_path.parent.name)
    for label, outcome, weight in results:
        test = ET.SubElement(suite, "testcase", classname="promptfoo", name=label)
        if not outcome.passed and weight > 0:
            ET.SubElement(test, "failure", message=f"{outcome.error_class}: {outcome.reason}"[:300])
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="overseer.score", value=f"{score:.6f}")
    ET.SubElement(properties, "property", name="overseer.passed", value=str(passed).lower())
    first = next((o for _, o, w in results if not o.passed and w > 0), None)
    if first is not None and not passed:
        ET.SubElement(properties, "property", name="overseer.error_class", value=first.error_class)
    ET.ElementTree(suite).write(junit_path, encoding="utf-8", xml_declaration=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
