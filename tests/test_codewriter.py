from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from overseer.seeds import run_seed
from tests.fake_llm import FakeLLM
from tests.helpers import REPO_ROOT

CODEWRITER = REPO_ROOT / "examples" / "codewriter" / "codewriter.py"
TASK = REPO_ROOT / "tasks" / "pyfuncs" / "slugify"



def _codewriter(tmp_path: Path, model: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    usage = tmp_path / "usage.json"
    return subprocess.run(
        [sys.executable, str(CODEWRITER), "--task-dir", str(TASK), "--out", str(tmp_path / "solution.py"),
         "--model", model],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "OVERSEER_USAGE_FILE": str(usage), **env},
    )


def test_openai_compatible_model(tmp_path: Path, fake_llm: FakeLLM) -> None:
    fake_llm.reply("def slugify(text):\n    return text\n")
    result = _codewriter(tmp_path, "openai:test-model", {
        "OPENAI_BASE_URL": f"{fake_llm.base_url}/v1", "OPENAI_API_KEY": "sk-test-key-123456789",
        "OVERSEER_SEED": str(run_seed(0, "slugify", 3))})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "solution.py").read_text() == "def slugify(text):\n    return text\n"
    request = fake_llm.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test-key-123456789"
    messages = request["json"]["messages"]
    assert messages[0]["role"] == "system" and "senior Python engineer" in messages[0]["content"]
    assert "slugify(text: str)" in messages[1]["content"]
    assert request["json"]["seed"] == run_seed(0, "slugify", 3)  # sampled alike for every prompt
    assert json.loads((tmp_path / "usage.json").read_text()) == {
        "model": "test-model", "input_tokens": 11, "output_tokens": 7}


def test_anthropic_model(tmp_path: Path, fake_llm: FakeLLM) -> None:
    fake_llm.reply("print('hi')\n")
    result = _codewriter(tmp_path, "anthropic:claude-test", {
        "ANTHROPIC_BASE_URL": fake_llm.base_url, "ANTHROPIC_API_KEY": "sk-ant-test"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "solution.py").read_text() == "print('hi')\n"
    request = fake_llm.requests[0]
    assert request["path"] == "/v1/messages" and request["headers"]["x-api-key"] == "sk-ant-test"
    assert "senior Python engineer" in request["json"]["system"]


def test_server_error_is_one_clear_line(tmp_path: Path, fake_llm: FakeLLM) -> None:
    fake_llm.reply(status=429)
    result = _codewriter(tmp_path, "openai:m", {"OPENAI_BASE_URL": f"{fake_llm.base_url}/v1"})
    assert result.returncode != 0
    assert "answered HTTP 429" in result.stderr and "Traceback" not in result.stderr


def test_sim_model_needs_no_network(tmp_path: Path) -> None:
    result = _codewriter(tmp_path, "sim", {})
    assert result.returncode == 0, result.stderr
    assert "slugify" in (tmp_path / "solution.py").read_text()
    assert json.loads((tmp_path / "usage.json").read_text())["model"] == "sim"


def test_the_run_seed_is_the_same_for_every_prompt_and_differs_per_task_and_repeat() -> None:
    seeds = {run_seed(7, task, repeat) for task in ("a", "b") for repeat in range(50)}
    assert len(seeds) == 100 and all(0 <= s < 2 ** 31 for s in seeds)
    assert run_seed(7, "a", 1) == run_seed(7, "a", 1) != run_seed(8, "a", 1)
