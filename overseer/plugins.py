"""Plugins: proposers, reviewers, sanitizers and checks from other installed packages, found through entry points
(the way the ``llm`` tool finds its plugins). A package declares, in its pyproject.toml::

    [project.entry-points."overseer.proposers"]
    minimalist = "my_package.proposers:make_proposer"     # (options: dict) -> a Proposer

    [project.entry-points."overseer.sanitizers"]
    trailing_spaces = "my_package.sanitizers:strip_trailing"  # (text: str) -> str

    [project.entry-points."overseer.reviewers"]
    word_budget = "my_package.review:make_reviewer"    # (options: dict) -> a panel Reviewer

    [project.entry-points."overseer.checks"]
    expected_text = "my_package.checks:make_check"     # (options: dict) -> judge(workdir) -> results

A target then names them (``proposer: {kind: minimalist, options: {...}}``, ``sanitizers:
[trailing_spaces]``, a panel's ``options: {reviewer: word_budget, reviewer_options: {...}}``, a
task's ``check: "{python} -m overseer.plugin_check expected_text --junit {junit_xml}"``). A plugin is imported only when a target uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from overseer.errors import FatalError

GROUPS = {"proposers": "overseer.proposers", "sanitizers": "overseer.sanitizers",
          "reviewers": "overseer.reviewers", "checks": "overseer.checks"}


@dataclass(frozen=True)
class Plugin:
    kind: str          # proposers / sanitizers / reviewers / checks
    name: str
    value: str         # module:attribute
    package: str       # the distribution that provides it, with its version


def _package(point: EntryPoint) -> str:
    dist = point.dist
    return f"{dist.name} {dist.version}" if dist is not None else "?"


def installed() -> list[Plugin]:
    """Every plugin the installed packages declare, by kind and name."""
    return sorted((Plugin(kind, p.name, p.value, _package(p))
                   for kind, group in GROUPS.items() for p in entry_points(group=group)),
                  key=lambda p: (p.kind, p.name))


def load(kind: str, name: str, where: str) -> Callable[..., Any]:
    """The object a plugin names, imported now; one line if it is not installed or fails."""
    found = [p for p in entry_points(group=GROUPS[kind]) if p.name == name]
    if not found:
        known = ", ".join(sorted(p.name for p in entry_points(group=GROUPS[kind]))) or "none installed"
        raise FatalError(f"{where}: no {kind[:-1]} named {name!r} (plugins: {known}; "
                         "`overseer plugins` lists them)")
    point = found[0]
    try:
        loaded = point.load()
    except Exception as exc:  # a plugin is someone else's code: any failure to import is one line
        raise FatalError(f"{where}: the {kind[:-1]} plugin {name!r} ({_package(point)}, {point.value}) "
                         f"failed to load: {type(exc).__name__}: {exc}") from None
    if not callable(loaded):
        raise FatalError(f"{where}: the {kind[:-1]} plugin {name!r} ({point.value}) is not callable")
    return loaded  # type: ignore[no-any-return]
