"""The README cannot lie: its test command is what CI runs, its install-and-run commands name
extras, executables and subcommands that exist, its runnable block runs, its links resolve, its
commands table names every command, and it stays short (the manual is docs/)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer

from overseer.cli import app
from overseer.docsref import commands
from tests.helpers import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _blocks() -> list[tuple[str, str]]:
    """(the HTML comment before it, the code) of every bash block."""
    return [(m.group(1) or "", m.group(2)) for m in
            re.finditer(r"(?:<!--(.*?)-->\n)?```bash\n(.*?)```", README, re.DOTALL)]


def test_the_readme_is_short_and_its_test_command_is_what_ci_runs() -> None:
    assert len(README.splitlines()) <= 150
    demo, tests = (code.strip() for _, code in _blocks()[:2])
    assert demo == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/overseer demo"
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, "the README's test command is not the line .ci/run runs"


def test_the_install_commands_name_what_exists() -> None:
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for _, code in _blocks()[:2]:
        for step in code.strip().split(" && "):
            words = shlex.split(step)
            if words[:2] == [".venv/bin/pip", "install"]:
                wanted = re.fullmatch(r"\.(?:\[(.*)\])?", words[2])
                assert wanted, step
                assert set(filter(None, (wanted.group(1) or "").split(","))) <= set(extras), step
            elif words[0].startswith(".venv/bin/"):
                tool = BIN / words[0].removeprefix(".venv/bin/")
                assert tool.exists(), f"{step}: {tool.name} is not installed by the extras"
                if tool.name == "overseer":   # a subcommand that exists
                    result = subprocess.run([str(tool), *words[1:], "--help"], capture_output=True, text=True)
                    assert result.returncode == 0, result.stderr


def test_the_runnable_block_runs(tmp_path: Path) -> None:
    [code] = [code for comment, code in _blocks() if "runnable" in comment]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "GIT_AUTHOR_NAME": "readme", "GIT_AUTHOR_EMAIL": "readme@overseer.invalid",
           "GIT_COMMITTER_NAME": "readme", "GIT_COMMITTER_EMAIL": "readme@overseer.invalid"}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Usage: overseer" in result.stdout and "codewriter: holdout" in result.stdout


def test_links_resolve_and_the_commands_table_names_every_command() -> None:
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if not target.startswith("http"):
            assert (REPO_ROOT / target).exists(), target
    table = README[README.index("## Commands"):README.index("## The manual")]
    for name, _ in commands(typer.main.get_command(app)):
        last = name.split()[-1]
        assert re.search(rf"\b{re.escape(last)}\b", table), f"{name} is not in the README's commands table"


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO_ROOT / "docs").glob("*.md")))
def test_every_page_is_in_the_manuals_navigation(page: str) -> None:
    assert f": {page}" in (REPO_ROOT / "mkdocs.yml").read_text()
