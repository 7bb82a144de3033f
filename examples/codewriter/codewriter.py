#!/usr/bin/env python3
"""codewriter: ask a model to write ``solution.py`` for a coding task.

This is the kind of command overseer exists for: a small tool with a big prompt inside its own
source. overseer finds the prompt below (``PROMPT``), evaluates edits to it in an isolated copy of
this repository, and commits the ones that are proven to help.

    codewriter.py --task-dir tasks/pyfuncs/slugify --out /tmp/solution.py [--model MODEL]

MODEL is ``sim`` (overseer's offline simulated code writer, the default; ``sim:<name>`` one of the
simulator profile's named models, e.g. ``sim:strong`` or ``sim:cheap``), ``openai:<name>`` (any
OpenAI-compatible server: OPENAI_BASE_URL, OPENAI_API_KEY; e.g. Gemini's endpoint or vLLM),
``ollama:<name>`` (a local Ollama server, OLLAMA_HOST), or ``anthropic:<name>`` (ANTHROPIC_API_KEY).
The reply is written to the output file as it is: this tool trusts the model to answer with code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import yaml

PROMPT = """\
You are a senior Python engineer working inside our code generation tool.

Write a Python module that solves the task described below. The module is saved as solution.py
and imported directly by the task's unit tests.

Guidelines:
- Read the specification carefully and implement exactly the behaviour it describes.
- Start with a short explanation of your approach so reviewers can follow your reasoning.
- Prefer the simplest brute-force approach; readability matters more than speed here.
- Use descriptive, self-explanatory names for functions and variables.
- Add type hints and a docstring to every public function.
"""


def read_spec(task_dir: Path) -> str:
    return str(yaml.safe_load((task_dir / "task.yaml").read_text(encoding="utf-8"))["spec"])


def _post_json(url: str, payload: dict, headers: dict[str, str], timeout: float = 300) -> dict:
    import urllib.error  # imported here: the simulated model never needs it (about 25 ms a run)
    import urllib.request

    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", **headers}, method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            _provider_failed(f"{url} answered HTTP {exc.code}: {exc.reason}")
        raise SystemExit(f"codewriter: {url} answered HTTP {exc.code}: {exc.reason}") from None
    except urllib.error.URLError as exc:
        _provider_failed(f"cannot reach {url}: {exc.reason}")


# overseer's convention for "the provider failed, not the prompt": exit 75 (EX_TEMPFAIL); overseer
# retries the run and never counts it as evidence.
EXIT_PROVIDER_ERROR = 75


def _provider_failed(message: str) -> NoReturn:
    print(f"codewriter: {message}", file=sys.stderr)
    raise SystemExit(EXIT_PROVIDER_ERROR)


def max_tokens() -> int:
    """The longest reply (the setting ``max_tokens``, OVERSEER_MAX_TOKENS): a model asked to
    explain itself can run on for hundreds of tokens, and every run pays for them in time."""
    return int(os.environ.get("OVERSEER_MAX_TOKENS", "1024"))


def ask_openai_compatible(base_url: str, api_key: str | None, model: str, spec: str) -> tuple[str, dict]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    reply = _post_json(f"{base_url.rstrip('/')}/chat/completions", {
        "model": model, "max_tokens": max_tokens(),
        "messages": [{"role": "system", "content": PROMPT}, {"role": "user", "content": spec}],
        # the same seed for every prompt at this task and repeat: both prompts of a comparison
        # sample alike wherever the edit does not matter (servers that ignore it lose nothing)
        "seed": int(os.environ.get("OVERSEER_SEED", "0")),
    }, headers)
    usage = reply.get("usage") or {}
    return reply["choices"][0]["message"]["content"], {
        "model": model, "input_tokens": usage.get("prompt_tokens", 0),
        "output_tokens": usage.get("completion_tokens", 0),
    }


def ask_anthropic(model: str, spec: str) -> tuple[str, dict]:
    key = os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        raise SystemExit("codewriter: set ANTHROPIC_API_KEY to use anthropic: models")
    base = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
    reply = _post_json(f"{base.rstrip('/')}/v1/messages", {
        "model": model, "max_tokens": max_tokens(), "system": PROMPT,
        "messages": [{"role": "user", "content": spec}],
    }, {"x-api-key": key, "anthropic-version": "2023-06-01"})
    usage = reply.get("usage") or {}
    text = "".join(block.get("text", "") for block in reply.get("content", []))
    return text, {"model": model, "input_tokens": usage.get("input_tokens", 0),
                  "output_tokens": usage.get("output_tokens", 0)}


def ask_sim(task_dir: Path, name: str | None) -> tuple[str, dict]:
    from overseer.errors import FatalError
    from overseer.sim import complete

    try:
        reply = complete(PROMPT, task_dir, repeat=int(os.environ.get("OVERSEER_REPEAT", "0")),
                         seed=int(os.environ.get("OVERSEER_SEED", "0")), model=name)
    except FatalError as exc:
        raise SystemExit(f"codewriter: {exc}") from None
    return reply.text, reply.usage()


def ask(model: str, task_dir: Path) -> tuple[str, dict]:
    provider, _, name = model.partition(":")
    if provider == "sim":
        return ask_sim(task_dir, name or None)
    if provider == "openai" and name:
        return ask_openai_compatible(os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
                                     os.environ.get("OPENAI_API_KEY"), name, read_spec(task_dir))
    if provider == "ollama" and name:
        host = os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")
        return ask_openai_compatible(f"{host.rstrip('/')}/v1", None, name, read_spec(task_dir))
    if provider == "anthropic" and name:
        return ask_anthropic(name, read_spec(task_dir))
    raise SystemExit(f"codewriter: unknown model {model!r} (sim, sim:NAME, openai:NAME, ollama:NAME, anthropic:NAME)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task-dir", type=Path, default=os.environ.get("OVERSEER_TASK_DIR"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--model", default=os.environ.get("CODEWRITER_MODEL", "sim"))
    args = parser.parse_args(argv)
    if args.task_dir is None:
        parser.error("--task-dir is required (or set OVERSEER_TASK_DIR)")
    out = args.out or Path(os.environ.get("OVERSEER_WORKDIR", ".")) / "solution.py"
    text, usage = ask(args.model, args.task_dir)
    out.write_text(text, encoding="utf-8")
    usage_file = os.environ.get("OVERSEER_USAGE_FILE")
    if usage_file:
        Path(usage_file).write_text(json.dumps(usage), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
