from __future__ import annotations

from pathlib import Path

import pytest

from overseer.localmodel import WEIGHTS_FILE
from tests.helpers import overseer


def test_fetch_model_says_where_the_weights_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSEER_MODELS_DIR", str(tmp_path))
    (tmp_path / WEIGHTS_FILE).write_bytes(b"GGUF")
    result = overseer("fetch-model", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"{tmp_path / WEIGHTS_FILE}\n")


def test_serving_a_file_that_is_not_there_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = overseer("serve-model", "--model", str(tmp_path / "none.gguf"), cwd=tmp_path)
    assert result.returncode == 2 and "no such model file" in result.stderr
    assert result.stderr.count("\n") == 1
