"""A rate-limited provider (the fake server answers 429 to every third request): a session at
-j 8 makes the same decisions as against a calm one, no run is lost to the provider (each is
retried, honouring its Retry-After), and the throttle backs off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from overseer import throttle as throttle_module
from overseer.records import read_records
from overseer.throttle import Throttle
from tests.fake_llm import FakeLLM
from tests.helpers import overseer
from tests.realmodel.conftest import labeler_project

VARYING = ("decision_id", "time", "session_id")


def _answer(request: dict[str, Any]) -> str:
    """A model that rambles while the prompt asks it to tell how the customer feels (the line the
    rules proposer deletes first), and else says 'positive' when the review has a positive word:
    the prompt decides, the seeds do not matter."""
    text = request["messages"][0]["content"]
    if "tell us how the customer feels" in text.split("Review:")[0]:
        return "Thank you for sharing! Let me explain: the customer seems happy overall."
    review = text.split("Review:")[-1].lower()
    return "positive" if any(w in review for w in ("perfect", "great", "love", "good")) else "negative"


def _session(root: Path, fake: FakeLLM) -> tuple[list[dict[str, Any]], list[Any]]:
    result = overseer("optimize", "labeler", "--iterations", "2", "-j", "8", "--no-commit", "--json", cwd=root,
                      env={"OPENAI_BASE_URL": f"{fake.base_url}/v1"})
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    records = read_records(Path(facts["jsonl"]))[0]
    return [{k: v for k, v in it.items() if k not in VARYING} for it in facts["iterations"]], records


def test_a_rate_limited_provider_changes_no_decision(tmp_path: Path, fake_llm: FakeLLM,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Throttle] = []

    class Watched(Throttle):
        def __init__(self, most: int) -> None:
            super().__init__(most)
            made.append(self)

    monkeypatch.setattr("overseer.optimize.runs.Throttle", Watched)
    assert throttle_module.Throttle is Throttle
    more = "    infra: {retries: 8, backoff_s: 0.05}\n"
    settings = '{model: "openai:fake", max_tokens: 16}'
    fake_llm.responder = _answer
    calm, calm_runs = _session(labeler_project(tmp_path / "calm", 16, settings=settings, more=more), fake_llm)
    calm_requests = len(fake_llm.requests)
    fake_llm.limit_every = 3
    stormy, stormy_runs = _session(labeler_project(tmp_path / "stormy", 16, settings=settings, more=more),
                                   fake_llm)
    assert stormy == calm and any(it["outcome"] == "accepted" for it in calm), calm
    assert not any(r.infra for r in stormy_runs) and len(stormy_runs) == len(calm_runs)
    retried = [r for r in stormy_runs if r.attempts > 1]
    assert fake_llm.limited > 0 and len(retried) >= fake_llm.limited // 9   # 429s are spread over runs
    assert len(fake_llm.requests) - calm_requests == len(calm_runs) + fake_llm.limited
    assert made[0].halvings == 0 and made[1].halvings == fake_llm.limited and made[1].lowest < 8
