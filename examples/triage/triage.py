#!/usr/bin/env python3
"""triage: classify a support ticket into JSON (category, priority, summary) with a model.

A command with a prompt that is not code: overseer improves ``prompt.md`` beside this file (the
system prompt; the ticket is the user message), judged by the promptfoo suite in ``evals/``.

    triage.py (--ticket TEXT | --vars VARS_JSON) [--model MODEL]

MODEL is ``sim`` (overseer's offline simulated model, the default: it answers the case being run,
OVERSEER_TASK_DIR), ``openai:<name>`` (any OpenAI-compatible server: OPENAI_BASE_URL,
OPENAI_API_KEY) or ``ollama:<name>`` (OLLAMA_HOST). The reply is printed as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROMPT_FILE = Path(__file__).with_name("prompt.md")
EXIT_PROVIDER_ERROR = 75   # overseer's convention: the provider failed, not the prompt


def ask_openai_compatible(base_url: str, api_key: str | None, model: str, prompt: str, ticket: str) -> tuple[str, dict]:
    import urllib.error
    import urllib.request

    payload = {"model": model, "max_tokens": int(os.environ.get("OVERSEER_MAX_TOKENS", "300")),
               "messages": [{"role": "system", "content": prompt}, {"role": "user", "content": ticket}],
               "seed": int(os.environ.get("OVERSEER_SEED", "0"))}
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/chat/completions", data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {api_key}"} if api_key else {})})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            reply = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        print(f"triage: {base_url}: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_PROVIDER_ERROR) from None
    usage = reply.get("usage") or {}
    return reply["choices"][0]["message"]["content"], {
        "model": model, "input_tokens": usage.get("prompt_tokens", 0),
        "output_tokens": usage.get("completion_tokens", 0)}


def ask_sim(prompt: str, name: str | None) -> tuple[str, dict]:
    from overseer.errors import FatalError
    from overseer.sim import complete

    task_dir = os.environ.get("OVERSEER_TASK_DIR")
    if not task_dir:
        raise SystemExit("triage: the simulated model answers a suite's case: run it from overseer "
                         "(OVERSEER_TASK_DIR)")
    try:
        reply = complete(prompt, Path(task_dir), repeat=int(os.environ.get("OVERSEER_REPEAT", "0")),
                         seed=int(os.environ.get("OVERSEER_SEED", "0")), model=name)
    except FatalError as exc:
        raise SystemExit(f"triage: {exc}") from None
    return reply.text, reply.usage()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--ticket")
    given.add_argument("--vars", type=Path, help="a JSON file with the case's vars (overseer's {vars_file})")
    parser.add_argument("--model", default=os.environ.get("TRIAGE_MODEL", "sim"))
    args = parser.parse_args(argv)
    ticket = args.ticket if args.vars is None else str(json.loads(args.vars.read_text(encoding="utf-8"))["ticket"])
    prompt = PROMPT_FILE.read_text(encoding="utf-8")
    provider, _, name = args.model.partition(":")
    if provider == "sim":
        text, usage = ask_sim(prompt, name or None)
    elif provider == "openai" and name:
        text, usage = ask_openai_compatible(os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
                                            os.environ.get("OPENAI_API_KEY"), name, prompt, ticket)
    elif provider == "ollama" and name:
        host = os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")
        text, usage = ask_openai_compatible(f"{host.rstrip('/')}/v1", None, name, prompt, ticket)
    else:
        parser.error(f"unknown model {args.model!r} (sim, sim:NAME, openai:NAME, ollama:NAME)")
    if os.environ.get("OVERSEER_USAGE_FILE"):
        Path(os.environ["OVERSEER_USAGE_FILE"]).write_text(json.dumps(usage), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
