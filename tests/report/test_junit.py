"""`overseer run --junit`: JUnit XML that a JUnit parser reads back with the run summary's counts,
one test case per (task, repeat); infrastructure failures are errors, not the prompt's failures."""

from __future__ import annotations

import json
from pathlib import Path

from junitparser import Error, Failure, JUnitXml

from overseer.report.junit import junit_xml
from tests.helpers import make_run, make_toy_project, overseer, write_toy_task


def test_run_writes_junit_with_the_summarys_counts(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p")
    write_toy_task(project, "mul", "*")      # the toy command knows no "mul": it fails there
    out = tmp_path / "reports" / "overseer.xml"
    result = overseer("run", "toy", "--repeats", "2", "--junit", str(out), "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    suites = list(JUnitXml.fromfile(str(out)))
    [suite] = suites
    assert suite.tests == summary["runs"] == 6
    assert suite.failures + suite.errors == summary["runs"] - summary["passed"] == 2
    assert suite.errors == 0
    cases = list(suite)
    assert sorted(c.name for c in cases) == [f"{t} r{k}" for t in ("add", "mul", "sub") for k in (0, 1)]
    failed = [c for c in cases if not c.is_passed]
    assert {c.name for c in failed} == {"mul r0", "mul r1"}
    for case in failed:
        [failure] = case.result
        assert isinstance(failure, Failure) and failure.type == "CommandFailed", (failure.type, failure.message)
        assert case.classname == "toy.all"   # the target and the tasks run (--tasks all)


def test_an_infrastructure_failure_is_an_error_and_failing_tests_are_named(tmp_path: Path) -> None:
    failing = make_run("a", False, repeat=0).model_copy(update={
        "error_class": "AssertionError", "signature": "AssertionError in test_small",
        "failing_tests": ["test_small"], "messages": ["assert 0 == 3"]})
    lost = make_run("b", False, repeat=1).model_copy(update={"infra": True, "infra_cause": "provider_error"})
    passing = make_run("b", True, repeat=0)
    path = tmp_path / "x.xml"
    path.write_bytes(junit_xml([lost, failing, passing], target="t", task_set="s", session_id="S"))
    [suite] = list(JUnitXml.fromfile(str(path)))
    assert (suite.tests, suite.failures, suite.errors) == (3, 1, 1)
    results = {case.name: case.result for case in suite}
    assert results["b r0"] == []
    [failure] = results["a r0"]
    assert isinstance(failure, Failure) and failure.message == "AssertionError in test_small"
    assert "assert 0 == 3" in (failure.text or "")
    [error] = results["b r1"]
    assert isinstance(error, Error) and error.message == "provider_error"


def test_junit_naming_a_directory_is_refused_before_any_run(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p")
    result = overseer("run", "toy", "--junit", str(tmp_path), cwd=project)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--junit names a directory" in result.stderr
    assert not (project / "runs").exists()
