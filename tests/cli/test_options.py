from __future__ import annotations

import pytest
import typer

from overseer.cli.options import exit_with


def test_only_a_failing_code_leaves_the_command() -> None:
    exit_with(0)
    with pytest.raises(typer.Exit) as caught:
        exit_with(100)
    assert caught.value.exit_code == 100
