"""A check plugin as a task's check: ``check: "{python} -m overseer.plugin_check NAME --junit
{junit_xml} [--option KEY=VALUE ...]"`` in task.yaml.

A package declares ``[project.entry-points."overseer.checks"] NAME = "module:factory"``; the
factory takes the options (a dict of strings) and returns a function that judges the run from its
working directory (the current directory, holding the command's outputs and the task's tests;
OVERSEER_TASK_DIR and the other OVERSEER_* variables are set) and returns its results, each a
``CheckResult``. They are written as JUnit XML, which the runner reads like any check's, and the
exit code is 0 when every result passed. The plugin runs in the check's own process, so the
task's CPU limit, the process group and the output caps apply to it unchanged; a plugin that
fails to load or raises writes no JUnit XML, which the runner records as an infrastructure
failure ("the check crashed"), never as the prompt's.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from overseer.errors import FatalError
from overseer.plugins import load


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str = ""       # why it failed (the runner keeps it, capped)


def write_junit(results: Sequence[CheckResult], path: Path, suite: str) -> None:
    root = ET.Element("testsuite", name=suite, tests=str(len(results)),
                      failures=str(sum(not r.passed for r in results)))
    for result in results:
        case = ET.SubElement(root, "testcase", classname=suite, name=result.name)
        if not result.passed:
            ET.SubElement(case, "failure", message=result.message or "failed").text = result.message
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _options(pairs: Iterable[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise FatalError(f"--option {pair!r}: expected KEY=VALUE")
        options[key] = value
    return options


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m overseer.plugin_check")
    parser.add_argument("name", help="the check plugin's name (`overseer plugins`)")
    parser.add_argument("--junit", required=True, type=Path, help="where to write the JUnit XML")
    parser.add_argument("--option", action="append", default=[], help="KEY=VALUE for the plugin's factory")
    args = parser.parse_args(argv)
    try:
        judge = load("checks", args.name, "check")(_options(args.option))
    except FatalError as exc:
        print(f"overseer.plugin_check: {exc}", file=sys.stderr)
        return 2
    results = list(judge(Path.cwd()))
    if not results:
        print(f"overseer.plugin_check: the check plugin {args.name!r} returned no results", file=sys.stderr)
        return 2
    write_junit(results, args.junit, args.name)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
