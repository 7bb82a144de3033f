"""A model server lost in the middle of a session: the runs it drops are infrastructure failures,
retried, never evidence; when it comes back, the session decides as it would have without the
outage. The command is made deterministic (temperature 0, one slot, no prompt cache), so that
two sessions can be compared decision by decision."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from overseer.decision import Decision
from overseer.records import RunRecord, read_jsonl
from tests.helpers import overseer
from tests.realmodel.conftest import ModelServer, free_port, labeler_project, on_real_model, wait_for_runs

DETERMINISTIC = '{model: "openai:local", max_tokens: 16, temperature: 0}'
RETRIES = "    infra: {retries: 6, backoff_s: 1}\n"   # 63 s to come back: a restart on a loaded machine


def _decided(project: Path) -> list[tuple[object, ...]]:
    decisions = read_jsonl(project / "runs" / "labeler" / "decisions.jsonl", Decision)[0]
    return [(d.outcome, d.edit.key() if d.edit else None, d.gain, d.p_value) for d in decisions]


def _runs(project: Path) -> list[RunRecord]:
    return [r for log in sorted((project / "runs" / "labeler").glob("2*.jsonl"))
            for r in read_jsonl(log, RunRecord)[0]]


@on_real_model
def test_a_server_lost_mid_session_costs_retries_not_decisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = ModelServer(free_port(), tmp_path / "server.log")
    server.start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    try:
        calm = labeler_project(tmp_path / "calm", 12, settings=DETERMINISTIC, more=RETRIES)
        assert overseer("optimize", "labeler", "--iterations", "2", "--race", "1", cwd=calm).returncode == 0

        stormy = labeler_project(tmp_path / "stormy", 12, settings=DETERMINISTIC, more=RETRIES)

        def outage() -> None:
            wait_for_runs(stormy / "runs" / "labeler", 10)
            server.kill()            # every run in flight and every new one fails to connect
            time.sleep(2.0)
            server.start()           # back at the same address within the retries' patience

        thread = threading.Thread(target=outage)
        thread.start()
        result = overseer("optimize", "labeler", "--iterations", "2", "--race", "1", cwd=stormy)
        thread.join()
        assert result.returncode == 0, result.stderr
    finally:
        server.kill()
    retried = [r for r in _runs(stormy) if r.attempts > 1]
    assert retried, "the outage cost no retry: it came too late or too early"
    assert not any(r.infra for r in _runs(stormy))          # every retry found the server again
    assert _decided(stormy) == _decided(calm)
    def outcomes(project: Path) -> dict[tuple[str, str, int], bool]:
        return {(r.prompt_hash, r.task_id, r.repeat): r.passed for r in _runs(project)}

    assert outcomes(stormy) == outcomes(calm)


@on_real_model
def test_a_server_that_stays_down_makes_infrastructure_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = labeler_project(tmp_path / "p", 4, more="    infra: {retries: 1, backoff_s: 0.1}\n")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")   # nothing listens
    result = overseer("run", "labeler", "--tasks", "all", cwd=project)
    assert result.returncode == 0, result.stderr
    runs = _runs(project)
    assert len(runs) == 4 and all(r.infra and r.attempts == 2 for r in runs)
    assert all(r.infra_cause and "provider" in r.infra_cause for r in runs)
