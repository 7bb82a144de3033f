"""overseer's own command for a promptfoo suite that has no command of its own:

    python -m overseer.suites.runner --prompt FILE --vars FILE --provider ID --usage FILE
        [--seed N] [--max-tokens N] [--temperature T] [--base-url URL]

The prompt file is a promptfoo prompt template: ``{{ var }}`` placeholders in Nunjucks syntax,
rendered with Jinja2 (which reads the subset suites use; ``dump`` is JSON as in Nunjucks), and
when the rendered text is a JSON list of ``{role, content}`` messages, those messages. The
provider (promptfoo's id: ``openai:gpt-4.1-mini``, ``openai:chat:NAME``, ``anthropic:messages:NAME``,
``ollama:chat:NAME``, ``google:NAME``) is called through overseer's LLM clients with the run's seed
where it takes one, and a bounded reply. The reply is printed; the usage file gets the tokens. A
provider that fails writes ``provider_error`` and exits 75: an infrastructure failure, never the
prompt's. A template that cannot be rendered is one line naming the construct, exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from overseer.errors import FatalError
from overseer.llm import REPLY_TOKENS, LLMClient, LLMError, OpenAICompatible, client_for

EXIT_TEMPFAIL = 75   # sysexits' EX_TEMPFAIL: the provider failed, try again later
EXIT_USAGE = 2
PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "ollama": "ollama", "google": "gemini",
             "vertex": "gemini", "gemini": "gemini"}
KINDS = ("chat", "messages", "completion", "responses", "embedding", "embeddings")


def model_for(provider: str) -> str:
    """overseer's model string for a promptfoo provider id; FatalError for one it cannot call."""
    family, _, rest = provider.partition(":")
    kind, _, name = rest.partition(":")
    if kind not in KINDS or not name:
        name = rest
    if family not in PROVIDERS or not name:
        raise FatalError(f"provider {provider!r}: overseer calls openai, anthropic, ollama and google "
                         "providers; for another, keep a command of your own in the target")
    return f"{PROVIDERS[family]}:{name}"


def render(template: str, variables: dict[str, Any], where: str) -> str:
    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                                     keep_trailing_newline=True)
    environment.filters["dump"] = lambda value, *_: json.dumps(value)
    try:
        return environment.from_string(template).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        raise FatalError(f"{where}:{exc.lineno}: cannot render the prompt template: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise FatalError(f"{where}: cannot render the prompt template: {exc.message} (not among the "
                         f"case's vars: {', '.join(sorted(variables)) or 'none'})") from None
    except jinja2.TemplateError as exc:
        raise FatalError(f"{where}: cannot render the prompt template: {exc}") from None


def messages_of(text: str) -> list[dict[str, str]]:
    """A chat-format prompt (a JSON list of role and content) as messages, else one user message."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and parsed and all(
                isinstance(m, dict) and {"role", "content"} <= set(m) for m in parsed):
            return [{"role": str(m["role"]), "content": str(m["content"])} for m in parsed]
    return [{"role": "user", "content": text}]


def _reply(client: LLMClient, messages: list[dict[str, str]], seed: int | None,
           temperature: float | None) -> tuple[str, int, int]:
    if isinstance(client, OpenAICompatible):
        reply = client.chat(messages, seed=seed, temperature=temperature)
    else:
        reply = client.complete("\n\n".join(m["content"] for m in messages))
    return reply.text, reply.input_tokens, reply.output_tokens


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m overseer.suites.runner")
    for name in ("--prompt", "--vars", "--provider", "--usage"):
        parser.add_argument(name, required=True)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--max-tokens", type=int, default=REPLY_TOKENS)
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--base-url")
    args = parser.parse_args(argv)
    usage = Path(args.usage)
    try:
        variables = json.loads(Path(args.vars).read_text(encoding="utf-8"))
        text = render(Path(args.prompt).read_text(encoding="utf-8"), variables, args.prompt)
        model = model_for(args.provider)
        if args.base_url and model.startswith("openai:"):
            os.environ["OPENAI_BASE_URL"] = args.base_url
        client = client_for(model, args.max_tokens)
    except (FatalError, OSError, ValueError) as exc:
        print(f"overseer.suites.runner: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        reply, tokens_in, tokens_out = _reply(client, messages_of(text), args.seed, args.temperature)
    except LLMError as exc:
        usage.write_text(json.dumps({"model": model, "provider_error": str(exc)}), encoding="utf-8")
        print(f"overseer.suites.runner: {exc}", file=sys.stderr)
        return EXIT_TEMPFAIL
    usage.write_text(json.dumps({"model": model, "input_tokens": tokens_in, "output_tokens": tokens_out}),
                     encoding="utf-8")
    sys.stdout.write(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
