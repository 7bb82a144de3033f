"""The labeler example against a real model: what the records hold, not what the model says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.records import RunRecord, read_jsonl
from overseer.store import open_store
from tests.helpers import overseer
from tests.realmodel.conftest import ModelServer, labeler_project, on_real_model


def _records(project: Path) -> list[RunRecord]:
    [log] = sorted((project / "runs" / "labeler").glob("*.jsonl"))
    return read_jsonl(log, RunRecord)[0]


@on_real_model
def test_runs_reach_the_real_model_with_a_bounded_reply(model_server: ModelServer, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    project = labeler_project(tmp_path / "p", 8, settings='{model: "openai:local", max_tokens: 12}')
    monkeypatch.setenv("OPENAI_BASE_URL", model_server.url)
    result = overseer("run", "labeler", "--tasks", "all", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    records = _records(project)
    assert len(records) == 8 and not any(r.infra for r in records)
    for record in records:
        assert record.usage is not None and record.usage.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
        assert record.usage.input_tokens > 20 and 0 < record.usage.output_tokens <= 12   # bounded
        assert record.passed or record.error_class in ("AnswerFormatError", "WrongAnswerError")
        assert record.settings == {"model": "openai:local", "max_tokens": "12"}
    assert json.loads(result.stdout)["summary"]["runs"] == 8
    with open_store(project / "runs") as store:
        assert store.run_costs("labeler").tokens > 0
