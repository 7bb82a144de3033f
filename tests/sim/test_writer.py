from __future__ import annotations

import dataclasses
import random
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.process import run_process
from overseer.sim import complete, expected_pass_rate, mode_probabilities
from overseer.sim.mutations import parse_reference, write_solution
from overseer.sim.profile import DEFAULT_PROFILE, CompiledProfile, load_profile
from overseer.tasks import Task
from tests.sim.example import START_PROMPT, task_named


def test_instructions_move_probabilities(tasks: list[Task]) -> None:
    task = task_named(tasks, "merge_intervals")
    neutral = mode_probabilities("Write the solution.", task)
    mitigated = mode_probabilities("Write the solution. Output only the code, no markdown.", task)
    provoked = mode_probabilities("Write the solution. Explain your approach first.", task)
    assert mitigated["prose"] < neutral["prose"] < provoked["prose"]
    assert mitigated["rename"] == neutral["rename"]
    padding = " ".join(["filler"] * 600)
    diluted = mode_probabilities(f"Output only the code, no markdown.\n{padding}", task)
    assert mitigated["prose"] < diluted["prose"] < neutral["prose"]
    assert set(neutral) == {"prose", "rename", "slow", "empty_input", "off_by_one"}

def _sampling(tmp_path: Path, mode: str) -> CompiledProfile:
    path = tmp_path / f"{mode}.yaml"
    path.write_text(DEFAULT_PROFILE.read_text().replace("sampling: seeded", f"sampling: {mode}"))
    return load_profile(path)

def test_sampling_fresh_seeded_and_deterministic(tasks: list[Task], tmp_path: Path) -> None:
    """fresh: a changed prompt redraws everything; seeded (the default): draws depend on task,
    repeat and seed only, so an edit changes only the outcomes its probability shift reaches;
    deterministic: every repeat of a task is the same run."""
    task = task_named(tasks, "parse_duration")
    fresh, seeded, fixed = (_sampling(tmp_path, m) for m in ("fresh", "seeded", "deterministic"))
    assert load_profile().profile.sampling == "seeded"
    first = [complete(START_PROMPT, task.directory, repeat=r, profile=fresh).text for r in range(20)]
    assert first == [complete(START_PROMPT, task.directory, repeat=r, profile=fresh).text for r in range(20)]
    other = [complete(START_PROMPT + " ", task.directory, repeat=r, profile=fresh).text for r in range(20)]
    assert first != other  # a changed prompt draws fresh noise
    mitigated = START_PROMPT + "\nOutput only the code, no markdown.\n"  # lowers "prose" only
    before = [complete(START_PROMPT, task.directory, repeat=r, profile=seeded).modes for r in range(200)]
    after = [complete(mitigated, task.directory, repeat=r, profile=seeded).modes for r in range(200)]
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed and all(a == b - {"prose"} for b, a in changed)  # only prose, only removed
    assert sum(b != a for b, a in zip(
        before, [complete(mitigated, task.directory, repeat=r, profile=fresh).modes for r in range(200)],
        strict=True)) > 2 * len(changed)  # fresh draws disagree far more often
    repeats = {complete(START_PROMPT, task.directory, repeat=r, seed=5, profile=fixed).text for r in range(10)}
    assert len(repeats) == 1
    reply = complete(START_PROMPT, task.directory, repeat=0)
    assert reply.usage()["model"] == "sim" and reply.input_tokens > 100 and reply.output_tokens > 10

def _passes(task: Task, modes: frozenset[str], timeout_s: float | None = None) -> bool:
    # Limits are CPU seconds. A slow reply loops 10**12 times before it answers: it fails however
    # long it is given, so it gets 0.3 s (pytest itself starts in about 0.2); the others get three.
    timeout_s = timeout_s or (0.3 if "slow" in modes else 3.0)
    reference = parse_reference(task.directory / "reference.py")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "solution.py").write_text(write_solution(reference, set(modes), random.Random(0)))
        shutil.copytree(task.tests_dir, work / "tests")
        result = run_process(f"{sys.executable} -m pytest -q -p no:cacheprovider tests", cwd=work,
                             env={"PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
                             timeout_s=timeout_s, clock="cpu",
                             stdout_path=work / "o", stderr_path=work / "e", output_cap=100_000)
    if result.timed_out and "slow" not in modes and timeout_s < 60:
        return _passes(task, modes, 60.0)  # a busy machine, not the mode: judge it again, patiently
    return result.exit_code == 0

def test_ground_truth_agrees_with_a_large_judged_sample(tasks: list[Task]) -> None:
    """2,500 sampled replies, each judged by really running the task's tests on what it fired."""
    chosen = [t for t in tasks if t.id in {
        "merge_intervals", "parse_duration", "percentile", "chunk", "slugify", "median",
        "spiral_order", "is_prime", "reverse_words", "from_roman"}]
    # The slow mode costs a timeout per judged variant; this prompt keeps it rare.
    prompt = START_PROMPT.replace(
        "- Prefer the simplest brute-force approach; readability matters more than speed here.\n", "")
    samples = [(task, complete(prompt, task.directory, repeat=r).modes)
               for task in chosen for r in range(250)]
    variants = sorted({(task.id, modes) for task, modes in samples}, key=str)
    by_id = {t.id: t for t in chosen}
    with ThreadPoolExecutor(max_workers=4) as pool:
        judged = dict(zip(variants, pool.map(lambda v: _passes(by_id[v[0]], v[1]), variants), strict=False))
    sampled = sum(judged[(task.id, modes)] for task, modes in samples) / len(samples)
    truth = expected_pass_rate(prompt, chosen)
    assert abs(sampled - truth) <= 0.03, (sampled, truth)
    assert judged[next(v for v in variants if not v[1])]  # the clean reply passes

def test_named_models_have_their_own_rates_and_prices(tasks: list[Task]) -> None:
    """The default profile's cheap model is the strong one on simple tasks, worse from complexity 4,
    and a sixteenth of the price; plain `sim` costs nothing."""
    easy = task_named(tasks, "slugify")
    hard = dataclasses.replace(easy, complexity=4)
    assert mode_probabilities(START_PROMPT, easy, model="cheap") == mode_probabilities(START_PROMPT, easy,
                                                                                       model="strong")
    assert expected_pass_rate(START_PROMPT, [hard], model="cheap") < \
        expected_pass_rate(START_PROMPT, [hard], model="strong") - 0.1
    strong = complete(START_PROMPT, easy.directory, repeat=1, model="strong")
    cheap = complete(START_PROMPT, easy.directory, repeat=1, model="cheap")
    assert strong.modes == cheap.modes   # seeded: the same draws where the rates agree
    assert cheap.usage()["model"] == "sim:cheap" and 0 < cheap.cost_usd < strong.cost_usd / 10
    assert complete(START_PROMPT, easy.directory, repeat=1).usage()["cost_usd"] == 0.0
    with pytest.raises(FatalError, match=r"no simulated model 'tiny' \(the profile defines: sim:strong, sim:cheap\)"):
        complete(START_PROMPT, easy.directory, model="tiny")
