"""The read side of the index, on a real SQLite index built from real JSONL files."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.records import RecordLog, RunRecord, Usage
from overseer.store import open_store
from tests.helpers import make_run


def _record(task: str, passed: bool, *, prompt: str = "p1", session: str = "s1", infra: bool = False,
            started: str = "2026-01-01T00:00:00", tokens: int = 100) -> RunRecord:
    return make_run(task, passed).model_copy(update={
        "target": "toy", "prompt_hash": prompt, "session_id": session, "infra": infra,
        "started_at": started, "usage": Usage(model="m", input_tokens=tokens, cost_usd=0.01)})


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    with RecordLog(runs / "toy" / "s1.jsonl") as log:
        log.append(_record("a", True, started="2026-01-01T00:00:01"))
        log.append(_record("b", False, started="2026-01-01T00:00:02"))
        log.append(_record("c", False, infra=True, started="2026-01-01T00:00:03"))
    with RecordLog(runs / "toy" / "s2.jsonl") as log:
        log.append(_record("a", True, prompt="p2", session="s2", started="2026-01-02T00:00:01", tokens=300))
    return runs


def test_runs_are_found_by_their_key_and_read_back_from_the_jsonl(runs_dir: Path) -> None:
    with open_store(runs_dir) as store:
        found = store.runs_of(target="toy", prompt_hash="p1", task_set_hash="hs", seed=0, command="c",
                              environment="")
        assert [r.task_id for r in found] == ["a", "b"]            # the infra run is no evidence
        assert [r.prompt_hash for r in store.latest_runs("toy", 2)] == ["p2", "p1"]
        assert store.session_runs("toy") == {"s1": 3, "s2": 1}     # every run made counts here
        costs = store.run_costs("toy")
        assert costs.runs == 3 and costs.tokens == pytest.approx(500 / 3) and costs.cost_usd == pytest.approx(0.01)
        rates = {(t.task_id, t.prompt_hash): t.rate for t in store.task_rates("toy", ["p1"])}
        assert rates == {("a", "p1"): 1.0, ("b", "p1"): 0.0}
        [stats] = store.target_stats("toy")
        assert (stats.runs, stats.sessions, stats.infra) == (4, 2, 1)


def test_a_line_changed_since_it_was_indexed_is_never_read_from_the_wrong_place(runs_dir: Path) -> None:
    with open_store(runs_dir) as store:
        assert len(store.latest_runs("toy", 10)) == 3
    path = runs_dir / "toy" / "s1.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"task_id":"a"', b'"task_id":"z"'))
    with open_store(runs_dir, update=False) as store, pytest.raises(FatalError, match="changed since it was indexed"):
        store.latest_runs("toy", 10)
