from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.commands.demo import build_demo_repo
from overseer.commands.sim import truth_for_prompt
from overseer.sim import expected_pass_rate
from overseer.tasks import load_task_set, split_holdout
from tests.helpers import REPO_ROOT, overseer
from tests.sim.example import START_PROMPT


def test_the_truth_is_the_simulators_expected_pass_rate_per_split_and_band() -> None:
    train, holdout = split_holdout(load_task_set(REPO_ROOT / "tasks" / "pyfuncs"), 0.25)
    truth = truth_for_prompt(START_PROMPT, {"train": train, "holdout": holdout})
    assert truth.pass_rates["train"] == pytest.approx(expected_pass_rate(START_PROMPT, train.tasks))
    assert set(truth.mode_means) >= {"prose", "rename"} and all(0 <= p <= 1 for p in truth.mode_means.values())
    some_band = next(iter(truth.bands.values()))
    assert {"current", "sim", "sim:cheap", "sim:strong"} <= set(some_band)


def test_sim_truth_on_the_demo_repo(tmp_path: Path) -> None:
    build_demo_repo(tmp_path)
    result = overseer("sim", "truth", "--target", "codewriter", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["target"] == "codewriter" and 0 < facts["pass_rate"]["train"] < 1
