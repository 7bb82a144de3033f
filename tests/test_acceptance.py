from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from overseer.acceptance import Objective, Thresholds, Weight, WeightedObjective


def test_a_weighted_value_stays_between_0_and_1() -> None:
    objective = WeightedObjective(tokens=Weight(weight=0.2, scale=1000), cost_usd=Weight(weight=0.1, scale=0.01))
    assert objective.total() == pytest.approx(0.3)
    assert objective.value(1.0, {"tokens": 0, "cost_usd": 0.0}) == pytest.approx(1.0)
    assert objective.value(0.0, {"tokens": 5000, "cost_usd": 1.0}) == 0.0
    assert objective.value(1.0, {"tokens": None, "cost_usd": None}) == pytest.approx(0.7)


def test_an_objective_is_a_name_or_weights_and_an_error_names_the_branch() -> None:
    adapter: TypeAdapter[Objective] = TypeAdapter(Objective)
    assert adapter.validate_python("mean_score") == "mean_score"
    assert isinstance(adapter.validate_python({"tokens": {"weight": 0.1, "scale": 10}}), WeightedObjective)
    with pytest.raises(ValidationError, match="measure"):
        adapter.validate_python("speed")
    with pytest.raises(ValidationError, match="weighted"):
        adapter.validate_python({"tokens": {"weight": 0.9, "scale": 10}})


def test_thresholds_refuse_a_retired_setting_with_what_to_use() -> None:
    assert Thresholds().alpha == 0.05
    with pytest.raises(ValidationError, match="use futility_gain"):
        Thresholds.model_validate({"futility_p": 0.5})
    with pytest.raises(ValidationError):
        Thresholds(alpha=0)
