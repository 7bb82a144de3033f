"""The local model's parts that need no server (the server itself: tests/realmodel/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.localmodel import (
    WEIGHTS_FILE,
    ServerSettings,
    bundled_weights,
    fetch_weights,
    models_dir,
    start,
    wait_until_healthy,
)
from tests.realmodel.conftest import free_port


def test_weights_are_looked_for_where_fetch_model_puts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSEER_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path
    with pytest.raises(FatalError, match=r"no local model weights in .*overseer fetch-model"):
        bundled_weights()
    (tmp_path / WEIGHTS_FILE).write_bytes(b"GGUF")
    assert bundled_weights() == tmp_path / WEIGHTS_FILE
    assert fetch_weights() == tmp_path / WEIGHTS_FILE        # already there: nothing downloaded


def test_the_defaults_are_what_a_seed_needs_at_best(tmp_path: Path) -> None:
    settings = ServerSettings(model=tmp_path / "m.gguf")
    assert (settings.slots, settings.prompt_cache, settings.host) == (1, False, "127.0.0.1")
    assert settings.describe() == "m.gguf (1 slot, prompt cache off, 2 threads, context 2048)"


def test_a_missing_model_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="no such model file"):
        start(ServerSettings(model=tmp_path / "missing.gguf"))


def test_a_server_that_never_answers_is_reported_after_its_patience() -> None:
    with pytest.raises(FatalError, match=r"was not ready after 0\.3s"):
        wait_until_healthy(f"http://127.0.0.1:{free_port()}", patience_s=0.3)
