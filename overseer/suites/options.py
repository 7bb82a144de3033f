"""A promptfoo test's options and an assertion's overrides: the grader of its model-graded
assertions (``provider``, ``defaultTest.options.provider``) and the ``transform`` of its output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from overseer.errors import FatalError
from overseer.suites.scripts import node, script_source

GRADED = ("llm-rubric", "model-graded-closedqa")   # what a test's options.provider grades


def grader_model(provider: Any, where: str) -> str:
    """overseer's model for a promptfoo grader (``provider: ID`` or ``{id: ID}``)."""
    from overseer.suites.runner import model_for

    ident = provider.get("id") if isinstance(provider, dict) else provider
    try:
        return model_for(str(ident))
    except FatalError as exc:
        raise FatalError(f"{where}: {exc}") from None


def needs_node(where: str, what: str, transform: Any = None) -> None:
    """Refuse, before any run, JavaScript (an assertion, or a transform that is not a .py file)
    on a machine without Node.js."""
    if (what == "javascript" or not str(transform).endswith(".py")) and node() is None:
        raise FatalError(f"{where}: {what} runs JavaScript, which needs Node.js: node is not on PATH")


def with_grader(asserts: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    """``asserts`` with ``model`` grading every model-graded one that names no grader of its own."""
    return [{**a, "assert": with_grader(a["assert"], model)} if "assert" in a else
            {**a, "provider": model} if a["type"].removeprefix("not-") in GRADED and "provider" not in a else a
            for a in asserts]


def case_options(options: dict[str, Any], resolve: Callable[[str, str], Path], where: str) -> tuple[Any, str | None]:
    """A test's ``options.transform`` (the script, read in) and ``options.provider`` (the grader's
    model); ``resolve`` finds a ``file://`` path and names one that is missing."""
    transform, provider = options.get("transform"), options.get("provider")
    if transform is not None:
        at = f"{where}: options.transform"
        needs_node(at, "transform", transform)
        transform = script_source(str(transform), lambda name: resolve(name, at))
    return transform, None if provider is None else grader_model(provider, f"{where}: options.provider")
