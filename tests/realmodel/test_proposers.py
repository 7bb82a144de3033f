"""The LLM roles against a real (and very small) model: a 135M model often answers with invalid
JSON; that must be recorded as what it is, and the session must go on."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.decision import Decision
from overseer.llm import client_for
from overseer.records import read_jsonl
from tests.helpers import overseer
from tests.realmodel.conftest import ModelServer, labeler_project, on_real_model

PROPOSER = '    proposer: {kind: llm, model: "openai:local", max_tokens: 160}\n'
PANEL = ('    proposer: {kind: panel, model: "openai:local", max_tokens: 160,\n'
         '               options: {personas: [minimalist], reviewer: llm}}\n')


def _decisions(project: Path) -> list[Decision]:
    path = project / "runs" / "labeler" / "decisions.jsonl"
    return read_jsonl(path, Decision)[0] if path.exists() else []


@on_real_model
@pytest.mark.parametrize("proposer", [PROPOSER, PANEL], ids=["llm", "panel"])
def test_a_session_with_a_real_model_proposing_records_what_it_did(
        model_server: ModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proposer: str) -> None:
    project = labeler_project(tmp_path / "p", 12, more=proposer)
    monkeypatch.setenv("OPENAI_BASE_URL", model_server.url)
    result = overseer("optimize", "labeler", "--iterations", "1", "--max-runs", "60", "--race", "1", cwd=project)
    assert result.returncode == 0, result.stderr
    decisions = _decisions(project)
    assert decisions, result.stdout + result.stderr
    for decision in decisions:
        if decision.outcome in ("no_proposal", "failed"):
            # an invalid reply is retried once with its error; then the iteration is recorded
            assert "invalid twice" in decision.reason or decision.reason == "nothing left to propose", decision.reason
        else:
            assert decision.edit is not None and decision.proposer in ("llm", "panel")
    if "panel" in proposer:   # what the panel did is recorded, or why it proposed nothing
        assert all(d.panel is not None or d.outcome in ("failed", "no_proposal") for d in decisions)


@on_real_model
def test_a_model_the_llm_library_knows_is_a_model_for_every_role(
        model_server: ModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llm", reason="llm:NAME needs the llm library: pip install 'overseer[llm]'")
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path))
    (tmp_path / "extra-openai-models.yaml").write_text(
        f"- model_id: smol\n  model_name: local\n  api_base: {model_server.url}\n")
    reply = client_for("llm:smol", max_tokens=8).complete("Say hello.")
    assert reply.model == "llm:smol" and reply.text.strip()
    assert 0 < reply.output_tokens <= 8 and reply.input_tokens > 0
