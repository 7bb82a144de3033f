"""``overseer demo``: a self-contained git repo with the example target, evaluated offline."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import git

from overseer.commands.init import EXAMPLE_TARGET, scaffold
from overseer.commands.run import RunOutcome, RunPlan, plan_run
from overseer.commands.sim import target_truth
from overseer.config import load_config
from overseer.errors import FatalError

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


def prepare_demo(*, directory: Path | None, jobs: int | None) -> RunPlan:
    root = demo_directory(directory)
    build_demo_repo(root)
    loaded = load_config(root / "overseer.yaml")
    return plan_run(loaded=loaded, target_name=EXAMPLE_TARGET, which="all", jobs=jobs)


def demo_summary(plan: RunPlan, outcome: RunOutcome) -> dict[str, Any]:
    truth = target_truth(loaded=plan.loaded, target_name=plan.target_name,
                         prompt=plan.prompt_text)
    return {
        "repo": str(plan.loaded.root),
        "target": plan.target_name,
        "session": outcome.session_id,
        "baseline": {
            **outcome.evaluation.summary.to_dict(),
            **{name: s.to_dict() for name, s in outcome.by_split.items()},
        },
        "truth": {"start": truth.pass_rates, "modes": truth.mode_means},
        "jsonl": [str(outcome.evaluation.log_path)],
        "warnings": outcome.warnings,
    }
