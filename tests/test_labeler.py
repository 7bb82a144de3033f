"""The labeler example: its check, and its request on the wire (the fake server on 127.0.0.1 for
wire-level faults; the real model: tests/realmodel/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.fake_llm import FakeLLM
from tests.helpers import REPO_ROOT

LABELER = REPO_ROOT / "examples" / "labeler" / "labeler.py"
CHECK = REPO_ROOT / "tasks" / "reviews" / "check_label.py"
TASK = REPO_ROOT / "tasks" / "reviews" / "r00"


def _check(tmp_path: Path, answer: str, expected: str) -> tuple[int, str]:
    (tmp_path / "answer.txt").write_text(answer)
    done = subprocess.run([sys.executable, str(CHECK), "--expected", expected, "--junit", "j.xml"],
                          cwd=tmp_path, capture_output=True, text=True)
    failure = ET.parse(tmp_path / "j.xml").getroot().find("testcase/failure")
    return done.returncode, "" if failure is None else str(failure.get("message"))


@pytest.mark.parametrize("answer, expected, code, message", [
    ("positive", "positive", 0, ""),
    (" Positive.\n", "positive", 0, ""),
    ("Positive! The customer loves it.", "positive", 1, "AnswerFormatError"),
    ("negative", "positive", 1, "WrongAnswerError"),
    ("positive or negative", "positive", 1, "WrongAnswerError"),
    ("The customer is happy.", "positive", 1, "WrongAnswerError"),
    ("", "negative", 1, "WrongAnswerError"),
])
def test_the_check_says_what_went_wrong(tmp_path: Path, answer: str, expected: str, code: int, message: str) -> None:
    returned, said = _check(tmp_path, answer, expected)
    assert returned == code and said.startswith(message)


def _labeler(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LABELER), "--task-dir", str(TASK), "--out", str(tmp_path / "answer.txt"),
         "--model", "openai:local", "--max-tokens", "12"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "OVERSEER_USAGE_FILE": str(tmp_path / "usage.json"), "OVERSEER_SEED": "77", **env})


def test_the_request_carries_the_seed_a_bound_and_the_temperature_setting(tmp_path: Path, fake_llm: FakeLLM) -> None:
    fake_llm.reply("positive")
    result = _labeler(tmp_path, {"OPENAI_BASE_URL": f"{fake_llm.base_url}/v1", "OVERSEER_TEMPERATURE": "0"})
    assert result.returncode == 0, result.stderr
    body = fake_llm.requests[0]["json"]
    assert (body["seed"], body["max_tokens"], body["temperature"]) == (77, 12, 0.0)
    [message] = body["messages"]
    assert message["role"] == "user" and message["content"].endswith("Answer:")
    assert "Review: Arrived early and works perfectly." in message["content"]
    assert (tmp_path / "answer.txt").read_text() == "positive"
    assert json.loads((tmp_path / "usage.json").read_text()) == {"model": "local", "input_tokens": 11, "output_tokens": 7}


@pytest.mark.parametrize("status, raw", [(503, None), (429, None), (200, b"not json"), (200, b'{"choices": []}')])
def test_a_provider_failure_is_exit_75_never_an_answer(tmp_path: Path, fake_llm: FakeLLM, status: int,
                                                      raw: bytes | None) -> None:
    fake_llm.reply(status=status, raw=raw)
    result = _labeler(tmp_path, {"OPENAI_BASE_URL": f"{fake_llm.base_url}/v1"})
    assert result.returncode == 75, result.stderr
    assert not (tmp_path / "answer.txt").exists()
