"""A suite's own code, run as promptfoo runs it: ``javascript`` assertions in Node.js (an
expression, a function body, a module's export), ``transform`` on the output (the test's and an
assertion's), and the grader a test or an assertion names in place of the target's judge."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from overseer.checks import judge_junit
from overseer.errors import FatalError
from overseer.suites import check
from overseer.suites.promptfoo import load_cases
from tests.fake_llm import FakeLLM

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def _suite(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> Path:
    for name, content in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(content))
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def _verdicts(tmp_path: Path, suite: Path, output: str) -> list[tuple[bool, float, str | None]]:
    """(pass, score, error class) of each case of ``suite`` on ``output``, by the real check."""
    found = []
    for i, case in enumerate(load_cases(suite)):
        case_file = tmp_path / f"case{i}.json"
        case_file.write_text(json.dumps({"description": case.description, "vars": case.vars,
                                         "assert": case.asserts, "threshold": case.threshold,
                                         "metadata": case.metadata, "transform": case.transform}))
        (tmp_path / "out.txt").write_text(output + "\n")
        check.main([str(case_file), str(tmp_path / "out.txt"), str(tmp_path / "junit.xml")])
        verdict = judge_junit(tmp_path / "junit.xml")
        found.append((verdict.passed, round(verdict.score, 3), verdict.error_class))
    return found


JAVASCRIPT = """\
    tests:
      - assert: [{type: javascript, value: "output.includes('neg')"}]
      - assert: [{type: javascript, value: "output.length / 20", threshold: 0.5}]
      - assert:
          - type: javascript
            value: |
              const label = JSON.parse(output).label;
              return {pass: label === 'neg', score: label === 'neg' ? 1 : 0.25, reason: 'label ' + label};
      - assert: [{type: javascript, value: "file://check.js"}]
      - assert: [{type: javascript, value: "file://checks.js:isShort"}]
      - assert: [{type: javascript, value: "file://check.mjs"}]
      - assert: [{type: not-javascript, value: "output.startsWith('{')"}]
"""
SCRIPTS = {"check.js": "module.exports = (output, context) => output.includes('label');\n",
           "checks.js": "module.exports.isShort = (output) => output.length < 10;\n",
           "check.mjs": "export default async (output) => ({pass: true, score: 0.5, reason: 'async'});\n"}


def test_javascript_passes_and_fails_as_promptfoo_says(tmp_path: Path) -> None:
    suite = _suite(tmp_path, JAVASCRIPT, SCRIPTS)
    assert _verdicts(tmp_path, suite, '{"label": "neg"}') == [
        (True, 1.0, None), (True, 0.8, None), (True, 1.0, None), (True, 1.0, None),
        (False, 0.0, "AssertionError"), (True, 0.5, None), (False, 0.0, "AssertionError")]
    assert _verdicts(tmp_path, suite, "Sure: pos")[:3] == [
        (False, 0.0, "AssertionError"), (False, 0.45, "AssertionError"),
        (False, 0.0, "AnswerFormatError")]   # JSON.parse threw: the answer is not JSON


def test_a_transform_changes_what_the_assertions_judge(tmp_path: Path) -> None:
    suite = _suite(tmp_path, """\
        defaultTest:
          options: {transform: "output.trim().toLowerCase()"}
        tests:
          - assert: [{type: equals, value: negative}]
          - options: {transform: "file://strip.py"}
            assert:
              - {type: equals, value: NEGATIVE}
              - {type: equals, value: "neg", transform: "output.slice(0, 3)"}
          - options: {transform: "JSON.parse(output)"}
            assert: [{type: equals, value: x}]
    """, {"strip.py": "def get_transform(output, context):\n    return output.strip('! ')\n"})
    assert _verdicts(tmp_path, suite, "  NEGATIVE!") == [
        (False, 0.0, "WrongAnswerError"),     # the default transform: 'negative!'
        (False, 0.5, "LabelCaseError"),       # the test's own transform wins: 'NEGATIVE', then 'NEG'
        (False, 0.0, "JSONDecodeError")]      # the transform raised: the case fails, named
    assert _verdicts(tmp_path, suite, "negative")[0] == (True, 1.0, None)


def test_javascript_without_nodejs_is_refused_before_any_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suite = _suite(tmp_path, JAVASCRIPT, SCRIPTS)
    monkeypatch.setattr("overseer.suites.scripts.shutil.which", lambda name: None)
    with pytest.raises(FatalError, match=r"promptfooconfig.yaml: tests\[0\]: assert\[0\]: javascript runs "
                                         r"JavaScript, which needs Node.js: node is not on PATH$"):
        load_cases(suite)
    python_only = _suite(tmp_path, """\
        tests: [{options: {transform: "file://strip.py"}, assert: [{type: equals, value: x}]}]
    """, {"strip.py": "def get_transform(output, context):\n    return output\n"})
    assert len(load_cases(python_only)) == 1   # a Python transform needs no Node.js


def test_a_test_or_an_assertion_names_its_own_grader(tmp_path: Path, fake_llm: FakeLLM,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    suite = _suite(tmp_path, """\
        defaultTest:
          options: {provider: "openai:chat:default-grader"}
        tests:
          - assert:
              - {type: llm-rubric, value: polite}
              - {type: llm-rubric, value: short, provider: {id: "openai:own-grader"}}
              - type: assert-set
                assert: [{type: model-graded-closedqa, value: kind}]
    """)
    graders = [[a.get("provider") or [b.get("provider") for b in a["assert"]] for a in case.asserts]
               for case in load_cases(suite)]
    assert graders == [["openai:default-grader", "openai:own-grader", ["openai:default-grader"]]]
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_llm.base_url}/v1")
    monkeypatch.setenv("OVERSEER_JUDGE_MODEL", "openai:target-judge")
    for _ in range(3):
        fake_llm.reply('{"reason": "fine", "pass": true, "score": 1}\nY')
    assert _verdicts(tmp_path, suite, "Thank you!") == [(True, 1.0, None)]
    asked = sorted(r["json"]["model"] for r in fake_llm.requests)
    assert asked == ["default-grader", "default-grader", "own-grader"]   # never the target's judge


@pytest.mark.parametrize("provider, message", [
    ("webhook:https://x", "provider 'webhook:https://x': overseer calls openai, anthropic, ollama"),
    ({"id": "bedrock:claude"}, "provider 'bedrock:claude'"),
])
def test_a_grader_overseer_cannot_call_is_refused_naming_where(tmp_path: Path, provider: Any, message: str) -> None:
    suite = _suite(tmp_path, "tests: [{assert: [{type: llm-rubric, value: x}]}]\n")
    data = {"tests": [{"description": "rude", "assert": [{"type": "llm-rubric", "value": "x", "provider": provider}]}]}
    suite.write_text(json.dumps(data))
    with pytest.raises(FatalError, match=r"tests\[0\] \(rude\): assert\[0\]: provider: " + message.replace("(", r"\(")):
        load_cases(suite)
