"""``overseer demo``: a self-contained git repo with the example target, evaluated offline."""

from __future__ import annotations

import tempfile
from pathlib import Path

import git

from overseer import report
from overseer.commands.init import EXAMPLE_TARGET, EXAMPLES, scaffold
from overseer.commands.optimize import reporting_hooks
from overseer.commands.sim import target_truth
from overseer.config import LoadedConfig, load_config
from overseer.errors import EXIT_OK, FatalError
from overseer.evaluate import runs_dir
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.report import DemoResult
from overseer.store import open_store

DEMO_GITIGNORE = "runs/\n__pycache__/\n*.pyc\n"


def demo_directory(requested: Path | None) -> Path:
    if requested is None:
        return Path(tempfile.mkdtemp(prefix="overseer-demo-"))
    if requested.exists() and (not requested.is_dir() or any(requested.iterdir())):
        raise FatalError(f"{requested}: not an empty directory; the demo builds its repo in a new one")
    return requested.resolve()


def build_demo_repo(directory: Path, example: str = EXAMPLE_TARGET) -> None:
    """A git repo holding overseer.yaml, the example command and its tasks, in one commit."""
    scaffold(directory, EXAMPLES[example])
    (directory / ".gitignore").write_text(DEMO_GITIGNORE, encoding="utf-8")
    repo = git.Repo.init(directory)
    with repo.config_writer() as config:
        config.set_value("user", "name", "overseer demo")
        config.set_value("user", "email", "demo@overseer.invalid")
    repo.git.add(A=True)
    repo.index.commit(f"{example} with its original prompt")
    repo.close()


DEMO_ITERATIONS = 3
# A promising candidate gets at most this many repeats in the demo (optimize's default is
# accept.max_repeats = 16): enough for the example's three good edits (+16, +10 and +6 points) to
# be proven, and the whole demo stays near 5 minutes on 2 cores.
DEMO_MAX_REPEATS = 6
# One candidate per iteration (optimize's default races 3): with a budget of iterations rather
# than runs, a race evaluates more candidates per iteration, and the demo took about 3 times as long
# (more than 24 minutes on 2 cores, against 8.5).
DEMO_RACE = 1


def prepare_demo(*, directory: Path | None, example: str = EXAMPLE_TARGET) -> LoadedConfig:
    root = demo_directory(directory)
    build_demo_repo(root, example)
    return load_config(root / "overseer.yaml")


def run_demo(*, loaded: LoadedConfig, jobs: int | None, iterations: int, hooks: Hooks,
             max_repeats: int = DEMO_MAX_REPEATS, repeats: int | None = None,
             example: str = EXAMPLE_TARGET) -> DemoResult:
    """The whole loop on the example, offline: baseline, a few iterations with the rules proposer
    and the simulator, commits in the demo repo; the simulator's ground truth before and after."""
    options = OptimizeOptions(iterations=iterations, jobs=jobs, repeats=repeats, max_repeats=max_repeats,
                              race=DEMO_RACE)
    target = EXAMPLES[example].target
    summary = optimize_target(loaded, target, options, hooks)
    with open_store(runs_dir(loaded)) as store:
        texts = {v.hash: v.text for v in store.versions(target) if v.text}
    truth = {
        moment: target_truth(loaded=loaded, target_name=target, prompt=texts[digest]).pass_rates
        for moment, digest in (("start", summary.state.start_hash), ("final", summary.state.current_hash))
    }
    return DemoResult(repo=loaded.root, target=target, max_repeats=max_repeats,
                      summary=summary, truth=truth)


def main(*, directory: Path | None, iterations: int, max_repeats: int, jobs: int | None,
         json_output: bool, repeats: int | None = None, example: str = EXAMPLE_TARGET) -> int:
    if example not in EXAMPLES:
        raise FatalError(f"--example {example!r}: no such example (one of: {', '.join(EXAMPLES)})")
    loaded = prepare_demo(directory=directory, example=example)
    report.note(f"demo repo: {loaded.root}")
    result = run_demo(loaded=loaded, jobs=jobs, iterations=iterations, hooks=reporting_hooks(),
                      max_repeats=max_repeats, repeats=repeats, example=example)
    if json_output:
        report.print_json(report.demo_json(result))
    else:
        report.show_demo(result)
    return EXIT_OK
