"""Routing rules: which tasks a rule selects, and the settings a run of a task gets."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from overseer.routing import Route, Selector, parse_where, routed


@dataclass
class T:
    complexity: int
    tags: tuple[str, ...] = ()


def test_where_is_a_conjunction_of_complexity_comparisons() -> None:
    assert parse_where("complexity<=2") == [("<=", 2)]
    assert parse_where("complexity >= 2 and complexity<4") == [(">=", 2), ("<", 4)]
    band = Selector(where="complexity>=2, complexity<4")
    assert [c for c in range(1, 6) if band.matches(T(c))] == [2, 3]
    assert Selector(where="complexity=3").matches(T(3)) and not Selector(where="complexity==3").matches(T(2))
    assert Selector(tag="easy").matches(T(5, ("easy",))) and not Selector(tag="easy").matches(T(1))
    assert not Selector(where="complexity<=2", tag="easy").matches(T(1))


@pytest.mark.parametrize("where", ["size<3", "complexity<=9", "complexity", "", "complexity<=2 or complexity>4"])
def test_a_where_that_is_not_a_complexity_comparison_is_refused(where: str) -> None:
    with pytest.raises(ValidationError):
        Selector(where=where)


def test_every_matching_rule_applies_in_order_the_later_overriding() -> None:
    routes = [Route(where="complexity<=2", set={"model": "small"}),
              Route(tag="tricky", set={"model": "big", "temperature": 0.0}),
              Route(where="complexity>=5", set={"verbose": True})]
    base = {"model": "medium", "temperature": 0.2, "verbose": False}
    assert routed(base, routes, T(1)) == {"model": "small", "temperature": "0.2", "verbose": "false"}
    assert routed(base, routes, T(1, ("tricky",))) == {"model": "big", "temperature": "0.0", "verbose": "false"}
    assert routed(base, routes, T(5)) == {"model": "medium", "temperature": "0.2", "verbose": "true"}
