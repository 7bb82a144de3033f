"""What a node does with a run's prompt (no cluster needed)."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

from overseer.cluster.worker import NODE_PREFIX, STALE_S, RemoteRun, _prompt_copy, clean, node_directory


def _run(key: str, text: bytes) -> RemoteRun:
    return RemoteRun(key=key, session_id="s", target_name="toy", target=None,  # type: ignore[arg-type]
                     environment="", batch="", root="sub", prompt_path="sub/prompts/system.md",
                     prompt_file=text, prompt_hash="h", task=None, task_set_hash="",  # type: ignore[arg-type]
                     repeat=0, artifacts="runs", env_names=(), env_values=())


def test_a_node_makes_one_copy_per_prompt_while_its_runs_wait(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "node").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "node"))   # this "node"'s temp dir
    snapshot = tmp_path / "ship"
    (snapshot / "tree" / "sub" / "prompts").mkdir(parents=True)
    (snapshot / "tree" / "sub" / "prompts" / "system.md").write_text("at HEAD\n")
    tops: list[Path] = []
    threads = [threading.Thread(target=lambda: tops.append(_prompt_copy(snapshot, _run("k1", b"candidate\n"))))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tops)) == 1
    assert (tops[0] / "sub" / "prompts" / "system.md").read_bytes() == b"candidate\n"
    other = _prompt_copy(snapshot, _run("k1", b"another\n"))
    assert other != tops[0] and (other / "sub" / "prompts" / "system.md").read_bytes() == b"another\n"
    assert (snapshot / "tree" / "sub" / "prompts" / "system.md").read_text() == "at HEAD\n"
    assert node_directory("k1").is_dir()
    clean("k1")
    assert not node_directory("k1").exists()


def test_cleaning_a_session_also_removes_what_dead_drivers_left(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for key in ("mine", "running", "dead"):
        (node_directory(key) / "copies").mkdir(parents=True)
    old = time.time() - STALE_S - 60
    os.utime(node_directory("dead"), (old, old))
    clean("mine")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{NODE_PREFIX}running"]
