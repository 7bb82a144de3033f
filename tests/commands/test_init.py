from __future__ import annotations

from pathlib import Path

import pytest

from overseer.commands.init import EXAMPLE_TARGET, next_steps
from overseer.config import load_config
from tests.helpers import git, overseer


def test_init_writes_a_loadable_config_and_ends_with_the_next_steps(tmp_path: Path) -> None:
    result = overseer("init", "--dir", "project", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "project"
    assert load_config(project / "overseer.yaml").target(EXAMPLE_TARGET).command
    steps = result.stdout.split("next steps:\n")[1].splitlines()
    assert steps[0].strip() == f"cd {project}" and steps[1].strip() == "git init"
    assert steps[2].strip().startswith("git add examples/codewriter tasks/pyfuncs overseer.yaml && git commit")
    assert f"overseer run {EXAMPLE_TARGET}" in steps[3] and f"overseer optimize {EXAMPLE_TARGET}" in steps[4]


def test_the_steps_skip_what_is_already_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    steps = next_steps(tmp_path, [tmp_path / "overseer.yaml"])
    assert steps[0] == "git add overseer.yaml && git commit -m 'overseer: the example target'"


def test_init_never_overwrites_a_config(tmp_path: Path) -> None:
    (tmp_path / "overseer.yaml").write_text("mine\n")
    result = overseer("init", "--dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "never overwrites it" in result.stderr
    assert (tmp_path / "overseer.yaml").read_text() == "mine\n"
