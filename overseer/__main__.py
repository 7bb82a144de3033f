"""The ``overseer`` command (``python -m overseer`` and the console script)."""

from __future__ import annotations

import sys


def entry() -> int:
    """Run the command line. Loading it takes a moment (typer, pydantic, git); Ctrl-C during that
    moment ends like Ctrl-C later: one line and exit code 130, no traceback."""
    try:
        from overseer.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("overseer: interrupted\n")
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(entry())
