from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_home_writes(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any test that would write to the real home directory writes to a throwaway one instead,
    and git never reads the developer's own config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.invalid")
    monkeypatch.delenv("OVERSEER_SIM_PROFILE", raising=False)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def overseer(*args: str, cwd: Path, env: dict[str, str] | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "overseer", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=timeout)


TOY_COMMAND = '''\
import json, os, sys
from pathlib import Path

prompt = Path(os.environ["OVERSEER_PROMPT_FILE"]).read_text()
task = Path(os.environ["OVERSEER_TASK_DIR"]).name
good = "GOOD" in prompt
ops = {"add": "+", "sub": "-"}
body = f"a {ops[task]} b" if good else "0"
Path(os.environ["OVERSEER_WORKDIR"], "solution.py").write_text(
    f"def {task}(a, b):\\n    return {body}\\n")
print("debug: using key sk-abcdefghijklmnopqrstuvwx1234")
Path(os.environ["OVERSEER_USAGE_FILE"]).write_text(json.dumps(
    {"model": "toy", "input_tokens": len(prompt), "output_tokens": 10, "cost_usd": 0.001}))
'''

TOY_CONFIG = '''\
schema_version: 1
targets:
  toy:
    command: "{python} tool.py"
    prompt: prompts/system.md
    tasks: tasks/toy
    holdout: 0.5
    jobs: 2
    timeout_s: 30
    success_sample_rate: 1.0
'''


def write_toy_task(root: Path, name: str, op: str) -> None:
    task = root / "tasks" / "toy" / name
    (task / "tests").mkdir(parents=True)
    (task / "task.yaml").write_text(textwrap.dedent(f"""\
        id: {name}
        title: {name} two numbers
        spec: Write {name}(a, b).
        timeout_s: 30
        tags: [math]
        complexity: 1
    """))
    (task / "tests" / f"test_{name}.py").write_text(textwrap.dedent(f"""\
        from solution import {name}


        def test_small():
            assert {name}(2, 1) == 2 {op} 1


        def test_zero():
            assert {name}(0, 0) == 0


        def test_negative():
            assert {name}(-3, 5) == -3 {op} 5
    """))


def make_toy_project(root: Path, prompt: str = "Be careful. GOOD\n", with_git: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tool.py").write_text(TOY_COMMAND)
    (root / "prompts").mkdir()
    (root / "prompts" / "system.md").write_text(prompt)
    (root / "overseer.yaml").write_text(TOY_CONFIG)
    write_toy_task(root, "add", "+")
    write_toy_task(root, "sub", "-")
    if with_git:
        (root / ".gitignore").write_text("runs/\n")
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "toy project")
    return root


@pytest.fixture
def toy_project(tmp_path: Path) -> Path:
    return make_toy_project(tmp_path / "project")


@pytest.fixture
def in_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
