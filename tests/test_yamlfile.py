from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from overseer.errors import FatalError
from overseer.yamlfile import load_yaml_model, parse_yaml


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


def test_a_duplicate_key_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("name: a\nname: b\n")
    with pytest.raises(FatalError, match=r"x\.yaml:2:1: invalid YAML: duplicate key 'name'"):
        parse_yaml(path)


def test_unreadable_and_invalid_files_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="cannot read"):
        parse_yaml(tmp_path / "missing.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe")
    with pytest.raises(FatalError, match="not UTF-8"):
        parse_yaml(tmp_path / "bin.yaml")
    (tmp_path / "bad.yaml").write_text("a: [1, 2\n")
    with pytest.raises(FatalError, match=r"bad\.yaml:\d+:\d+: invalid YAML"):
        parse_yaml(tmp_path / "bad.yaml")


def test_a_model_is_loaded_or_its_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: ok\n")
    assert load_yaml_model(path, _Model, "a name").name == "ok"
    path.write_text("- a list\n")
    with pytest.raises(FatalError, match="expected a mapping with a name"):
        load_yaml_model(path, _Model, "a name")
    path.write_text("nam: typo\n")
    with pytest.raises(FatalError, match=r"m\.yaml: nam: unknown field"):
        load_yaml_model(path, _Model, "a name")
