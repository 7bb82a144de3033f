from __future__ import annotations

from pathlib import Path

from tests.helpers import overseer


def test_serve_model_offers_the_settings_a_seed_depends_on(tmp_path: Path) -> None:
    shown = overseer("serve-model", "--help", cwd=tmp_path)
    assert shown.returncode == 0
    for option in ("--slots", "--prompt-cache", "--threads", "--ctx", "--port", "--model"):
        assert option in shown.stdout
    assert overseer("serve-model", "--slots", "0", cwd=tmp_path).returncode == 2
