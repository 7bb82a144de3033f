"""YAML files read the one way: duplicate keys refused, every problem one line naming the file and
the place. Kept apart from config.py so that a light command (the simulated model) can read its
profile and task files without building every config model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from overseer.errors import FatalError, validation_message


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a mapping with the same key twice (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                break   # the base class says "found unhashable key", with its place
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FatalError(f"{path}: not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise FatalError(f"{where}: invalid YAML: {problem}") from None


Model = TypeVar("Model", bound=BaseModel)


def load_yaml_model(path: Path, model: type[Model], expected: str) -> Model:
    """``path`` parsed as YAML and validated as ``model``; any problem is one FatalError line
    naming the file, the field and what is wrong (``expected`` says what the top level holds)."""
    data = parse_yaml(path)
    if not isinstance(data, dict):
        raise FatalError(f"{path}: expected a mapping with {expected}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FatalError(f"{path}: {validation_message(exc)}") from None
