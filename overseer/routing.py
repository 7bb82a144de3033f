"""Routing: settings that differ for a band of tasks (``routing:`` in a target).

A rule names its tasks by complexity (``where: complexity<=2``; several comparisons joined by
``and`` or commas), by a tag (``tag: easy``), or both, and the settings it changes for them
(``set: {model: openai:gpt-4o-mini}``). A run's settings are the target's, with every matching rule
applied in order (a later rule overrides an earlier one). ``overseer experiment`` writes a rule
only once the changed setting is proven not worse on its band; the rule keeps what was proven
(``proven``: the band's pass rate under it, and the margin) so that the band can be watched.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Scalar = str | int | float | bool
_COMPARISON = re.compile(r"^\s*complexity\s*(<=|>=|==|=|<|>)\s*([1-5])\s*$")
_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "=": operator.eq,
    "<": operator.lt, ">": operator.gt}


class Routed(Protocol):
    """What a rule looks at in a task."""

    @property
    def complexity(self) -> int: ...

    @property
    def tags(self) -> Sequence[str]: ...


def parse_where(text: str) -> list[tuple[str, int]]:
    """``complexity<=2 and complexity>=1`` -> [("<=", 2), (">=", 1)]; ValueError naming the part."""
    parts = [p for p in re.split(r",|\band\b", text) if p.strip()]
    if not parts:
        raise ValueError(f"where {text!r} is empty")
    comparisons = []
    for part in parts:
        found = _COMPARISON.match(part)
        if not found:
            raise ValueError(f"where {text!r}: {part.strip()!r} is not a comparison like complexity<=2 "
                             "(complexity is 1 to 5)")
        comparisons.append((found[1], int(found[2])))
    return comparisons


class Selector(BaseModel):
    """Which tasks a rule applies to: all its comparisons hold and it carries the tag."""

    model_config = ConfigDict(extra="forbid")
    where: str | None = None
    tag: str | None = None

    @field_validator("where")
    @classmethod
    def _where(cls, value: str | None) -> str | None:
        if value is not None:
            parse_where(value)
        return value

    @model_validator(mode="after")
    def _something(self) -> Selector:
        if self.where is None and self.tag is None:
            raise ValueError("a rule needs where (e.g. complexity<=2), tag, or both")
        return self

    def matches(self, task: Routed) -> bool:
        if self.tag is not None and self.tag not in task.tags:
            return False
        comparisons = parse_where(self.where) if self.where else []
        return all(_OPERATORS[op](task.complexity, n) for op, n in comparisons)

    def describe(self) -> str:
        return " and ".join(p for p in (self.where, f"tag {self.tag}" if self.tag else None) if p)


class Proven(BaseModel):
    """What the experiment that wrote a rule proved: the band's pass rate under it, the margin
    and α of its test, and the experiment's id (runs/<target>/experiments.jsonl)."""

    model_config = ConfigDict(extra="forbid")
    experiment: str
    session: str = ""   # the experiment's session: its own runs are not the watched window
    pass_rate: float = Field(ge=0, le=1)
    margin: float = Field(ge=0, le=1)
    alpha: float = Field(gt=0, lt=1)


class Route(Selector):
    """One rule of ``routing:``: a selector and the settings it changes."""

    set: dict[str, Scalar] = Field(min_length=1)
    proven: Proven | None = None

    def label(self) -> str:
        changes = ", ".join(f"{name}={value}" for name, value in self.set.items())
        return f"{self.describe()}: {changes}"


def setting_text(value: Scalar) -> str:
    """A setting as a command gets it: text, true/false for a boolean."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def routed(settings: dict[str, Scalar], routes: Sequence[Route], task: Routed) -> dict[str, str]:
    """The settings a run of ``task`` gets: ``settings`` with every matching route applied in order."""
    chosen = dict(settings)
    for route in routes:
        if route.matches(task):
            chosen.update(route.set)
    return {name: setting_text(value) for name, value in chosen.items()}
