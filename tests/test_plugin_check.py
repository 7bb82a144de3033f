"""The check-plugin runner's own parts (a real plugin in a real venv: tests/test_plugins.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.checks import judge_junit
from overseer.errors import FatalError
from overseer.plugin_check import CheckResult, _options, main, write_junit


def test_results_are_written_as_junit_the_runner_reads(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit([CheckResult("has_summary", True), CheckResult("is_short", False, "412 words")], path, "style")
    verdict = judge_junit(path)
    assert verdict.tests_total == 2 and verdict.tests_passed == 1
    assert any("412 words" in m for m in verdict.messages)


def test_options_are_key_value_pairs() -> None:
    assert _options(["max_words=200", "tone=plain=ok"]) == {"max_words": "200", "tone": "plain=ok"}
    with pytest.raises(FatalError, match="expected KEY=VALUE"):
        _options(["max_words"])


def test_a_plugin_that_is_not_installed_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-check-plugin", "--junit", str(tmp_path / "j.xml")]) == 2
    assert "no-such-check-plugin" in capsys.readouterr().err
    assert not (tmp_path / "j.xml").exists()
