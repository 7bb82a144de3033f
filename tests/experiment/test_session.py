"""What an experiment compares, checked before anything runs. (Whole experiments, with their runs,
promotion, kills and reverts: tests/commands/test_experiment.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.errors import FatalError
from overseer.experiment.session import ExperimentOptions, band_of, read_experiments, rule_index
from overseer.routing import Route, Selector
from tests.helpers import git


@pytest.fixture
def project(loop_project: Path) -> Path:
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().replace("    repeats: 1\n", "    repeats: 1\n    settings: {model: strong}\n"))
    git(loop_project, "commit", "-qam", "a setting")
    return loop_project


def test_the_band_is_the_selected_tasks_with_the_rule_applied(project: Path) -> None:
    loaded = load_config(project / "overseer.yaml")
    band = band_of(loaded, "toy", ExperimentOptions(changes={"model": "cheap"}, selector=Selector(where="complexity<=3")))
    assert len(band.train) == 8 and band.before == {"model": ["strong"]}
    task = band.train.tasks[0]
    assert band.current.settings_for(task) == {"model": "strong"}
    assert band.changed.settings_for(task) == {"model": "cheap"}
    assert read_experiments(project / "runs" / "toy") == []


@pytest.mark.parametrize("changes, selector, message", [
    ({"temperature": 0}, Selector(where="complexity<=3"), "--set temperature: not a setting of targets.toy"),
    ({"model": "cheap"}, Selector(where="complexity>=5"), "matches no train task"),
    ({"model": "strong"}, Selector(where="complexity<=3"), "the band already runs with these settings"),
])
def test_an_experiment_that_could_prove_nothing_is_refused_before_any_run(
        project: Path, changes: dict, selector: Selector, message: str) -> None:
    with pytest.raises(FatalError, match=message):
        band_of(load_config(project / "overseer.yaml"), "toy", ExperimentOptions(changes=changes, selector=selector))


def test_a_rule_is_named_by_its_number(project: Path) -> None:
    target = load_config(project / "overseer.yaml").target("toy")
    routed = target.model_copy(update={"routing": [Route(tag="a", set={"model": "cheap"})]})
    assert rule_index(routed, "1", "toy") == 0
    with pytest.raises(FatalError, match=r"--revert 2: no such routing rule in targets\.toy \(rules: 1: "):
        rule_index(routed, "2", "toy")
