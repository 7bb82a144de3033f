"""The one user-facing failure type, and the exit codes the CLI maps it to."""

from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_FAIL_UNDER = 100
EXIT_INTERRUPTED = 130


class FatalError(Exception):
    """A failure the user can act on; the message is shown as one line and the CLI exits 2."""

    exit_code = EXIT_BAD_INPUT
