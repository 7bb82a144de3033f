"""``overseer demo``: a self-contained git repo with the example target, evaluated offline."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import git

from overseer.commands.init import EXAMPLE_TARGET, scaffold
from overseer.commands.sim import target_truth
from overseer.config import LoadedConfig, load_config
from overseer.errors import FatalError
from overseer.optimize import Hooks, OptimizeOptions, Optimizer

DEMO_GITIGNORE = "runs/\n__pycache__/\n*.pyc\n"


def demo_directory(requested: Path | None) -> Path:
    if requested is None:
        return Path(tempfile.mkdtemp(prefix="overseer-demo-"))
    if requested.exists() and (not requested.is_dir() or any(requested.iterdir())):
        raise FatalError(f"{requested}: not an empty directory; the demo builds its repo in a new one")
    return requested.resolve()


def build_demo_repo(directory: Path) -> None:
    """A git repo holding overseer.yaml, the example command and its tasks, in one commit."""
    scaffold(directory)
    (directory / ".gitignore").write_text(DEMO_GITIGNORE, encoding="utf-8")
    repo = git.Repo.init(directory)
    with repo.config_writer() as config:
        config.set_value("user", "name", "overseer demo")
        config.set_value("user", "email", "demo@overseer.invalid")
    repo.git.add(A=True)
    repo.index.commit("codewriter with its original prompt")
    repo.close()


DEMO_ITERATIONS = 3
# A promising candidate escalates to at most this many repeats in the demo (optimize's default is
# accept.max_repeats = 16): the demo's first good edit is large (+16 points), which 4 repeats prove,
# and the whole demo stays near 4 minutes instead of 14 on 2 cores.
DEMO_MAX_REPEATS = 4


def prepare_demo(*, directory: Path | None) -> LoadedConfig:
    root = demo_directory(directory)
    build_demo_repo(root)
    return load_config(root / "overseer.yaml")


def run_demo(*, loaded: LoadedConfig, jobs: int | None, iterations: int, hooks: Hooks,
             max_repeats: int = DEMO_MAX_REPEATS) -> dict[str, Any]:
    """The whole loop on the example, offline: baseline, a few iterations with the rules proposer
    and the simulator, commits in the demo repo; the simulator's ground truth before and after."""
    optimizer = Optimizer(loaded, EXAMPLE_TARGET, OptimizeOptions(iterations=iterations, jobs=jobs,
                                                                          max_repeats=max_repeats),
                          hooks)
    summary = optimizer.run().to_dict()
    versions = {v.hash: v.text for v in optimizer.targetlog.versions() if v.text}
    truth = {
        moment: target_truth(loaded=loaded, target_name=EXAMPLE_TARGET, prompt=versions[digest]).pass_rates
        for moment, digest in (("start", summary["start_hash"]), ("final", summary["final_hash"]))
    }
    return {
        "repo": str(loaded.root),
        "target": EXAMPLE_TARGET,
        "max_repeats": max_repeats,
        **{k: summary[k] for k in ("session", "accepted", "rejected", "runs_used", "stop_reason",
                                   "commits", "iterations")},
        "baseline": {**summary["baseline"], "pass_rate": summary["baseline"]["train"]["pass_rate"]},
        "final": {**summary["final"], "pass_rate": summary["final"]["train"]["pass_rate"]},
        "truth": truth,
        "jsonl": [summary["jsonl"]],
    }
