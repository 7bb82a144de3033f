from __future__ import annotations

import pytest

from overseer.resources import bundled
from tests.helpers import REPO_ROOT


def test_the_example_folders_are_found_in_a_checkout() -> None:
    assert bundled("examples") == REPO_ROOT / "examples"
    assert (bundled("tasks") / "pyfuncs").is_dir()


def test_a_folder_that_was_not_shipped_is_one_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match=r"installed without its nothing-here/ folder"):
        bundled("nothing-here")
