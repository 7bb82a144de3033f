"""How a target's candidates are judged, as the user configures it: the objective (what a run is
worth) and ``accept:`` (the acceptance rule's thresholds). Part of ``overseer.yaml``; apart from
config.py so that the statistics (evidence/) and the rule (decide.py) import only these."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Measure = Literal["pass_rate", "mean_score"]


class Weight(_Strict):
    """What spending costs in the objective: ``weight`` of the score at ``scale`` or more."""

    weight: float = Field(gt=0, le=0.5)
    scale: float = Field(gt=0, description=(
        "the amount per run that costs the whole weight; less costs its share, more costs no more"))


class WeightedObjective(_Strict):
    """A run's value: (1 - the weights) x its quality (passed, or its score) plus, for each
    weighted resource, weight x (1 - min(1, amount / scale)): between 0 and 1, higher when the run
    passes and when it spends less. A run that reports no usage gets no credit for it (its
    amount is taken as the scale). Run time is not offered: on a loaded machine it measures the
    machine, and decisions must not change with the load."""

    measure: Measure = "pass_rate"
    tokens: Weight | None = None      # input + output tokens from the usage file
    cost_usd: Weight | None = None    # US dollars from the usage file

    @model_validator(mode="after")
    def _total(self) -> WeightedObjective:
        if self.total() > 0.5:
            raise ValueError("the weights must add up to at most 0.5: the quality of a run stays at "
                             "least half of its value")
        return self

    def weights(self) -> list[tuple[str, Weight]]:
        return [(name, w) for name, w in (("tokens", self.tokens), ("cost_usd", self.cost_usd)) if w]

    def total(self) -> float:
        return sum(w.weight for _, w in self.weights())

    def value(self, quality: float, amounts: dict[str, float | None]) -> float:
        spent = sum(w.weight * (1 - min(1.0, (w.scale if (a := amounts.get(name)) is None else a) / w.scale))
                    for name, w in self.weights())
        return (1 - self.total()) * quality + spent


def _objective_kind(value: Any) -> str:
    return "measure" if isinstance(value, str) else "weighted"


# A name, or a mapping of weights; the discriminator makes an error name the branch that was meant.
Objective = Annotated[Annotated[Measure, Tag("measure")] | Annotated[WeightedObjective, Tag("weighted")],
                      Discriminator(_objective_kind)]


class Thresholds(_Strict):
    """The acceptance rule's settings; ``accept:`` in a target's config."""

    min_gain: float = Field(0.03, ge=0, le=1, description="mean paired gain on train, absolute")
    alpha: float = Field(0.05, gt=0, lt=1, description=(
        "the chance of keeping an edit whose true train gain is <= 0, however often it is looked at"))
    max_repeats: int | None = Field(
        16, ge=1, le=100,
        description="a promising candidate gets one more repeat per look up to this (null: never more than repeats)")
    futility_gain: float = Field(0.0, ge=-1, le=1, description=(
        "stop a candidate whose mean paired gain so far is at most this (the betting test also "
        "stops one whose confidence sequence is below min_gain)"))
    holdout_tolerance: float = Field(0.0, ge=0, le=1, description="allowed holdout loss")
    max_token_increase: float | None = Field(0.2, ge=0, description="tokens per run, relative")
    max_time_increase: float | None = Field(0.2, ge=0, description="median run time, relative")
    time_noise_s: float = Field(0.5, ge=0, description="a slower median below this is noise")
    time_pairs: int = Field(8, ge=0, le=200, description=(
        "run times are compared only between runs made side by side, in one batch; when a kept "
        "candidate's comparison has fewer such pairs, both prompts run again side by side on "
        "this many (0: never; under 5 the time criterion cannot fail)"))
    screen_tasks: int = Field(8, ge=0, description="minibatch size for screening (0: no screen)")
    screen_alpha: float = Field(0.1, gt=0, lt=1, description="drop when clearly worse on the minibatch")
    design: Literal["auto", "paired", "measured"] = Field("paired", description=(
        "how a candidate is compared with its parent: paired (both run at the same seeds, each "
        "task's difference tested: cheap when the model uses the seed), measured (the candidate at "
        "seeds of its own against the parent's runs accumulated over the session: cheap when it "
        "does not), or auto (paired once the screen's runs show the seed couples the two prompts' "
        "runs, else measured)"))

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        if isinstance(data, dict) and "futility_p" in data:
            raise ValueError("futility_p is gone: the betting test has no p-value per look to stop "
                             "on; use futility_gain (stop when the gain so far is at most this)")
        return data
