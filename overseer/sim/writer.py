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
from overseer.sim.text import (
    TEXT_ORDER,
    applicable_text_modes,
    is_text_task,
    load_reference,
    text_pass_probability,
    write_text,
)
from overseer.tasks import Task, load_task

MODEL_NAME = "sim"


def model_name(value: str) -> str | None:
    """The simulated model a ``model`` setting names: ``sim`` is the profile's own modes (None),
    ``sim:NAME`` one of its named models; anything else is not the simulator (ValueError)."""
    provider, colon, name = value.partition(":")
    if provider != MODEL_NAME or (colon and not name):
        raise ValueError(f"{value!r} is not a simulated model (sim or sim:NAME)")
    return name or None


@dataclass(frozen=True)
class SimReply:
    text: str
    modes: frozenset[str]
    input_tokens: int
    output_tokens: int
    model: str | None = None
    cost_usd: float = 0.0

    def usage(self) -> dict[str, object]:
        return {"model": MODEL_NAME if self.model is None else f"{MODEL_NAME}:{self.model}",
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "cost_usd": round(self.cost_usd, 8)}


@lru_cache(maxsize=512)
def _reference(path: Path) -> tuple[Reference, frozenset[str]]:
    reference = parse_reference(path)
    return reference, applicable_modes(reference)


def _modes(task: Task) -> frozenset[str]:
    """The failure modes that may fire on ``task``: the code writer's for a task with a
    reference.py, the text writer's for a promptfoo case."""
    if is_text_task(task.directory):
        return applicable_text_modes(load_reference(task.directory))
    return _reference(task.directory / "reference.py")[1]


def mode_probabilities(prompt: str, task: Task, profile: CompiledProfile | None = None,
                       model: str | None = None) -> dict[str, float]:
    """Probability of each failure mode that applies to ``task`` under ``prompt`` (for the named
    ``model`` of the profile, or its own modes)."""
    profile = profile or load_profile()
    return dict(_mode_probabilities(prompt, task, profile, model))


@lru_cache(maxsize=4096)
def _mode_probabilities(prompt: str, task: Task, profile: CompiledProfile,
                        model: str | None) -> dict[str, float]:
    modes = _modes(task)
    factors = profile.instruction_factors(prompt)
    spec = profile.model(model)
    complexity = spec.complexity_factor or profile.profile.complexity_factor
    scale = complexity.get(task.complexity, 1.0)
    cap = profile.profile.max_probability
    return {
        name: min(cap, mode.base * spec.mode_factor.get(name, 1.0) * scale * factors[name])
        for name, mode in profile.profile.modes.items() if name in modes
    }


def pass_probability(prompt: str, task: Task, profile: CompiledProfile | None = None,
                     model: str | None = None) -> float:
    if is_text_task(task.directory):
        return text_pass_probability(load_reference(task.directory),
                                     mode_probabilities(prompt, task, profile, model))
    probability = 1.0
    for p in mode_probabilities(prompt, task, profile, model).values():
        probability *= 1.0 - p
    return probability


def expected_pass_rate(prompt: str, tasks: Sequence[Task], profile: CompiledProfile | None = None,
                       model: str | None = None) -> float:
    """The ground truth: the mean over tasks of the chance that no failure mode fires."""
    if not tasks:
        return 0.0
    return sum(pass_probability(prompt, task, profile, model) for task in tasks) / len(tasks)


def expected_cost(prompt: str, task: Task, profile: CompiledProfile | None = None,
                  model: str | None = None) -> float:
    """A run's cost in US dollars: its input tokens and (as if it passed) the reference's length."""
    profile = profile or load_profile()
    return profile.model(model).price.cost(_input_tokens(prompt, task), _reference_tokens(task.directory))


@lru_cache(maxsize=512)
def _reference_tokens(task_dir: Path) -> int:
    if is_text_task(task_dir):
        return max(1, len(write_text(load_reference(task_dir), ())) // 4)
    return max(1, len((task_dir / "reference.py").read_text(encoding="utf-8")) // 4)


def _input_tokens(prompt: str, task: Task) -> int:
    return round(1.3 * len((prompt + "\n" + task.spec).split()))


def _rng(prompt: str, task_id: str, repeat: int, seed: int, sampling: str,
         model: str | None = None, coupling: float = 0.0) -> random.Random:
    """The run's random draws; what they depend on is the profile's ``sampling``. Seeded, two
    models given the same seed draw alike (so where their rates agree they fail alike: the best
    case for a paired comparison); fresh, each model draws its own; coupled, a share ``coupling``
    of the (task, repeat, seed) runs draw as seeded, chosen by a coin that ignores the prompt."""
    if sampling == "coupled":
        coin = hashlib.sha256(f"couple\0{task_id}\0{repeat}\0{seed}".encode()).digest()
        sampling = "seeded" if int.from_bytes(coin[:8], "big") / 2 ** 64 < coupling else "fresh"
    parts = {"fresh": [prompt, task_id, str(repeat), str(seed)] + ([model] if model else []),
             "seeded": ["seeded", task_id, str(repeat), str(seed)],
             "deterministic": ["deterministic", task_id]}[sampling]  # temperature 0: no seed matters
    key = "\0".join(parts).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


@lru_cache(maxsize=512)
def _task(task_dir: Path) -> Task:
    return load_task(task_dir)


def complete(prompt: str, task_dir: Path, repeat: int = 0, seed: int = 0,
             profile: CompiledProfile | None = None, model: str | None = None) -> SimReply:
    """What the simulated ``model`` (a name in the profile's models, or None for its own modes)
    replies to ``prompt`` for the task in ``task_dir``."""
    task = _task(task_dir)
    profile = profile or load_profile()
    probabilities = mode_probabilities(prompt, task, profile, model)
    rng = _rng(prompt, task.id, repeat, seed, profile.profile.sampling, model, profile.profile.coupling)
    text_task = is_text_task(task.directory)
    draws = {mode: rng.random() for mode in (TEXT_ORDER if text_task else MODE_ORDER)}
    fired = {mode for mode, p in probabilities.items() if draws[mode] < p}
    if text_task:
        text = write_text(load_reference(task.directory), fired)
    else:
        text = write_solution(_reference(task.directory / "reference.py")[0], fired, rng)
    input_tokens, output_tokens = _input_tokens(prompt, task), max(1, len(text) // 4)
    return SimReply(text=text, modes=frozenset(fired), input_tokens=input_tokens,
                    output_tokens=output_tokens, model=model,
                    cost_usd=profile.model(model).price.cost(input_tokens, output_tokens))
