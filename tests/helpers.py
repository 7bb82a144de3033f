"""What the tests share: git in a directory, the overseer CLI in-process (or as a real process
where signals and exit codes of the process matter), and the toy project."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from overseer.cli import main
from overseer.records import RunRecord, Usage

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def sigint_as_from_a_terminal() -> None:
    """A ``preexec_fn`` for a child that is sent Ctrl-C: a test run started in the background
    (`pytest &`, `nohup ... &`) hands SIGINT on ignored, and Python leaves an ignored SIGINT
    ignored, so the child would never see it; a terminal's child gets it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def changed_files(repo: Path, rev: str) -> list[str]:
    """The paths commit ``rev`` touched, sorted."""
    return sorted(git(repo, "show", "--name-only", "--format=", rev).split())


def overseer(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """``overseer ARGS`` run in this process (the same ``main`` as the console script): its exit
    code, stdout and stderr. ``env`` is set for the call and restored afterwards."""
    saved_env = {k: os.environ.get(k) for k in env or {}}
    saved_cwd, saved_term = Path.cwd(), signal.getsignal(signal.SIGTERM)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env or {})
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(saved_cwd)
        signal.signal(signal.SIGTERM, saved_term)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return CliResult(code, out.getvalue(), err.getvalue())


def overseer_process(*args: str, cwd: Path, env: dict[str, str] | None = None,
                     timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``overseer ARGS`` as a real process: for kills, signals and the process's own exit code."""
    return subprocess.run([sys.executable, "-m", "overseer", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=timeout)



def make_run(task: str, passed: bool, repeat: int = 0, tokens: int = 100, seconds: float = 1.0,
             batch: str = "b1") -> RunRecord:
    """A RunRecord of one (task, repeat) with just the fields the statistics read."""
    return RunRecord(session_id="s", target="t", command="c", prompt_hash="p", task_id=task,
                     task_hash="h", task_set_hash="hs", repeat=repeat, seed=0, started_at="",
                     exit_code=0, timed_out=False, command_s=seconds, passed=passed,
                     score=1.0 if passed else 0.0, usage=Usage(input_tokens=tokens), batch=batch)


def make_runs(outcomes: list[bool], **kw: object) -> list[RunRecord]:
    """One run per outcome, of tasks t0, t1, ..."""
    return [make_run(f"t{i}", ok, **kw) for i, ok in enumerate(outcomes)]  # type: ignore[arg-type]


def make_rounds(outcomes_before: list[list[bool]], outcomes_after: list[list[bool]]
                ) -> tuple[list[RunRecord], list[RunRecord]]:
    """Both prompts' runs: repeat k of task ti from the k-th list's i-th outcome."""
    def records(rows: list[list[bool]]) -> list[RunRecord]:
        return [make_run(f"t{i}", ok, repeat=k) for k, row in enumerate(rows) for i, ok in enumerate(row)]
    return records(outcomes_before), records(outcomes_after)


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




SUITE_TARGET = """\
schema_version: 1
targets:
  t:
    command: "{python} tool.py"
    prompt: prompt.md
    tasks: evals/tests.yaml
    holdout: 0.0
    jobs: 1
    infra: {retries: 0}
    judge: %s
    environment: [OPENAI_BASE_URL]
"""


def make_suite_project(root: Path, suite: str, tool: str, judge: str) -> Path:
    """A git repository whose one target, ``t``, runs ``tool`` (Python) on the cases of the
    promptfoo test file ``suite``, graded by ``judge`` (a YAML mapping)."""
    (root / "evals").mkdir(parents=True)
    (root / "evals" / "tests.yaml").write_text(suite)
    (root / "tool.py").write_text(tool)
    (root / "prompt.md").write_text("Be polite.\n")
    (root / "overseer.yaml").write_text(SUITE_TARGET % judge)
    git(root, "init", "-q")
    return root
