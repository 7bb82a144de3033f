"""The one user-facing failure type, the exit codes, and the one wording of a validation error."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: a command importing overseer.sim stays light
    from pydantic import ValidationError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_FAIL_UNDER = 100
EXIT_INTERRUPTED = 130


class FatalError(Exception):
    """A failure the user can act on; the message is shown as one line and the CLI exits 2."""

    exit_code = EXIT_BAD_INPUT


def _name(part: object) -> str:
    """A field name as one printable word: a key such as "\\n" from a model's reply is quoted."""
    text = str(part)
    return text if text.isprintable() and text.strip() == text and text else repr(text)


def validation_message(exc: ValidationError) -> str:
    """``where: what`` for the most useful error of ``exc``, plus how many more there are."""
    errors = exc.errors()
    # A misspelt key also makes the key it meant "missing"; the typo is the useful report.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    where = ".".join(_name(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    elif first["type"] == "missing":
        message = "required field is missing"
    more = exc.error_count() - 1
    return f"{where}: {message}" + (f" (and {more} more)" if more else "")


def naming(error: OSError, path: Path, *, always: bool = False) -> OSError:
    """``error`` with ``path`` as its file when it names none (``os.write`` on a full disk says
    only "No space left on device"), or ``always`` (the file it names is a temp file of ours), so
    the one line the user sees says where."""
    if (always or error.filename is None) and error.errno is not None:
        return OSError(error.errno, error.strerror or str(error), str(path))
    return error
