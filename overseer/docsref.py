"""The manual's references, generated from the code so that they cannot drift: every command of the
Typer app with its options, and every field of overseer.yaml from the pydantic models (type,
default, description). docs/hooks.py adds them to the MkDocs build; tests/test_docsref.py checks
that nothing is left out."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

_MARKUP = re.compile(r"\\(\[)")   # rich markup escapes in help texts: overseer\[local]


def _cell(text: str) -> str:
    return _MARKUP.sub(r"\1", " ".join(text.split())).replace("|", "\\|")


# Typer's commands are click's (typer vendors click): read by their attributes, not their classes.
def commands(group: Any, prefix: str = "overseer") -> Iterator[tuple[str, Any]]:
    """(full name, command) of every command under ``group``, groups before their commands."""
    for name in sorted(getattr(group, "commands", {})):
        command = group.commands[name]
        if command.hidden:
            continue
        full = f"{prefix} {name}"
        yield full, command
        yield from commands(command, full)


def _option(param: Any) -> str:
    if param.param_type_name == "argument":
        optional = "" if param.required else ", optional"
        name = str(param.name or "").upper()
        return f"| `{name}` | {_cell(getattr(param, 'help', None) or '')} (argument{optional}) | |"
    names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    default = "" if param.default in (None, False, ()) or param.required or callable(param.default) \
        else f"`{param.default}`"
    return f"| {names} | {_cell(param.help or '')} | {default} |"


def cli_reference(app: Any) -> str:
    """The CLI reference page: each command's summary, usage and options."""
    lines = ["# CLI reference", "", "Generated from the Typer app at build time (`overseer/docsref.py`).", ""]
    for name, command in commands(app):
        context = command.context_class(command, info_name=name)
        lines += [f"## `{name}`", "", _cell(command.help or ""), "",
                  f"```\n{command.get_usage(context).removeprefix('Usage: ')}\n```", ""]
        params = [p for p in command.params if p.name != "help"]
        if params and not hasattr(command, "commands"):
            lines += ["| option | what it does | default |", "|---|---|---|", *(_option(p) for p in params), ""]
    return "\n".join(lines)


def _type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(a) for a in args if a is not type(None)) + \
            (" or null" if type(None) in args else "")
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in args)
    if origin in (list, tuple, set, frozenset):
        return f"list of {_type(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}" if args else "mapping"
    if origin is typing.Annotated:
        return _type(args[0])
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root`` and every model its fields reach, in the order they are reached."""
    seen: list[type[BaseModel]] = []
    queue = [root]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            queue += [m for m in _models(info.annotation) if m not in seen]
    return seen


def _default(info: Any) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "required"
    value = info.default if info.default_factory is None else info.default_factory()
    if isinstance(value, BaseModel):
        return "(see below)"
    return "" if value in ({}, [], None) else f"`{value!r}`"


def config_reference(root: type[BaseModel]) -> str:
    """The configuration reference page: one table per model, every field with its YAML name."""
    lines = ["# Configuration reference", "",
             "Generated from the pydantic models at build time (`overseer/docsref.py`): every field "
             "overseer.yaml may hold. Unknown keys are errors.", ""]
    for model in models(root):
        lines += [f"## {model.__name__}", "", _cell((model.__doc__ or "").strip().split("\n\n")[0]), "",
                  "| field | type | default | description |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            lines.append(f"| `{info.alias or name}` | {_cell(_type(info.annotation))} | {_cell(_default(info))} | "
                         f"{_cell(info.description or '')} |")
        lines.append("")
    return "\n".join(lines)
