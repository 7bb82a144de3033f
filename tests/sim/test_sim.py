from __future__ import annotations

import dataclasses
import random
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from overseer.config import PromptLocation
from overseer.errors import FatalError
from overseer.process import run_process
from overseer.prompts import read_prompt
from overseer.sim import complete, expected_pass_rate, mode_probabilities
from overseer.sim.calibrate import calibrate
from overseer.sim.mutations import parse_reference, write_solution
from overseer.sim.phrases import Vocabulary, phrase_found
from overseer.sim.profile import DEFAULT_PROFILE, CompiledProfile, load_profile
from overseer.tasks import Task, load_task_set
from tests.helpers import REPO_ROOT

EXAMPLE_SET = REPO_ROOT / "tasks" / "pyfuncs"
START_PROMPT = read_prompt(REPO_ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))


@pytest.fixture(scope="module")
def tasks() -> list[Task]:
    return list(load_task_set(EXAMPLE_SET).tasks)


def _task(tasks: list[Task], task_id: str) -> Task:
    return next(t for t in tasks if t.id == task_id)


@pytest.mark.parametrize("prompt, phrase, found", [
    ("Output ONLY the code.", "only code", True),
    ("Reply with code only, please", "code only", True),
    ("Begin by explaining your reasoning.", "explain reason", True),
    ("Give an explanation of the approach first", "explain approach", True),
    ("Do not explain your approach.", "explain approach", False),
    ("Never explain the approach", "explain approach", False),
    ("Explain nothing. The approach is up to you.", "explain approach", False),
    ("Handle edge cases such as empty lists.", "edge case", True),
    ("Don't worry about edge cases.", "edge case", False),
    ("Don't worry about edge cases.", "not worry edge case", True),
    ("Avoid brute-force solutions.", "brute force", False),
    ("Keep the function names exactly as specified.", "keep name", True),
])
def test_phrases_match_word_forms_synonyms_and_negation(prompt: str, phrase: str, found: bool) -> None:
    vocabulary = load_profile().vocabulary
    assert phrase_found(vocabulary.sentences(prompt), vocabulary.phrase(phrase)) is found


def test_synonym_must_be_one_word() -> None:
    with pytest.raises(ValueError, match="must be one word"):
        Vocabulary({"code": ["source code"]})


def test_instructions_move_probabilities(tasks: list[Task]) -> None:
    task = _task(tasks, "merge_intervals")
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
    task = _task(tasks, "parse_duration")
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


def test_mutations_look_like_the_failures_they_model(tasks: list[Task]) -> None:
    reference = parse_reference(_task(tasks, "parse_duration").directory / "reference.py")
    rng = random.Random(0)
    clean = write_solution(reference, set(), rng)
    assert "import re" in clean and "def parse_duration" in clean
    assert "import re" not in write_solution(reference, {"missing_import"}, rng)
    assert "def parseDuration" in write_solution(reference, {"rename"}, rng)
    assert "if not text" not in write_solution(reference, {"empty_input"}, rng)
    assert "range(10" in write_solution(reference, {"slow"}, rng)
    prose = write_solution(reference, {"prose"}, rng)
    assert "```python" in prose and not prose.startswith("import")


def test_profile_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tasks: list[Task]) -> None:
    custom = tmp_path / "profile.yaml"
    custom.write_text(DEFAULT_PROFILE.read_text().replace("base: 0.12", "base: 0.8", 1))
    monkeypatch.setenv("OVERSEER_SIM_PROFILE", str(custom))
    assert mode_probabilities("Write it.", _task(tasks, "slugify"))["prose"] == pytest.approx(0.6)
    custom.write_text(DEFAULT_PROFILE.read_text().replace("base: 0.12", "base: 1.5", 1))
    with pytest.raises(FatalError, match=rf"{custom}: modes.prose.base"):
        mode_probabilities("Write it.", _task(tasks, "slugify"))


def test_example_set_suits_the_simulator(tasks: list[Task]) -> None:
    bad = [c for c in calibrate(tasks) if not c.ok]
    assert bad == []
    assert len(tasks) >= 40


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
    easy = _task(tasks, "slugify")
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
