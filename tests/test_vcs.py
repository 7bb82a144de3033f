from __future__ import annotations

import os
import stat
from pathlib import Path

from overseer.config import PromptLocation
from overseer.prompts import replace_prompt
from overseer.vcs import atomic_write, commit_paths, head_bytes, is_dirty, open_repo
from tests.helpers import git


def test_atomic_write_keeps_mode_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"old\r\n")
    os.chmod(path, 0o750)
    new = replace_prompt("line one\r\nline two\r\n", PromptLocation(file="prompt.md"), "line one\r\nline 2\r\n", "p")
    atomic_write(path, new.encode())
    assert path.read_bytes() == b"line one\r\nline 2\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["prompt.md"]


def test_commit_paths_commits_exactly_those_paths(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "prompt.md").write_text("v1\n")
    (tmp_path / "other.txt").write_text("a\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    repo = open_repo(tmp_path)
    assert repo is not None and not is_dirty(repo, tmp_path / "prompt.md")
    (tmp_path / "other.txt").write_text("b\n")
    git(tmp_path, "add", "other.txt")            # staged by the user
    (tmp_path / "untracked.txt").write_text("x")  # untracked
    (tmp_path / "prompt.md").write_text("v2\n")
    assert is_dirty(repo, tmp_path / "prompt.md")
    sha = commit_paths(repo, [tmp_path / "prompt.md"], "kept edit")
    assert git(tmp_path, "show", "--name-only", "--format=", sha).split() == ["prompt.md"]
    assert head_bytes(repo, tmp_path / "prompt.md") == b"v2\n"
    assert head_bytes(repo, tmp_path / "other.txt") == b"a\n"
    status = git(tmp_path, "status", "--porcelain").splitlines()
    assert sorted(status) == ["?? untracked.txt", "M  other.txt"]
