"""MkDocs hook (mkdocs.yml: hooks): the pages generated at build time, so that they cannot drift.

reference/cli.md and reference/configuration.md come from the code (overseer/docsref.py);
benchmarks.md is BENCHMARKS.md at the repository's top, where the benchmark scripts write it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent


def on_files(files: Files, config: Any) -> Files:
    import typer

    from overseer.cli import app
    from overseer.config import Config
    from overseer.docsref import cli_reference, config_reference

    pages = {"reference/cli.md": cli_reference(typer.main.get_command(app)),
             "reference/configuration.md": config_reference(Config),
             "benchmarks.md": (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")}
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    return files
