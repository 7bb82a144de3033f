"""promptfoo suites fed thousands of generated inputs: each loads or gives one clean line naming
where (FatalError), never a traceback."""

from __future__ import annotations

import json
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overseer.errors import FatalError
from overseer.suites.promptfoo import load_cases
from tests.test_fuzz import json_like

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

GOOD = {"defaultTest": {"assert": [{"type": "not-icontains", "value": "sorry"}]},
        "tests": [{"description": "a", "vars": {"x": "1"}, "assert": [{"type": "equals", "value": "1"}]},
                  {"vars": {"x": "2"}, "assert": [{"type": "is-json", "value": {"type": "object"}}],
                   "threshold": 0.5}]}

assertion_types = st.sampled_from(["equals", "contains", "regex", "is-json", "contains-json", "python",
                                   "levenshtein", "assert-set", "not-contains", "llm-rubric", "webhook", ""])


@st.composite
def _suites(draw: st.DrawFn) -> object:
    suite = json.loads(json.dumps(GOOD))
    for _ in range(draw(st.integers(1, 4))):
        test = suite["tests"][draw(st.integers(0, 1))]
        action = draw(st.sampled_from(["type", "value", "field", "test", "threshold", "vars", "default"]))
        if not isinstance(test, dict) or not isinstance(test.get("assert"), list) or not test["assert"] \
                or not isinstance(test["assert"][0], dict):
            action = "test"
        if action == "type":
            test["assert"][0]["type"] = draw(assertion_types)
        elif action == "value":
            test["assert"][0]["value"] = draw(json_like)
        elif action == "field":
            test[draw(st.text(max_size=8))] = draw(json_like)
        elif action == "test":
            suite["tests"][0] = draw(json_like)
        elif action == "threshold":
            test["threshold"] = draw(json_like)
        elif action == "vars":
            test["vars"] = draw(json_like)
        else:
            suite["defaultTest"] = draw(json_like)
    return suite


@FUZZ
@given(suite=_suites())
def test_a_generated_suite_loads_or_is_one_clean_line(tmp_path: Path, suite: object) -> None:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(yaml.safe_dump(suite))
    try:
        load_cases(path)
    except FatalError as exc:
        assert str(exc) and "\n" not in str(exc) and str(path) in str(exc), str(exc)


@FUZZ
@given(rows=st.lists(st.lists(st.text(alphabet=string.printable.replace("\r", ""), max_size=12),
                              min_size=1, max_size=4), max_size=4))
def test_a_generated_csv_loads_or_is_one_clean_line(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "tests.csv"
    path.write_text("x,__expected\n" + "\n".join(",".join(json.dumps(c) for c in row) for row in rows) + "\n")
    try:
        load_cases(path)
    except FatalError as exc:
        assert str(exc) and "\n" not in str(exc) and str(path) in str(exc), str(exc)
