from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel

from overseer.config import PromptLocation
from overseer.errors import FatalError
from overseer.prompts import replace_prompt
from overseer.records import RecordLog
from overseer.vcs import atomic_write, commit_paths, head_bytes, is_dirty, open_repo
from tests.helpers import git


def test_a_write_that_cannot_start_names_the_file_asked_for_not_its_temp_file(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a directory should be")
    for path in (tmp_path / "blocker" / "report.html", Path("/proc/overseer-report.html")):
        with pytest.raises(OSError) as caught:
            atomic_write(path, b"<html>")
        assert caught.value.filename == str(path)


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


def test_a_failing_disk_is_reported_with_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.write on a full disk names no file; the one line the user sees must say which."""
    monkeypatch.setattr("overseer.faults._hits", {})
    monkeypatch.setenv("OVERSEER_FAULT", "write:temp-written!io")
    target = tmp_path / "prompt.md"
    target.write_text("old\n")
    with pytest.raises(OSError) as raised:
        atomic_write(target, b"new\n")
    assert raised.value.filename == str(target) and "No space left on device" in str(raised.value)
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["prompt.md"]


def test_a_failing_append_is_reported_with_the_file(tmp_path: Path) -> None:
    log = RecordLog(tmp_path / "runs.jsonl")
    os.close(log._fd)
    log._fd = os.open("/dev/full", os.O_WRONLY)   # every write: ENOSPC, like a full disk
    with pytest.raises(OSError) as raised:
        log.append(RunLike(x=1))
    log.close()
    assert raised.value.filename == str(tmp_path / "runs.jsonl") and raised.value.errno == errno.ENOSPC


class RunLike(BaseModel):
    x: int


def _repo_with_prompt(root: Path) -> None:
    root.mkdir(exist_ok=True)
    git(root, "init", "-q")
    (root / "prompt.md").write_text("v1\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    (root / "prompt.md").write_text("v2\n")


def _hook(root: Path, name: str, body: str) -> None:
    hook = root / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_a_refusing_pre_commit_hook_refuses_the_commit(tmp_path: Path) -> None:
    """commit-tree skipped every hook: a failing pre-commit hook did not stop the commit."""
    _repo_with_prompt(tmp_path)
    _hook(tmp_path, "pre-commit", "echo 'prompt.md: trailing whitespace' >&2; exit 1\n")
    head = git(tmp_path, "rev-parse", "HEAD")
    repo = open_repo(tmp_path)
    assert repo is not None
    with pytest.raises(FatalError, match=r"pre-commit hook refused the commit .*trailing whitespace"):
        commit_paths(repo, [tmp_path / "prompt.md"], "kept edit")
    assert git(tmp_path, "rev-parse", "HEAD") == head
    assert sorted(p.name for p in (tmp_path / ".git").iterdir() if p.name.startswith("overseer-")) == []


def test_hooks_see_the_commit_and_may_edit_its_message(tmp_path: Path) -> None:
    _repo_with_prompt(tmp_path)
    _hook(tmp_path, "pre-commit", "git diff --cached --name-only > ../staged.txt\n")
    _hook(tmp_path, "commit-msg", "printf '\\nReviewed-by: hook\\n' >> \"$1\"\n")
    _hook(tmp_path, "post-commit", "git log -1 --format=%s > ../after.txt\n")
    (tmp_path / "other.txt").write_text("not part of it\n")
    git(tmp_path, "add", "other.txt")
    repo = open_repo(tmp_path)
    assert repo is not None
    sha = commit_paths(repo, [tmp_path / "prompt.md"], "kept edit")
    assert (tmp_path.parent / "staged.txt").read_text() == "prompt.md\n"   # the commit's index, not the user's
    assert git(tmp_path, "log", "-1", "--format=%B", sha).strip() == "kept edit\n\nReviewed-by: hook"
    assert (tmp_path.parent / "after.txt").read_text() == "kept edit\n"


def test_commits_are_signed_when_the_repository_asks(tmp_path: Path) -> None:
    """commit.gpgSign=true silently gave an unsigned commit."""
    _repo_with_prompt(tmp_path / "r")
    root = tmp_path / "r"
    fake_gpg = tmp_path / "fake-gpg"
    fake_gpg.write_text("#!/bin/sh\ncat > /dev/null\necho '[GNUPG:] SIG_CREATED ' >&2\n"
                        "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nfake\\n-----END PGP SIGNATURE-----\\n'\n")
    fake_gpg.chmod(0o755)
    git(root, "config", "commit.gpgsign", "true")
    git(root, "config", "user.signingkey", "test@example.com")
    git(root, "config", "gpg.program", str(fake_gpg))
    repo = open_repo(root)
    assert repo is not None
    sha = commit_paths(repo, [root / "prompt.md"], "kept edit")
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in git(root, "cat-file", "commit", sha)
    git(root, "config", "gpg.program", "false")   # signing is asked for and fails: no commit
    (root / "prompt.md").write_text("v3\n")
    with pytest.raises(FatalError, match=r"git commit of prompt\.md failed"):
        commit_paths(repo, [root / "prompt.md"], "another edit")
    assert git(root, "rev-parse", "HEAD").strip() == sha
