from __future__ import annotations

import errno
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from overseer.errors import FatalError, naming, validation_message


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int


def _error(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Model.model_validate(data)
    return caught.value


def test_a_misspelt_key_is_reported_rather_than_the_key_it_made_missing() -> None:
    assert validation_message(_error({"nme": "x", "count": 1})) == \
        "nme: unknown field (check its spelling) (and 1 more)"


def test_each_problem_names_its_field() -> None:
    assert validation_message(_error({"count": 1})) == "name: required field is missing"
    assert validation_message(_error({"name": "x", "count": "many"})).startswith("count: ")
    assert validation_message(_error({"name": "x", "count": 1, "\n": 2})).startswith("'\\n': ")


def test_an_os_error_is_made_to_name_its_file() -> None:
    bare = OSError(errno.ENOSPC, "No space left on device")
    named = naming(bare, Path("runs/x.jsonl"))
    assert named.filename == "runs/x.jsonl" and named.errno == errno.ENOSPC
    temp = OSError(errno.EACCES, "Permission denied", "/tmp/.tmp123")
    assert naming(temp, Path("prompt.md")).filename == "/tmp/.tmp123"
    assert naming(temp, Path("prompt.md"), always=True).filename == "prompt.md"
    assert FatalError.exit_code == 2
