"""The LLM clients against the fake server on 127.0.0.1 (wire-level faults) and a real CLI."""

from __future__ import annotations

import sys

import pytest

from overseer.errors import FatalError
from overseer.llm import CommandLLM, LLMError, OpenAICompatible, client_for
from tests.fake_llm import FakeLLM


def test_a_reply_carries_its_text_and_usage(fake_llm: FakeLLM) -> None:
    fake_llm.reply("an edit")
    reply = OpenAICompatible("m", f"{fake_llm.base_url}/v1", "sk-test", max_retries=0).complete("hello")
    assert (reply.text, reply.model, reply.input_tokens, reply.output_tokens) == ("an edit", "m", 11, 7)
    assert fake_llm.requests[-1]["json"]["messages"] == [{"role": "user", "content": "hello"}]


def test_a_failed_call_is_one_safe_line(fake_llm: FakeLLM) -> None:
    client = OpenAICompatible("m", f"{fake_llm.base_url}/v1", "sk-abcdefghijklmnopqrstuvwx1234", max_retries=0)
    fake_llm.reply(status=429)
    with pytest.raises(LLMError, match="m: HTTP 429"):
        client.complete("x")
    fake_llm.reply("")
    with pytest.raises(LLMError, match="the reply has no content"):
        client.complete("x")


def test_a_command_is_a_model_too() -> None:
    echo = CommandLLM(f"{sys.executable} -c \"import sys; print(sys.stdin.read().upper())\"")
    assert echo.complete("edit").text == "EDIT\n" and echo.model.startswith("command:")
    with pytest.raises(LLMError, match="exited with 3: boom"):
        CommandLLM(f"{sys.executable} -c \"import sys; sys.stderr.write('boom'); sys.exit(3)\"").complete("x")
    with pytest.raises(LLMError, match="command not found"):
        CommandLLM("no-such-command-here").complete("x")


def test_a_model_names_its_provider() -> None:
    assert isinstance(client_for("command:cat"), CommandLLM)
    with pytest.raises(FatalError, match="expected PROVIDER:NAME"):
        client_for("gpt-4")
    with pytest.raises(FatalError, match="unknown provider 'mistral'"):
        client_for("mistral:large")
