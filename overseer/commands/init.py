"""``overseer init``: a commented overseer.yaml and the example target with its task set."""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from overseer import report
from overseer.config import CONFIG_NAME
from overseer.errors import EXIT_OK, FatalError
from overseer.resources import bundled
from overseer.vcs import atomic_write, open_repo

EXAMPLE_TARGET = "codewriter"
EXAMPLE_FILES = {"examples/codewriter": ("examples", "codewriter"), "tasks/pyfuncs": ("tasks", "pyfuncs")}

CONFIG_TEMPLATE = """\
# overseer.yaml: what overseer evaluates and improves (docs/configuration.md has every field).
schema_version: 1

targets:
  # A target is a command with a prompt inside it, and the tasks that judge it.
  codewriter:
    # Run once per (task, repeat), from an isolated copy of this repository. Placeholders:
    # {task_dir} {task_id} {workdir} {prompt_file} {seed} {repeat} {usage_file} {python}, and
    # each of the settings below; the same values reach the command as OVERSEER_* variables.
    command: "{python} examples/codewriter/codewriter.py --task-dir {task_dir} --out {workdir}/solution.py --model {model}"
    # Values the command reads ({model}, OVERSEER_MODEL), recorded on every run; runs made
    # under other settings are never reused. sim:strong and sim:cheap are the offline simulated
    # models (priced like a large and a small model; plain sim costs nothing). `overseer
    # experiment` proves a cheaper one for a band of tasks and writes a routing: rule here.
    # max_tokens bounds a real model's reply (OVERSEER_MAX_TOKENS): unbounded, a small model
    # asked to explain itself runs on for hundreds of tokens, and every run pays for them.
    settings: {model: "sim:strong", max_tokens: 1024}
    # Where the prompt lives: a whole file (prompt: prompts/system.md), a marked region
    # ({file: F, region: NAME} between `overseer:begin NAME` and `overseer:end` lines),
    # or a module-level Python string, as here.
    prompt: {file: examples/codewriter/codewriter.py, variable: PROMPT}
    # A task set: tasks/<set>/<id>/ with task.yaml and tests/ (pinned by a hash of its files).
    tasks: tasks/pyfuncs
    # Held-out tasks: a fraction of `tasks` set aside deterministically, or another set's folder.
    holdout: 0.25
    repeats: 2            # runs of each task per evaluation; a promising candidate gets more,
                          # one more per look up to accept.max_repeats (16), until proven or futile
    timeout_s: 60         # limit for one run of the command (each task's check has its own)
    jobs: 4               # runs at once (here; or on a Ray cluster, with pip install 'overseer[ray]':
                          # executor: {kind: ray, address: "ray://HEAD:10001", cpus_per_run: 1})
    seed: 0               # reaches the command as {seed} and OVERSEER_SEED
    objective: pass_rate  # or mean_score: the fraction of each task's tests passed
"""


TRIAGE_CONFIG = """\
# overseer.yaml: what overseer evaluates and improves (docs/configuration.md has every field).
schema_version: 1

targets:
  # A prompt that is not code: examples/triage/triage.py classifies a support ticket into JSON
  # with the system prompt in examples/triage/prompt.md. Its tests are a promptfoo suite.
  triage:
    # A case's vars reach the command as a JSON file ({vars_file}) and as OVERSEER_VAR_<NAME>;
    # what the case's assertions judge is the command's stdout.
    command: "{python} examples/triage/triage.py --vars {vars_file} --model {model}"
    settings: {model: sim}
    prompt: examples/triage/prompt.md
    # A promptfoo config: each of its test cases is a task (defaultTest applies).
    tasks: examples/triage/evals/promptfooconfig.yaml
    holdout: 0.25
    repeats: 2
    timeout_s: 60
    jobs: 4
    seed: 0
    # Grades the suite's llm-rubric assertions; sim is the simulator's judge (offline). A real
    # one: {model: "openai:gpt-4.1-mini", seed: 0}.
    judge: {model: sim}
"""


@dataclass(frozen=True)
class Example:
    """An example target that ``init`` and ``demo`` write: its files and its overseer.yaml."""

    target: str
    files: dict[str, tuple[str, str]]
    config: str


EXAMPLES = {
    "codewriter": Example(EXAMPLE_TARGET, EXAMPLE_FILES, CONFIG_TEMPLATE),
    "triage": Example("triage", {"examples/triage": ("examples", "triage")}, TRIAGE_CONFIG),
}


def _copy_dir_atomically(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
    try:
        shutil.copytree(source, staging / "tree",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        os.replace(staging / "tree", dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def scaffold(directory: Path, example: Example = EXAMPLES[EXAMPLE_TARGET]) -> list[Path]:
    """Write overseer.yaml and copy the example target and tasks that are not there yet."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_NAME
    if config.exists():
        raise FatalError(f"{config}: already exists; overseer init never overwrites it")
    written = []
    for relative, (top, name) in example.files.items():
        dest = directory / relative
        if not dest.exists():
            _copy_dir_atomically(bundled(top) / name, dest)
            written.append(dest)
    atomic_write(config, example.config.encode("utf-8"))
    written.append(config)
    return written


def next_steps(directory: Path, written: list[Path]) -> list[str]:
    """What to do after ``init``: commit the scaffold (optimize commits only the prompt and its
    diffs/ record, and the isolated copies it evaluates in are made from what is committed), then
    measure the example target's prompt, then improve it."""
    files = " ".join(shlex.quote(str(p.relative_to(directory))) for p in written)
    steps = [] if directory == Path.cwd() else [f"cd {shlex.quote(str(directory))}"]
    repo = open_repo(directory)
    if repo is None:
        steps.append("git init")
    else:
        repo.close()
    steps += [f"git add {files} && git commit -m 'overseer: the example target'",
              f"overseer run {EXAMPLE_TARGET}         # measure the prompt on its tasks",
              f"overseer optimize {EXAMPLE_TARGET}    # improve it; only proven edits are kept and committed"]
    return steps


def main(*, directory: Path, suite: Path | None = None, name: str | None = None) -> int:
    root = directory.resolve()
    if suite is not None:
        return _from_suite(root, suite, name or suite.resolve().parent.name or "suite")
    written = scaffold(root)
    for path in written:
        report.line(f"wrote {path}")
    report.line("next steps:")
    for step in next_steps(root, written):
        report.line(f"  {step}")
    return EXIT_OK


def _from_suite(root: Path, suite: Path, name: str) -> int:
    """`init --from`: a target for a promptfoo suite, run by overseer's own runner."""
    from overseer.suites.init import add_target

    written, notes = add_target(root, suite, name)
    for note in notes:
        report.warn(note)
    for path in written:
        report.line(f"wrote {path}")
    report.line("next steps:")
    for step in (f"git add {' '.join(shlex.quote(str(p.relative_to(root))) for p in written)} && "
                 f"git commit -m 'overseer: the {name} target'",
                 f"overseer run {name}         # the suite's prompt on its cases, through its provider",
                 f"overseer optimize {name}    # improve it; only proven edits are kept and committed"):
        report.line(f"  {step}")
    return EXIT_OK
