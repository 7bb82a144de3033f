"""A deterministic command (the simulator's model of temperature 0): once both prompts gave every
task the same outcome in every repeat, no more repeats are run, and the decision says that the
number of tasks is what limits the evidence."""

from __future__ import annotations

import json
from pathlib import Path

from overseer.sim.profile import DEFAULT_PROFILE
from overseer.store import open_store
from tests.helpers import overseer
from tests.optimize.test_load import small_demo


def test_a_deterministic_command_gets_no_repeat_beyond_the_one_that_shows_agreement(tmp_path: Path) -> None:
    profile = tmp_path / "temperature-0.yaml"
    profile.write_text(DEFAULT_PROFILE.read_text().replace("sampling: seeded", "sampling: deterministic"))
    root = small_demo(tmp_path / "demo")  # repeats 1: the second round is the first that can show agreement
    result = overseer("optimize", "codewriter", "--iterations", "2", "--max-repeats", "8", "--json",
                      cwd=root, env={"OVERSEER_SIM_PROFILE": str(profile)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["iterations"]
    with open_store(root / "runs") as store:
        decisions = [d for d in store.decisions("codewriter") if d.criteria and d.repeats]
    assert decisions
    assert all(d.repeats is not None and d.repeats <= 2 for d in decisions)  # never a third round
    agreed = [d for d in decisions if d.repeats == 2]  # a first round cannot show agreement
    assert agreed
    for decision in agreed:
        p_value = next(c for c in decision.criteria if c.name == "p-value")
        assert "the evidence is limited by the number of tasks (6)" in p_value.note, p_value.note
