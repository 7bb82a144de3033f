"""LLM clients: OpenAI-compatible (openai SDK with base_url), Anthropic (optional SDK), or any CLI.

``model`` strings: ``openai:NAME`` (OPENAI_BASE_URL, OPENAI_API_KEY), ``gemini:NAME`` (Gemini's
OpenAI-compatible endpoint, GEMINI_API_KEY), ``ollama:NAME`` (OLLAMA_HOST), ``anthropic:NAME``
(ANTHROPIC_API_KEY; ``pip install 'overseer[anthropic]'``), ``command:CLI ARGS`` (the prompt is
piped to the command; its stdout is the reply).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Protocol

from overseer.errors import FatalError
from overseer.redact import redact

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
REQUEST_TIMEOUT_S = 300.0


class LLMError(Exception):
    """A call failed (network, status, empty reply); the message is safe to record."""


@dataclass(frozen=True)
class LLMReply:
    text: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0


class LLMClient(Protocol):
    model: str

    def complete(self, prompt: str) -> LLMReply: ...


class OpenAICompatible:
    def __init__(self, model: str, base_url: str | None, api_key: str | None, max_retries: int = 2) -> None:
        from openai import OpenAI

        self.model = model
        self._client = OpenAI(api_key=api_key or "not-needed", base_url=base_url,
                              max_retries=max_retries, timeout=REQUEST_TIMEOUT_S)

    def complete(self, prompt: str) -> LLMReply:
        import openai

        try:
            response = self._client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": prompt}])
        except openai.APIStatusError as exc:
            raise LLMError(redact(f"{self.model}: HTTP {exc.status_code}: {exc.message}")) from None
        except openai.APIError as exc:
            raise LLMError(redact(f"{self.model}: {type(exc).__name__}: {exc}")) from None
        if not response.choices or not response.choices[0].message.content:
            raise LLMError(f"{self.model}: the reply has no content")
        usage = response.usage
        return LLMReply(response.choices[0].message.content, self.model,
                        usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)


class Anthropic:
    def __init__(self, model: str) -> None:
        try:
            import anthropic
        except ImportError:
            raise FatalError("anthropic: models need the SDK: pip install 'overseer[anthropic]'") from None
        self.model = model
        self._client = anthropic.Anthropic(base_url=os.environ.get("ANTHROPIC_BASE_URL"),
                                           timeout=REQUEST_TIMEOUT_S, max_retries=2)

    def complete(self, prompt: str) -> LLMReply:
        import anthropic

        try:
            response = self._client.messages.create(
                model=self.model, max_tokens=4096, messages=[{"role": "user", "content": prompt}])
        except anthropic.APIError as exc:
            raise LLMError(redact(f"{self.model}: {type(exc).__name__}: {exc}")) from None
        text = "".join(getattr(block, "text", "") for block in response.content)
        return LLMReply(text, self.model, response.usage.input_tokens, response.usage.output_tokens)


class CommandLLM:
    """Any CLI that reads a prompt on stdin and answers on stdout (``llm``, ``ollama run``)."""

    def __init__(self, command: str, timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        self.model = f"command:{command}"
        self._argv = shlex.split(command)
        self._timeout = timeout_s

    def complete(self, prompt: str) -> LLMReply:
        try:
            result = subprocess.run(self._argv, input=prompt, capture_output=True, text=True,
                                    timeout=self._timeout)
        except FileNotFoundError:
            raise LLMError(f"{self.model}: command not found") from None
        except subprocess.TimeoutExpired:
            raise LLMError(f"{self.model}: no reply within {self._timeout:g}s") from None
        if result.returncode != 0:
            tail = redact(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
            raise LLMError(f"{self.model}: exited with {result.returncode}: {tail}")
        return LLMReply(result.stdout, self.model)


def client_for(model: str) -> LLMClient:
    provider, _, name = model.partition(":")
    if not name:
        raise FatalError(f"model {model!r}: expected PROVIDER:NAME (openai, gemini, ollama, anthropic, command)")
    if provider == "openai":
        return OpenAICompatible(name, os.environ.get("OPENAI_BASE_URL"), os.environ.get("OPENAI_API_KEY"))
    if provider == "gemini":
        return OpenAICompatible(name, os.environ.get("GEMINI_BASE_URL", GEMINI_BASE_URL),
                                os.environ.get("GEMINI_API_KEY"))
    if provider == "ollama":
        host = os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")
        return OpenAICompatible(name, f"{host.rstrip('/')}/v1", "ollama")
    if provider == "anthropic":
        return Anthropic(name)
    if provider == "command":
        return CommandLLM(name)
    raise FatalError(f"model {model!r}: unknown provider {provider!r} (openai, gemini, ollama, anthropic, command)")
