"""The simulated model call, its mode probabilities, and the exact expected pass rate."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from overseer.sim.mutations import MODE_ORDER, Reference, applicable_modes, parse_reference, write_solution
from overseer.sim.profile import CompiledProfile, load_profile
from overseer.tasks import Task, load_task

MODEL_NAME = "sim"


@dataclass(frozen=True)
class SimReply:
    text: str
    modes: frozenset[str]
    input_tokens: int
    output_tokens: int

    def usage(self) -> dict[str, object]:
        return {"model": MODEL_NAME, "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens, "cost_usd": 0.0}


@lru_cache(maxsize=512)
def _reference(path: Path) -> tuple[Reference, frozenset[str]]:
    reference = parse_reference(path)
    return reference, applicable_modes(reference)


def mode_probabilities(prompt: str, task: Task, profile: CompiledProfile | None = None) -> dict[str, float]:
    """Probability of each failure mode that applies to ``task`` under ``prompt``."""
    profile = profile or load_profile()
    return dict(_mode_probabilities(prompt, task, profile))


@lru_cache(maxsize=4096)
def _mode_probabilities(prompt: str, task: Task, profile: CompiledProfile) -> dict[str, float]:
    _, modes = _reference(task.directory / "reference.py")
    factors = profile.instruction_factors(prompt)
    scale = profile.profile.complexity_factor.get(task.complexity, 1.0)
    cap = profile.profile.max_probability
    return {
        name: min(cap, mode.base * scale * factors[name])
        for name, mode in profile.profile.modes.items() if name in modes
    }


def pass_probability(prompt: str, task: Task, profile: CompiledProfile | None = None) -> float:
    probability = 1.0
    for p in mode_probabilities(prompt, task, profile).values():
        probability *= 1.0 - p
    return probability


def expected_pass_rate(prompt: str, tasks: Sequence[Task], profile: CompiledProfile | None = None) -> float:
    """The ground truth: the mean over tasks of the chance that no failure mode fires."""
    if not tasks:
        return 0.0
    return sum(pass_probability(prompt, task, profile) for task in tasks) / len(tasks)


def _rng(prompt: str, task_id: str, repeat: int, seed: int, sampling: str) -> random.Random:
    """The run's random draws; what they depend on is the profile's ``sampling``."""
    parts = {"fresh": [prompt, task_id, str(repeat), str(seed)],
             "seeded": ["seeded", task_id, str(repeat), str(seed)],
             "deterministic": ["deterministic", task_id]}[sampling]  # temperature 0: no seed matters
    key = "\0".join(parts).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


@lru_cache(maxsize=512)
def _task(task_dir: Path) -> Task:
    return load_task(task_dir)


def complete(prompt: str, task_dir: Path, repeat: int = 0, seed: int = 0,
             profile: CompiledProfile | None = None) -> SimReply:
    """What the simulated model replies to ``prompt`` for the task in ``task_dir``."""
    task = _task(task_dir)
    reference, _ = _reference(task.directory / "reference.py")
    profile = profile or load_profile()
    probabilities = mode_probabilities(prompt, task, profile)
    rng = _rng(prompt, task.id, repeat, seed, profile.profile.sampling)
    draws = {mode: rng.random() for mode in MODE_ORDER}
    fired = {mode for mode, p in probabilities.items() if draws[mode] < p}
    text = write_solution(reference, fired, rng)
    return SimReply(
        text=text,
        modes=frozenset(fired),
        input_tokens=round(1.3 * len((prompt + "\n" + task.spec).split())),
        output_tokens=max(1, len(text) // 4),
    )
