"""The check of a labelling task: is the command's answer (answer.txt) the expected label, alone?

    python check_label.py --expected positive --junit report.xml

One JUnit test case, ``label``. It fails with ``WrongAnswerError`` when the answer does not name
the expected label (or names both), and with ``AnswerFormatError`` when it names it but says more
than the label (a sentence, quotes, punctuation past one trailing full stop), so that the
failures of a prompt say what went wrong.
"""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET
from pathlib import Path

LABELS = ("positive", "negative")


def verdict(answer: str, expected: str) -> tuple[str, str] | None:
    """None when ``answer`` is the label alone; else (error class, message)."""
    bare = answer.strip().lower().removesuffix(".")
    if bare == expected:
        return None
    named = {label for label in LABELS if re.search(rf"\b{label}\b", answer.lower())}
    shown = " ".join(answer.split())[:120] or "(nothing)"
    if named != {expected}:
        return "WrongAnswerError", f"expected {expected!r}, the answer was {shown!r}"
    return "AnswerFormatError", f"the label is right but not alone: {shown!r}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--expected", required=True, choices=LABELS)
    parser.add_argument("--junit", required=True, type=Path)
    parser.add_argument("--answer", type=Path, default=Path("answer.txt"))
    args = parser.parse_args()
    answer = args.answer.read_text(encoding="utf-8", errors="replace") if args.answer.is_file() else ""
    suite = ET.Element("testsuite", name="label", tests="1")
    case = ET.SubElement(suite, "testcase", classname="label", name="label")
    failed = verdict(answer, args.expected)
    if failed:
        klass, message = failed
        ET.SubElement(case, "failure", message=f"{klass}: {message}").text = f"{klass}: {message}"
    ET.ElementTree(suite).write(args.junit, encoding="utf-8", xml_declaration=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
