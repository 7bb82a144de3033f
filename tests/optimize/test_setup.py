from __future__ import annotations

from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.errors import FatalError
from overseer.optimize.options import OptimizeOptions
from overseer.optimize.setup import make_proposer, make_setup
from overseer.proposers.llm import LLMProposer
from overseer.proposers.rules import RulesProposer
from tests.helpers import git


def test_the_setup_applies_the_options_over_the_target(loop_project: Path) -> None:
    loaded = load_config(loop_project / "overseer.yaml")
    setup = make_setup(loaded, "toy", OptimizeOptions(max_repeats=6, jobs=3, race=2))
    assert (setup.accept.max_repeats, setup.jobs, setup.race) == (6, 3, 2)
    assert len(setup.train) + len(setup.holdout) == 10 and setup.repo is not None
    assert setup.directory == loop_project / "runs" / "toy"
    assert setup.prompt_path == loop_project / "prompts" / "system.md"
    assert isinstance(make_proposer(loaded, setup.target, "toy"), LLMProposer)


def test_a_train_set_that_can_never_prove_an_edit_is_refused(loop_project: Path) -> None:
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().replace("accept: {", "accept: {alpha: 0.0001, "))
    git(loop_project, "commit", "-qam", "tiny alpha")
    with pytest.raises(FatalError, match=r"8 train tasks can never prove an edit in 1 repeats"):
        make_setup(load_config(config), "toy", OptimizeOptions())


def test_the_rules_proposer_needs_no_model(loop_project: Path) -> None:
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().split("    proposer:")[0])
    assert isinstance(make_proposer(load_config(config), load_config(config).target("toy")), RulesProposer)
