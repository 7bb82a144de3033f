"""A real model for the tests: llama.cpp's OpenAI-compatible server (``overseer serve-model``)
with SmolLM2-135M-Instruct, on 127.0.0.1, one slot, prompt cache off. One server per test process:
the tests that use it form one xdist group. Skipped only where the ``local`` extra is not
installed; with it installed and no weights, the tests fail and say how to fetch them."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from tests.helpers import REPO_ROOT
from tests.toyloop import commit_project

SERVER_MISSING = importlib.util.find_spec("xllamacpp") is None
START_PATIENCE_S = 300.0
T = TypeVar("T")


def on_real_model(test: T) -> T:
    """A test against the shared real model server (one xdist group: one server)."""
    skip = pytest.mark.skipif(SERVER_MISSING, reason="needs the local model server: pip install 'overseer[local]'")
    return pytest.mark.xdist_group("real-model")(skip(test))  # type: ignore[no-any-return]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ModelServer:
    """``overseer serve-model`` as a process of its own, on a fixed port (so it can be killed and
    started again at the same address)."""

    port: int
    log: Path
    process: subprocess.Popen[str] | None = None
    options: tuple[str, ...] = ()   # more serve-model options (--embeddings)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "overseer", "serve-model", "--port", str(self.port), "--ctx", "4096",
                 *self.options],
                stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
        ready: list[str] = []
        reader = threading.Thread(target=lambda: ready.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_PATIENCE_S)
        if not ready or not ready[0].startswith("OPENAI_BASE_URL="):
            self.kill()
            tail = self.log.read_text(errors="replace")[-600:]
            pytest.fail(f"the model server did not start: {ready[:1]} {tail}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="session")
def model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServer]:
    from overseer.errors import FatalError
    from overseer.localmodel import bundled_weights

    try:
        bundled_weights()
    except FatalError as exc:
        pytest.fail(str(exc))
    server = ModelServer(free_port(), tmp_path_factory.mktemp("model-server") / "server.log")
    server.start()
    yield server
    server.kill()


LABELER_TARGET = """\
schema_version: 1
targets:
  labeler:
    command: "{python} examples/labeler/labeler.py --task-dir {task_dir} --out {workdir}/answer.txt --model {model} --max-tokens {max_tokens}"
    settings: %(settings)s
    environment: [OPENAI_BASE_URL]
    prompt: examples/labeler/prompt.md
    tasks: tasks/reviews
    holdout: 0.25
    repeats: 1
    timeout_s: 120
    jobs: 2
%(more)s"""


def labeler_project(root: Path, tasks: int, *, settings: str = '{model: "openai:local", max_tokens: 48}',
                    more: str = "") -> Path:
    """The labeler example with its first ``tasks`` reviews, in a git repository."""
    (root / "examples").mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "examples" / "labeler", root / "examples" / "labeler",
                    ignore=shutil.ignore_patterns("__pycache__"))
    reviews = root / "tasks" / "reviews"
    reviews.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "tasks" / "reviews" / "check_label.py", reviews)
    for task in sorted(p for p in (REPO_ROOT / "tasks" / "reviews").iterdir() if p.is_dir())[:tasks]:
        shutil.copytree(task, reviews / task.name)
    (root / "overseer.yaml").write_text(LABELER_TARGET % {"settings": settings, "more": more})
    commit_project(root, "labeler")
    return root


def wait_for_runs(log_dir: Path, count: int, patience_s: float = 600.0) -> None:
    """Until the session JSONL files under ``log_dir`` hold ``count`` records."""
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        lines = sum(len(p.read_bytes().splitlines()) for p in log_dir.glob("*.jsonl")
                    if p.name not in ("registry.jsonl", "decisions.jsonl")) if log_dir.is_dir() else 0
        if lines >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} runs recorded in {log_dir} after {patience_s:g}s")
