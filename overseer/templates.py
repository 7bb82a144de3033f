"""The {placeholders} a command template and a check command may use, and their validation."""

from __future__ import annotations

import string

# Values every command template and check command may use as {placeholders}; the same values reach
# the command as OVERSEER_* environment variables.
PLACEHOLDERS = frozenset(
    {"task_dir", "task_id", "workdir", "prompt_file", "seed", "repeat", "usage_file", "python",
     "vars_file"}
)
# A check also gets the JUnit XML path to write, the file holding the command's stdout, and the
# command's answer (the target's output_file in the workdir, else the stdout file).
CHECK_PLACEHOLDERS = PLACEHOLDERS | {"junit_xml", "stdout_file", "output_file"}


def unknown_placeholders(template: str, allowed: frozenset[str]) -> list[str]:
    """Names in ``{...}`` fields of ``template`` that are not in ``allowed``; raises on bad syntax."""
    names = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    return sorted({name for name in names if name not in allowed})


def check_template(template: str, allowed: frozenset[str]) -> str:
    try:
        unknown = unknown_placeholders(template, allowed)
    except ValueError as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from None
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}}; known: {', '.join(sorted(allowed))}"
        )
    return template
