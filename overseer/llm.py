"""LLM clients: OpenAI-compatible (openai SDK with base_url), Anthropic (optional SDK), or any CLI.

``model`` strings: ``openai:NAME`` (OPENAI_BASE_URL, OPENAI_API_KEY), ``gemini:NAME`` (Gemini's
OpenAI-compatible endpoint, GEMINI_API_KEY), ``ollama:NAME`` (OLLAMA_HOST), ``anthropic:NAME``
(ANTHROPIC_API_KEY; ``pip install 'overseer[anthropic]'``), ``llm:NAME`` (any model the ``llm``
library is set up for; ``pip install 'overseer[llm]'``), ``command:CLI ARGS`` (the prompt is
piped to the command; its stdout is the reply). Every reply is bounded (``max_tokens``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Any, Protocol

from overseer.errors import FatalError
from overseer.redact import redact

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
REQUEST_TIMEOUT_S = 300.0
REPLY_TOKENS = 2048   # the longest reply by default (ProposerConfig.max_tokens)


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
    def __init__(self, model: str, base_url: str | None, api_key: str | None, max_retries: int = 2,
                 max_tokens: int = REPLY_TOKENS) -> None:
        from openai import OpenAI

        self.model, self.max_tokens = model, max_tokens
        self._client = OpenAI(api_key=api_key or "not-needed", base_url=base_url,
                              max_retries=max_retries, timeout=REQUEST_TIMEOUT_S)

    def complete(self, prompt: str) -> LLMReply:
        return self.chat([{"role": "user", "content": prompt}])

    def chat(self, messages: list[dict[str, str]], seed: int | None = None,
             temperature: float | None = None) -> LLMReply:
        """A reply to these chat messages; ``seed`` and ``temperature`` are sent when given (a
        server that takes a seed may use it: BENCHMARKS.md, "Seeds on a real model")."""
        import openai

        extra: dict[str, Any] = {k: v for k, v in (("seed", seed), ("temperature", temperature)) if v is not None}
        try:
            response = self._client.chat.completions.create(
                model=self.model, max_tokens=self.max_tokens, messages=messages, **extra)  # type: ignore[arg-type]
        except openai.APIStatusError as exc:
            raise LLMError(redact(f"{self.model}: HTTP {exc.status_code}: {exc.message}")) from None
        except openai.APIError as exc:
            raise LLMError(redact(f"{self.model}: {type(exc).__name__}: {exc}")) from None
        if not response.choices or not response.choices[0].message.content:
            raise LLMError(f"{self.model}: the reply has no content")
        usage = response.usage
        return LLMReply(response.choices[0].message.content, self.model,
                        usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)


def embed(model: str, texts: list[str]) -> tuple[list[list[float]], int]:
    """Embeddings of ``texts`` from ``model`` (openai:, ollama: or gemini:, an OpenAI-compatible
    /embeddings endpoint, which llama.cpp's server also offers), and the tokens they took."""
    import openai

    client = client_for(model)
    if not isinstance(client, OpenAICompatible):
        raise FatalError(f"model {model!r}: embeddings come from openai:, ollama: or gemini: models")
    try:
        response = client._client.embeddings.create(model=client.model, input=texts)
    except openai.APIStatusError as exc:
        raise LLMError(redact(f"{client.model}: HTTP {exc.status_code}: {exc.message}")) from None
    except openai.APIError as exc:
        raise LLMError(redact(f"{client.model}: {type(exc).__name__}: {exc}")) from None
    vectors = [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]
    if len(vectors) != len(texts):
        raise LLMError(f"{client.model}: {len(vectors)} embeddings for {len(texts)} texts")
    return vectors, response.usage.prompt_tokens if response.usage else 0


class Anthropic:
    def __init__(self, model: str, max_tokens: int = REPLY_TOKENS) -> None:
        try:
            import anthropic
        except ImportError:
            raise FatalError("anthropic: models need the SDK: pip install 'overseer[anthropic]'") from None
        self.model, self.max_tokens = model, max_tokens
        self._client = anthropic.Anthropic(base_url=os.environ.get("ANTHROPIC_BASE_URL"),
                                           timeout=REQUEST_TIMEOUT_S, max_retries=2)

    def complete(self, prompt: str) -> LLMReply:
        import anthropic

        try:
            response = self._client.messages.create(
                model=self.model, max_tokens=self.max_tokens, messages=[{"role": "user", "content": prompt}])
        except anthropic.APIError as exc:
            raise LLMError(redact(f"{self.model}: {type(exc).__name__}: {exc}")) from None
        text = "".join(getattr(block, "text", "") for block in response.content)
        return LLMReply(text, self.model, response.usage.input_tokens, response.usage.output_tokens)


class LlmLibrary:
    """Any model the ``llm`` library (simonw/llm) knows, through its Python API: the providers,
    keys, aliases and local models a user set up for ``llm`` (its plugins, extra-openai-models.yaml)
    work unchanged. ``pip install 'overseer[llm]'``."""

    def __init__(self, name: str, max_tokens: int = REPLY_TOKENS) -> None:
        try:
            import llm
        except ImportError:
            raise FatalError("llm: models need the llm library: pip install 'overseer[llm]'") from None
        try:
            self._model = llm.get_model(name)
        except llm.UnknownModelError:
            raise FatalError(f"llm:{name}: the llm library knows no such model (`llm models` lists them)") from None
        self.model, self.max_tokens = f"llm:{name}", max_tokens

    def complete(self, prompt: str) -> LLMReply:
        options: dict[str, Any] = {"max_tokens": self.max_tokens} \
            if "max_tokens" in self._model.Options.model_fields else {}
        try:
            response = self._model.prompt(prompt, stream=False, **options)
            text = response.text()
            usage = response.usage()
        except Exception as exc:  # any provider's own error, through any plugin: one safe line
            raise LLMError(redact(f"{self.model}: {type(exc).__name__}: {exc}")) from None
        return LLMReply(text, self.model, usage.input or 0, usage.output or 0)


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


PROVIDERS = "openai, gemini, ollama, anthropic, llm, command"


def client_for(model: str, max_tokens: int = REPLY_TOKENS) -> LLMClient:
    provider, _, name = model.partition(":")
    if not name:
        raise FatalError(f"model {model!r}: expected PROVIDER:NAME ({PROVIDERS})")
    if provider == "openai":
        return OpenAICompatible(name, os.environ.get("OPENAI_BASE_URL"), os.environ.get("OPENAI_API_KEY"),
                                max_tokens=max_tokens)
    if provider == "gemini":
        return OpenAICompatible(name, os.environ.get("GEMINI_BASE_URL", GEMINI_BASE_URL),
                                os.environ.get("GEMINI_API_KEY"), max_tokens=max_tokens)
    if provider == "ollama":
        host = os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")
        return OpenAICompatible(name, f"{host.rstrip('/')}/v1", "ollama", max_tokens=max_tokens)
    if provider == "anthropic":
        return Anthropic(name, max_tokens)
    if provider == "llm":
        return LlmLibrary(name, max_tokens)
    if provider == "command":
        return CommandLLM(name)
    raise FatalError(f"model {model!r}: unknown provider {provider!r} ({PROVIDERS})")
