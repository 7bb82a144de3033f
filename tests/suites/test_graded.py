"""Model-graded assertions (llm-rubric, model-graded-closedqa) through the target's judge, at the
wire: a verdict is the run's, a judge with no verdict makes the run an infrastructure failure,
the judge's tokens are in the run's usage, its seed is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.records import read_records
from tests.fake_llm import FakeLLM
from tests.helpers import make_suite_project, overseer

SUITE = """\
tests:
  - description: polite
    vars: {ticket: "hello"}
    assert: [{type: llm-rubric, value: "The reply is polite"}]
  - description: closed
    vars: {ticket: "bye"}
    assert: [{type: not-model-graded-closedqa, value: "The reply is rude"}]
"""


def _project(root: Path) -> Path:
    return make_suite_project(root, SUITE, "import os\nprint('Thank you for ' + os.environ['OVERSEER_VAR_TICKET'])\n",
                              '{model: "openai:judge", seed: 7, max_tokens: 64}')


def test_a_judges_verdict_counts_and_a_judge_without_one_is_infrastructure(
        tmp_path: Path, fake_llm: FakeLLM) -> None:
    project = _project(tmp_path / "p")
    # the runs' order is shuffled: one reply a rubric and a closed question both read
    verdict = 'Reasoning... {"reason": "it thanks the user", "pass": true, "score": 0.9}\nN\nN'
    fake_llm.reply(verdict)
    fake_llm.reply(verdict)
    env = {"OPENAI_BASE_URL": f"{fake_llm.base_url}/v1", "OPENAI_API_KEY": "sk-test-judge-key-0000000000"}
    result = overseer("run", "t", "--json", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    records = read_records(Path(json.loads(result.stdout)["jsonl"]))[0]
    assert len(records) == 2 and all(r.passed for r in records) and not any(r.infra for r in records)
    for record in records:
        assert record.usage is not None and record.usage.input_tokens == 11   # the judge's, added
    asked = [r["json"] for r in fake_llm.requests]
    assert all(a["seed"] == 7 and a["max_tokens"] == 64 and a["model"] == "judge" for a in asked)
    prompts = " ".join(a["messages"][0]["content"] for a in asked)
    assert "<Rubric>\nThe reply is polite\n</Rubric>" in prompts and "[Criterion]: The reply is rude" in prompts
    assert "Thank you for hello" in prompts

    fake_llm.reply("I would rather not say.")          # no verdict, for whichever run asks first
    fake_llm.reply(verdict)
    again = overseer("run", "t", "--json", cwd=project, env=env)
    assert again.returncode == 0, again.stderr
    records = read_records(Path(json.loads(again.stdout)["jsonl"]))[0]
    lost = [r for r in records if r.infra]
    assert len(lost) == 1 and "no JUnit XML" in (lost[0].infra_cause or "")
    assert "sk-test-judge-key" not in again.stdout + again.stderr


def test_similar_on_the_simulators_embedding_and_without_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``similar`` passes at its threshold (0.75 by default; the best of a list), ``not-`` turns
    it around; with no embedding model the check gives no verdict (exit 75: infrastructure),
    unless the judge is the simulator's."""
    from overseer.suites import check
    from overseer.suites.graded import similar

    assert similar("the cat sat on the mat", "the cat sat on a mat", None, "sim").passed
    assert not similar("quarterly revenue grew", "the cat sat", None, "sim").passed
    assert similar("a refund please", ["the cat sat", "please refund"], 0.5, "sim").score == pytest.approx(2 / 6 ** 0.5)
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"vars": {}, "assert": [{"type": "not-similar", "value": "the cat sat"}]}))
    (tmp_path / "out.txt").write_text("quarterly revenue grew\n")
    monkeypatch.setenv("OVERSEER_EMBEDDING_MODEL", "sim")
    assert check.main([str(case), str(tmp_path / "out.txt"), str(tmp_path / "j.xml")]) == 0
    monkeypatch.delenv("OVERSEER_EMBEDDING_MODEL")
    assert check.main([str(case), str(tmp_path / "out.txt"), str(tmp_path / "k.xml")]) == 75
    assert not (tmp_path / "k.xml").exists()
    monkeypatch.setenv("OVERSEER_JUDGE_MODEL", "sim")   # the simulator's judge embeds as the simulator does
    assert check.main([str(case), str(tmp_path / "out.txt"), str(tmp_path / "m.xml")]) == 0
