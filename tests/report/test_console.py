from __future__ import annotations

import pytest

from overseer.report.console import _run_line, line, note, pct, print_json, size
from tests.helpers import make_run


def test_figures_are_rendered_in_their_unit() -> None:
    assert pct(0.1234) == "12.3%"
    assert size(512) == "512 B" and size(2048) == "2.0 KB" and size(5 * 1024 ** 3) == "5.0 GB"


def test_a_run_is_one_line() -> None:
    failed = make_run("slugify", False, repeat=2).model_copy(update={"error_class": "SyntaxError"})
    assert _run_line(failed) == "slugify r2: FAIL SyntaxError (0/0 tests, 1.0s)"


def test_output_is_printed_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    line("[bold]kept[/bold] as text")
    note("[edit] too")
    print_json({"a": 1})
    captured = capsys.readouterr()
    assert captured.out.startswith("[bold]kept[/bold] as text\n{")
    assert captured.err == "[edit] too\n"
