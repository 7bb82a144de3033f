from __future__ import annotations

from pathlib import Path

import pytest

from overseer.config import Target
from overseer.fingerprint import described, environment_fingerprint, fingerprinted_names


def _target(**fields: object) -> Target:
    return Target.model_validate({"command": "python cmd.py", "prompt": "p.md", "tasks": "tasks", **fields})


def test_the_fingerprint_follows_the_named_variables_and_the_files_they_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _target(environment=["MODEL_NAME"])
    assert fingerprinted_names(target) == ["MODEL_NAME", "OVERSEER_SIM_PROFILE"]
    monkeypatch.delenv("OVERSEER_SIM_PROFILE", raising=False)
    monkeypatch.setenv("MODEL_NAME", "small")
    small = environment_fingerprint(target, tmp_path)
    assert small == environment_fingerprint(target, tmp_path) and len(small) == 16
    monkeypatch.setenv("MODEL_NAME", "large")
    assert environment_fingerprint(target, tmp_path) != small
    profile = tmp_path / "profile.yaml"
    profile.write_text("a: 1\n")
    monkeypatch.setenv("OVERSEER_SIM_PROFILE", "profile.yaml")   # relative to the root
    before = environment_fingerprint(target, tmp_path)
    profile.write_text("a: 2\n")
    assert environment_fingerprint(target, tmp_path) != before    # the file's content counts


def test_settings_count_only_when_there_are_some(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVERSEER_SIM_PROFILE", raising=False)
    plain = environment_fingerprint(_target(), tmp_path)
    assert environment_fingerprint(_target(settings={"model": "a"}), tmp_path) != plain
    assert "OVERSEER_SIM_PROFILE" in described(_target())
