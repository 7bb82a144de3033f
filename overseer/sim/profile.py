"""The simulator's profile: failure modes, their rates, and the phrases that move them."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from overseer.errors import FatalError
from overseer.sim.phrases import Vocabulary, phrase_found
from overseer.yamlfile import load_yaml_model

DEFAULT_PROFILE = Path(__file__).parent / "profiles" / "default.yaml"
PROFILE_ENV = "OVERSEER_SIM_PROFILE"
# The code writer's modes, then the text writer's (sim/text.py): a task gets those that apply to it.
ModeName = Literal["prose", "rename", "missing_import", "empty_input", "off_by_one", "slow",
                   "chatter", "fence", "label_case", "missing_field", "too_long", "refusal", "wrong_label"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Instruction(_Strict):
    factor: float = Field(gt=0)
    phrases: list[str] = Field(min_length=1)


class Mode(_Strict):
    description: str = ""
    base: float = Field(ge=0, le=1)
    mitigations: list[Instruction] = Field(default_factory=list)
    provocations: list[Instruction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _directions(self) -> Mode:
        if any(m.factor >= 1 for m in self.mitigations):
            raise ValueError("a mitigation's factor must be below 1")
        if any(p.factor <= 1 for p in self.provocations):
            raise ValueError("a provocation's factor must be above 1")
        return self


class Dilution(_Strict):
    free_words: int = Field(ge=0)
    halving_words: int = Field(gt=0)


class Price(_Strict):
    input_per_mtok: float = Field(0.0, ge=0, description="US dollars per million input tokens")
    output_per_mtok: float = Field(0.0, ge=0, description="US dollars per million output tokens")

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6


MODEL_NAME = r"^[a-z][a-z0-9_.-]{0,39}$"


class Model(_Strict):
    """A named model (``--model sim:NAME``): the profile's failure modes with each mode's base rate
    scaled by ``mode_factor`` (default 1), its own ``complexity_factor`` (default the profile's),
    and its token prices. Prompt instructions move its rates as they move the profile's."""

    description: str = ""
    mode_factor: dict[ModeName, float] = Field(default_factory=dict)
    complexity_factor: dict[int, float] | None = None
    price: Price = Field(default_factory=Price)

    @model_validator(mode="after")
    def _positive(self) -> Model:
        if any(f <= 0 for f in self.mode_factor.values()):
            raise ValueError("a model's mode_factor must be above 0")
        if any(f <= 0 for f in (self.complexity_factor or {}).values()):
            raise ValueError("a model's complexity_factor must be above 0")
        return self


class Profile(_Strict):
    schema_version: Literal[1]
    max_probability: float = Field(0.9, gt=0, le=1)
    # How a run's random draws are made: "fresh" from the prompt, task, repeat and seed (a model
    # that cannot be seeded: any change of the prompt redraws everything); "seeded" from the task,
    # repeat and seed only (a model called with OVERSEER_SEED as its sampling seed: an edit changes
    # only the outcomes its probability shift reaches); "deterministic" from the task only
    # (temperature 0: every repeat of a task is the same run, whatever the seed); "coupled" in
    # between: a share ``coupling`` of the (task, repeat, seed) runs draw as seeded, the others
    # fresh (what a real model showed on one-word answers: BENCHMARKS.md, "Seeds on a real model").
    sampling: Literal["fresh", "seeded", "coupled", "deterministic"] = "seeded"
    coupling: float = Field(0.5, ge=0, le=1)
    dilution: Dilution
    complexity_factor: dict[int, float]
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    modes: dict[ModeName, Mode] = Field(min_length=1)
    # `--model sim` is the modes above as they are, at no cost; `--model sim:NAME` one of these.
    models: dict[str, Model] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _model_names(self) -> Profile:
        bad = [name for name in self.models if not re.match(MODEL_NAME, name)]
        if bad:
            raise ValueError(f"model name {bad[0]!r} must match {MODEL_NAME}")
        return self


class CompiledProfile:
    """A profile with its phrases normalised once, ready to score prompts."""

    def __init__(self, profile: Profile, source: Path) -> None:
        self.profile = profile
        self.source = source
        try:
            self.vocabulary = Vocabulary(profile.synonyms)
            self._phrases = {
                (name, kind, i): [self.vocabulary.phrase(p) for p in instruction.phrases]
                for name, mode in profile.modes.items()
                for kind, instructions in (("m", mode.mitigations), ("p", mode.provocations))
                for i, instruction in enumerate(instructions)
            }
        except ValueError as exc:
            raise FatalError(f"{source}: {exc}") from None

    def model(self, name: str | None) -> Model:
        """The named model (None: the profile's own modes at no cost); one line if unknown."""
        if name is None:
            return Model()
        if name not in self.profile.models:
            known = ", ".join(f"sim:{m}" for m in self.profile.models) or "none"
            raise FatalError(f"{self.source}: no simulated model {name!r} (the profile defines: {known})")
        return self.profile.models[name]

    def dilution(self, prompt: str) -> float:
        """1.0 for a short prompt, halving every ``halving_words`` words beyond ``free_words``."""
        words = len(prompt.split())
        extra = max(0, words - self.profile.dilution.free_words)
        return float(0.5 ** (extra / self.profile.dilution.halving_words))

    def instruction_factors(self, prompt: str) -> dict[str, float]:
        """Per mode, the product of the (diluted) factors of the instructions found in ``prompt``."""
        sentences = self.vocabulary.sentences(prompt)
        strength = self.dilution(prompt)
        factors: dict[str, float] = {}
        for name, mode in self.profile.modes.items():
            factor = 1.0
            for kind, instructions in (("m", mode.mitigations), ("p", mode.provocations)):
                for i, instruction in enumerate(instructions):
                    if any(phrase_found(sentences, ph) for ph in self._phrases[(name, kind, i)]):
                        factor *= 1 + (instruction.factor - 1) * strength
            factors[name] = factor
        return factors


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> CompiledProfile:
    return CompiledProfile(load_yaml_model(path, Profile, "schema_version, dilution and modes"), path)


def load_profile(path: Path | None = None) -> CompiledProfile:
    """The profile at ``path``, else ``$OVERSEER_SIM_PROFILE``, else the shipped default."""
    chosen = path or (Path(os.environ[PROFILE_ENV]) if os.environ.get(PROFILE_ENV) else DEFAULT_PROFILE)
    chosen = chosen.resolve()
    try:
        mtime_ns = chosen.stat().st_mtime_ns
    except OSError as exc:
        raise FatalError(f"{chosen}: cannot read simulator profile: {exc.strerror}") from None
    return _load(chosen, mtime_ns)


def profile_with_sampling(directory: Path, sampling: str, coupling: float) -> Path:
    """A copy of the shipped profile in ``directory`` with its ``sampling`` (and ``coupling``)
    setting changed, for a benchmark's sampling axis: only the setting's line changes, not the
    comments that name it."""
    text = re.sub(r"(?m)^sampling: \w+$", f"sampling: {sampling}\ncoupling: {coupling}",
                  DEFAULT_PROFILE.read_text(encoding="utf-8"))
    path = directory / f"{sampling}-{coupling}.yaml"
    path.write_text(text, encoding="utf-8")
    return path
