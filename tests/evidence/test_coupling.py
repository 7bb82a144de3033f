"""The coupling estimate tells the simulator's sampling modes apart from their runs alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.evidence.coupling import Coupling, coupling
from overseer.sim.fast import simulated_records
from overseer.sim.profile import DEFAULT_PROFILE
from overseer.tasks import load_task_set
from tests.helpers import REPO_ROOT, make_run
from tests.sim.example import START_PROMPT

# An edit that changes one failure mode's rate (prose) and nothing else.
EDITED = START_PROMPT + "\nOutput only the code, no markdown.\n"


def _profile(tmp_path: Path, sampling: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"{sampling}.yaml"
    path.write_text(DEFAULT_PROFILE.read_text().replace("sampling: seeded", f"sampling: {sampling}"))
    monkeypatch.setenv("OVERSEER_SIM_PROFILE", str(path))


@pytest.mark.parametrize("sampling, low, high", [("seeded", 0.75, 1.0), ("fresh", 0.0, 0.3),
                                                 ("coupled", 0.3, 0.7)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seeded_half_coupled_and_fresh_sampling_are_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  sampling: str, low: float, high: float, seed: int) -> None:
    _profile(tmp_path, sampling, monkeypatch)
    tasks = load_task_set(REPO_ROOT / "tasks" / "pyfuncs").tasks
    measured = coupling(simulated_records(START_PROMPT, tasks, 8, seed), simulated_records(EDITED, tasks, 8, seed))
    assert measured is not None and measured.pairs == 8 * len(tasks)
    assert low <= measured.strength <= high, measured
    assert not measured.deterministic


def test_a_deterministic_command_is_named_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _profile(tmp_path, "deterministic", monkeypatch)
    tasks = load_task_set(REPO_ROOT / "tasks" / "pyfuncs").tasks[:10]
    measured = coupling(simulated_records(START_PROMPT, tasks, 3), simulated_records(START_PROMPT, tasks, 3))
    assert measured is not None and measured.deterministic and "deterministic" in measured.describe()


def test_the_figures_and_their_words() -> None:
    half = Coupling(same_seed=0.80, other_seed=0.58, pairs=96)   # the real model's (BENCHMARKS.md)
    assert half.strength == pytest.approx(0.5238, abs=1e-4)
    assert Coupling(0.80, 0.58, 96, possible=0.85).strength == pytest.approx(0.8148, abs=1e-4)
    assert half.describe() == ("runs at the same seed agree 80% of the time, 58% at other seeds (96 pairs): "
                               "the seed couples runs partly (coupling 0.52)")
    assert Coupling(0.6, 0.7, 10).strength == 0.0
    before = [make_run("a", True, repeat=0)]
    assert coupling(before, before) is None      # one repeat: no other seed to compare with
