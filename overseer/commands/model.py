"""``overseer serve-model`` and ``overseer fetch-model``: a real model on this machine (localmodel.py)."""

from __future__ import annotations

from pathlib import Path

from overseer import report
from overseer.errors import EXIT_OK
from overseer.localmodel import ServerSettings, bundled_weights, fetch_weights, serve


def serve_main(*, model: Path | None, host: str, port: int, slots: int, threads: int, ctx: int,
               prompt_cache: bool, embeddings: bool = False) -> int:
    settings = ServerSettings(model=model or bundled_weights(), host=host, port=port, slots=slots,
                              threads=threads, ctx=ctx, prompt_cache=prompt_cache, embeddings=embeddings)

    def ready(url: str) -> None:
        report.note(f"serving {settings.describe()} at {url}; Ctrl-C stops it")
        report.line(f"OPENAI_BASE_URL={url}")

    serve(settings, ready)
    return EXIT_OK


def fetch_main() -> int:
    report.line(str(fetch_weights()))
    return EXIT_OK
