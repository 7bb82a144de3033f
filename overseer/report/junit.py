"""`overseer run --junit FILE`: the runs as JUnit XML, which CI systems read.

One test case per (task, repeat), named ``TASK r REPEAT`` in the class ``TARGET.TASK_SET``. A run
that failed the prompt's checks is a ``<failure>`` (its error class, the failing tests and their
messages); a run lost to infrastructure (a provider outage, a stalled check) is an ``<error>``:
it says nothing about the prompt. The suite's counts are the run summary's: tests = runs,
failures + errors = runs not passed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from overseer.records import RunRecord
from overseer.vcs import atomic_write

MESSAGE_CHARS = 2000   # the failure text kept per test case


def _seconds(record: RunRecord) -> str:
    return f"{record.command_s + record.check_s:.3f}"


def _details(record: RunRecord) -> str:
    lines = [f"{t.name}: {t.outcome}" + (f": {t.message}" if t.message else "")
             for t in record.tests if t.outcome != "passed"]
    lines += [m for m in record.messages if m not in "\n".join(lines)]
    if record.timed_out:
        lines.insert(0, "the command timed out")
    text = "\n".join(lines) or f"exit code {record.exit_code}, check exit code {record.check_exit_code}"
    return text[:MESSAGE_CHARS]


def _case(suite: ET.Element, record: RunRecord, classname: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname,
                         name=f"{record.task_id} r{record.repeat}", time=_seconds(record))
    if record.infra:
        cause = record.infra_cause or "infrastructure failure"
        ET.SubElement(case, "error", type="infrastructure", message=cause).text = _details(record)
    elif not record.passed:
        kind = record.error_class or "failed"
        message = record.signature or (record.failing_tests[0] if record.failing_tests else kind)
        ET.SubElement(case, "failure", type=kind, message=message).text = _details(record)
    if record.artifacts:
        properties = ET.SubElement(case, "properties")
        for name, path in sorted(record.artifacts.items()):
            ET.SubElement(properties, "property", name=f"artifact:{name}", value=path)


def junit_xml(records: Sequence[RunRecord], *, target: str, task_set: str, session_id: str) -> bytes:
    """The JUnit XML document of these runs, in task and repeat order."""
    ordered = sorted(records, key=lambda r: (r.task_id, r.repeat))
    errors = sum(r.infra for r in ordered)
    failures = sum(not r.passed and not r.infra for r in ordered)
    total_s = sum(r.command_s + r.check_s for r in ordered)
    root = ET.Element("testsuites", name="overseer", tests=str(len(ordered)), failures=str(failures),
                      errors=str(errors), time=f"{total_s:.3f}")
    suite = ET.SubElement(root, "testsuite", name=f"{target}: {task_set}", tests=str(len(ordered)),
                          failures=str(failures), errors=str(errors), skipped="0", time=f"{total_s:.3f}",
                          timestamp=min((r.started_at for r in ordered), default=""))
    properties = ET.SubElement(suite, "properties")
    for name, value in (("session", session_id),
                        ("prompt_hash", ordered[0].prompt_hash if ordered else ""),
                        ("seed", str(ordered[0].seed) if ordered else "")):
        ET.SubElement(properties, "property", name=name, value=value)
    for record in ordered:
        _case(suite, record, f"{target}.{task_set}")
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def write_junit(path: Path, records: Sequence[RunRecord], *, target: str, task_set: str,
                session_id: str) -> None:
    """Write the runs' JUnit XML to ``path`` atomically (a reader never sees half a file)."""
    atomic_write(path, junit_xml(records, target=target, task_set=task_set, session_id=session_id),
                 fault_prefix="junit")
