"""``overseer plugins``: the proposers, reviewers, sanitizers and checks other installed packages provide."""

from __future__ import annotations

from dataclasses import asdict

from overseer import report
from overseer.errors import EXIT_OK
from overseer.plugins import installed


def main(*, json_output: bool) -> int:
    plugins = installed()
    if json_output:
        report.print_json([asdict(p) for p in plugins])
    else:
        report.show_plugins(plugins)
    return EXIT_OK
