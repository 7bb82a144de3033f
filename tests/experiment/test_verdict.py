"""The non-inferiority test, validated by simulation (the full figures: benchmarks/experiment.py)."""

from __future__ import annotations

import random

import pytest

from overseer.experiment.trials import promote_rate
from overseer.experiment.verdict import Experiment, look_verdict, verdict
from overseer.routing import Selector
from overseer.sim.fast import simulated_records
from overseer.tasks import load_task_set
from tests.helpers import REPO_ROOT

RATES = [random.Random(3).uniform(0.2, 0.9) for _ in range(30)]


@pytest.mark.parametrize("seeded", [True, False])
@pytest.mark.parametrize("delta", [-0.04, -0.02])
def test_a_setting_worse_by_the_margin_or_more_is_rarely_promoted(seeded: bool, delta: float) -> None:
    """Monitored after every round for 16 rounds: at most α (5%) of 400 trials, with room for the
    binomial spread of 400 trials (the bound holds for the true rate, not for each sample)."""
    share, _ = promote_rate(RATES, delta, trials=400, margin=0.02, alpha=0.05, seeded=seeded, seed=11)
    assert share <= 0.05 + 0.02


def test_a_setting_as_good_is_promoted_under_seeded_sampling() -> None:
    share, rounds = promote_rate(RATES, 0.0, trials=200, margin=0.02, alpha=0.05, seeded=True, seed=5)
    assert share >= 0.8 and rounds < 16


def _runs(model: str | None, tasks, repeats: int = 2):
    return simulated_records("Write the solution.", tasks, repeats, model=model)


def test_the_verdict_promotes_only_what_is_not_worse_and_cheaper() -> None:
    easy = [t for t in load_task_set(REPO_ROOT / "tasks" / "pyfuncs").tasks if t.complexity <= 2][:12]
    experiment = Experiment(selector=Selector(where="complexity<=2"), set={"model": "sim:cheap"}, holdout_tasks=0)
    strong, cheap = _runs("strong", easy), _runs("cheap", easy)
    # the same draws where the two models' rates agree: every pair equal
    assert [r.passed for r in strong] == [r.passed for r in cheap]
    assert look_verdict(strong, cheap, margin=0.2, alpha=0.05, objective="pass_rate", cheaper="cost",
                        first=True) == "not_worse"
    # the same model costs the same: not cheaper, stopped at the first look
    assert look_verdict(strong, _runs("strong", easy), margin=0.2, alpha=0.05, objective="pass_rate",
                        cheaper="cost", first=True) == "not_cheaper"
    done = verdict(experiment.model_copy(update={"margin": 0.2}), train_control=strong, train_changed=cheap,
                   holdout_control=[], holdout_changed=[], objective="pass_rate", max_infra_share=0.2)
    assert done.outcome == "promoted" and done.cost_after < done.cost_before
    # the plain sim reports no cost: never "cheaper"
    free = verdict(experiment, train_control=_runs(None, easy), train_changed=_runs(None, easy),
                   holdout_control=[], holdout_changed=[], objective="pass_rate", max_infra_share=0.2)
    assert free.outcome == "refused" and "report no cost" in free.criteria[2].note


def test_at_the_last_round_a_loss_beyond_the_margin_is_refused_and_a_small_one_unproven() -> None:
    easy = [t for t in load_task_set(REPO_ROOT / "tasks" / "pyfuncs").tasks if t.complexity <= 2][:2]
    experiment = Experiment(selector=Selector(where="complexity<=2"), set={"model": "sim:cheap"})
    control = _runs("strong", easy)
    changed = [r.model_copy(update={"passed": False}) if r.passed and i == 0 else r
               for i, r in enumerate(_runs("cheap", easy))]
    lost = verdict(experiment, train_control=control, train_changed=changed, holdout_control=[],
                   holdout_changed=[], objective="pass_rate", max_infra_share=0.2)
    assert control[0].passed and lost.difference == -0.25
    assert lost.outcome == "refused" and "beyond the margin" in lost.reason
    even = verdict(experiment, train_control=control, train_changed=_runs("cheap", easy), holdout_control=[],
                   holdout_changed=[], objective="pass_rate", max_infra_share=0.2)
    assert even.outcome == "unproven" and even.difference == 0.0
