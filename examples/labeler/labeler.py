#!/usr/bin/env python3
"""labeler: ask a model whether a product review is positive or negative.

    labeler.py --task-dir tasks/reviews/r00 --out answer.txt --model openai:local [--max-tokens 48]

The prompt lives in prompt.md beside this file, as many teams keep theirs; overseer improves it.
MODEL is ``openai:<name>`` (any OpenAI-compatible server: OPENAI_BASE_URL, OPENAI_API_KEY; for
example `overseer serve-model`, llama.cpp, vLLM, Ollama's /v1). The reply is bounded by
--max-tokens: a small model asked to explain itself can run on for hundreds of tokens, and every
run pays for them in time. The run's seed ({seed}, OVERSEER_SEED) is passed on; a provider that
honours it makes the same prompt reproducible at best, never a prompt and its edit alike. A
``temperature`` setting in overseer.yaml (OVERSEER_TEMPERATURE) is passed on too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import NoReturn

import yaml

PROMPT_FILE = Path(__file__).with_name("prompt.md")
EXIT_PROVIDER_ERROR = 75   # overseer's "the provider failed, not the prompt": retried, never evidence


def _provider_failed(message: str, retry_after: str | None = None) -> NoReturn:
    """Exit 75; a provider's Retry-After (seconds) goes to the usage file for overseer's retry."""
    print(f"labeler: {message}", file=sys.stderr)
    usage = os.environ.get("OVERSEER_USAGE_FILE")
    if usage and retry_after and retry_after.strip().replace(".", "", 1).isdigit():
        Path(usage).write_text(json.dumps({"provider_error": message, "retry_after": float(retry_after)}))
    raise SystemExit(EXIT_PROVIDER_ERROR)


def request_body(model: str, prompt: str, review: str, max_tokens: int) -> dict:
    """One user message: the prompt, then the review and an answer cue (small models keep to a
    completion like this far better than to a system prompt and a bare review)."""
    body = {"model": model, "max_tokens": max_tokens, "seed": int(os.environ.get("OVERSEER_SEED", "0")),
            "messages": [{"role": "user", "content": f"{prompt.strip()}\n\nReview: {review}\nAnswer:"}]}
    if temperature := os.environ.get("OVERSEER_TEMPERATURE"):   # the setting `temperature`, when set
        body["temperature"] = float(temperature)
    return body


def ask(base_url: str, body: dict) -> dict:
    key = os.environ.get("OPENAI_API_KEY")
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/chat/completions", method="POST",
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})},
        data=json.dumps(body).encode("utf-8"))
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            _provider_failed(f"{base_url} answered HTTP {exc.code}", exc.headers.get("Retry-After"))
        raise SystemExit(f"labeler: {base_url} answered HTTP {exc.code}: {exc.reason}") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        _provider_failed(f"cannot reach {base_url}: {exc}")
    except json.JSONDecodeError:
        _provider_failed(f"{base_url} answered with something that is not JSON")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task-dir", type=Path, default=os.environ.get("OVERSEER_TASK_DIR"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--model", default=os.environ.get("LABELER_MODEL", "openai:local"))
    parser.add_argument("--max-tokens", type=int, default=int(os.environ.get("OVERSEER_MAX_TOKENS", "48")))
    args = parser.parse_args(argv)
    provider, _, name = args.model.partition(":")
    if provider != "openai" or not name or args.task_dir is None:
        parser.error("--model openai:NAME and --task-dir (or OVERSEER_TASK_DIR) are required")
    review = str(yaml.safe_load((args.task_dir / "task.yaml").read_text(encoding="utf-8"))["spec"])
    base_url = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
    reply = ask(base_url, request_body(name, PROMPT_FILE.read_text(encoding="utf-8"), review, args.max_tokens))
    try:
        text = reply["choices"][0]["message"]["content"] or ""
    except (KeyError, IndexError, TypeError):
        _provider_failed(f"{base_url} answered without a message")
    out = args.out or Path(os.environ.get("OVERSEER_WORKDIR", ".")) / "answer.txt"
    out.write_text(text, encoding="utf-8")
    usage = reply.get("usage") or {}
    if usage_file := os.environ.get("OVERSEER_USAGE_FILE"):
        Path(usage_file).write_text(json.dumps({
            "model": str(reply.get("model") or name).rsplit("/", 1)[-1],
            "input_tokens": usage.get("prompt_tokens", 0), "output_tokens": usage.get("completion_tokens", 0)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
