"""overseer's own runner for a suite: the template rendered as promptfoo would, chat-format prompts,
the provider ids it calls, a failing provider as an infrastructure failure (exit 75)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.suites import runner


def test_templates_render_with_the_cases_vars() -> None:
    text = runner.render("Ticket: {{ ticket }}\n{% if urgent %}URGENT{% endif %}{{ meta | dump }}",
                         {"ticket": "x", "urgent": True, "meta": {"a": 1}}, "p.txt")
    assert text == 'Ticket: x\nURGENT{"a": 1}'
    with pytest.raises(FatalError, match=r"p.txt: cannot render the prompt template: 'nope' is undefined"):
        runner.render("{{ nope }}", {"ticket": "x"}, "p.txt")
    with pytest.raises(FatalError, match=r"p.txt:1: cannot render the prompt template"):
        runner.render("{% if %}", {}, "p.txt")


def test_chat_prompts_and_provider_ids() -> None:
    chat = json.dumps([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}])
    assert runner.messages_of(chat) == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert runner.messages_of("[not json") == [{"role": "user", "content": "[not json"}]
    assert runner.model_for("openai:gpt-4.1-mini") == "openai:gpt-4.1-mini"
    assert runner.model_for("openai:chat:gpt-4.1-mini") == "openai:gpt-4.1-mini"
    assert runner.model_for("anthropic:messages:claude-x") == "anthropic:claude-x"
    assert runner.model_for("ollama:chat:llama3") == "ollama:llama3"
    assert runner.model_for("google:gemini-2.0-flash") == "gemini:gemini-2.0-flash"
    with pytest.raises(FatalError, match="keep a command of your own"):
        runner.model_for("file://provider.py")


def test_a_provider_that_fails_is_exit_75_with_a_provider_error(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.txt").write_text("{{ x }}")
    (tmp_path / "v.json").write_text('{"x": "hi"}')
    usage = tmp_path / "usage.json"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code = runner.main(["--prompt", str(tmp_path / "p.txt"), "--vars", str(tmp_path / "v.json"),
                        "--provider", "openai:chat:m", "--usage", str(usage),
                        "--base-url", "http://127.0.0.1:9/v1"])   # nothing listens on port 9
    assert code == runner.EXIT_TEMPFAIL
    assert json.loads(usage.read_text())["provider_error"].startswith("m: ")
