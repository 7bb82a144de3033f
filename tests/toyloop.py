"""A fast toy target for loop tests: a run passes exactly when the prompt says GOOD, and the
'LLM' is a command that always proposes adding GOOD (the real llm proposer, command: provider)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import git

START = "Be careful.\nThis toy prompt is long enough to leave room for a small edit.\n"
GOOD = START.replace("Be careful.", "Be careful. GOOD")
PROPOSAL = {"hypothesis": "Saying GOOD makes every run pass", "rationale": "toy evidence",
            "edit": {"op": "insert_after", "old": "Be careful.", "new": " GOOD",
                     "kind": "add-constraint:good"}}

CONFIG = """\
schema_version: 1
targets:
  toy:
    command: "if grep -q GOOD {prompt_file}; then echo ok; else echo bad; fi > {workdir}/answer.txt"
    prompt: prompts/system.md
    tasks: tasks/toy
    holdout: 0.2
    repeats: 1
    jobs: 2
    timeout_s: 30
    accept: %s
    success_sample_rate: 1.0
    proposer: {kind: llm, model: "command:%s %s"}
"""


# Fixed repeats by default: most loop tests are about mechanics, not about escalation.
FIXED = "{screen_tasks: 4, max_repeats: null}"


def make_loop_project(root: Path, n_tasks: int = 10, accept: str = FIXED) -> Path:
    root.mkdir(parents=True)
    (root / "prompts").mkdir()
    (root / "prompts" / "system.md").write_text(START)
    proposer = root / "propose.py"
    proposer.write_text(f"import sys, json\nsys.stdin.read()\nprint(json.dumps({PROPOSAL!r}))\n")
    (root / "overseer.yaml").write_text(CONFIG % (accept, sys.executable, proposer))
    write_say_ok_tasks(root / "tasks" / "toy", n_tasks)
    commit_project(root, "toy loop project")
    return root


def write_say_ok_tasks(directory: Path, count: int) -> None:
    """Tasks t00, t01, ... whose check passes when the command wrote ``ok`` to answer.txt."""
    for i in range(count):
        task = directory / f"t{i:02d}"
        task.mkdir(parents=True)
        (task / "task.yaml").write_text(textwrap.dedent(f"""\
            id: t{i:02d}
            title: toy task {i}
            spec: Say ok.
            check: "grep -qx ok answer.txt"
            timeout_s: 10
        """))


def commit_project(root: Path, message: str) -> None:
    """A git repository of ``root`` (runs/ ignored) with everything in one commit."""
    (root / ".gitignore").write_text("runs/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def proposal_json() -> str:
    return json.dumps(PROPOSAL)


FAKE_KEY = "sk-fake-key-0123456789abcdef"


def use_fake_llm(project: Path, base_url: str, monkeypatch: pytest.MonkeyPatch, *, more: str = "") -> None:
    """Point the toy target's proposer at a fake OpenAI-compatible server (``more``: further
    lines of the target's config), committed; the key and base URL set for the test."""
    config = project / "overseer.yaml"
    text = config.read_text()
    config.write_text(text[: text.index("    proposer:")] + '    proposer: {kind: llm, model: "openai:fake-model"}\n' + more)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "use a fake openai server")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{base_url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
