from __future__ import annotations

import pytest
from pydantic import ValidationError

from overseer.review import PanelProposal, PanelRecord


def test_a_panel_record_round_trips_through_json() -> None:
    record = PanelRecord(
        proposals=[PanelProposal(persona="minimalist", key="k1", kind="delete-line:x", summary="drop x",
                                 verdict="kept"),
                   PanelProposal(persona="format-stickler", key="k2", kind="add-constraint:y",
                                 summary="add y", verdict="vetoed", critiques=["duplicates a line"])],
        ballots={"minimalist": [0]}, scores={0: 2.0}, chosen=[0])
    assert PanelRecord.model_validate_json(record.model_dump_json()) == record


def test_a_verdict_other_than_kept_or_vetoed_is_refused() -> None:
    with pytest.raises(ValidationError):
        PanelProposal(persona="p", key="k", kind="x", summary="s", verdict="maybe")  # type: ignore[arg-type]
