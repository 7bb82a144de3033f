"""git and the file system for kept edits: atomic prompt writes, and commits of exactly the prompt
file and its diffs/ record, never anything else the user has staged or changed."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import tempfile
from pathlib import Path

import git

from overseer.errors import FatalError, naming
from overseer.faults import checkpoint


def atomic_write(path: Path, data: bytes, *, fault_prefix: str = "write") -> None:
    """Temp file in the same directory, fsync, keep the mode, ``os.replace``, fsync the directory:
    after a crash the file holds either the old bytes or the new, never a mix."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise naming(exc, path, always=True) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            checkpoint(f"{fault_prefix}:temp-written")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        checkpoint(f"{fault_prefix}:temp-synced")
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise naming(exc, path, always=True) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    checkpoint(f"{fault_prefix}:replaced")
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def remove_stale_temps(path: Path) -> None:
    """Temp files an interrupted ``atomic_write`` of ``path`` may have left next to it."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


def sync_index(repo: git.Repo, paths: list[Path]) -> None:
    """Make the user's index agree with the work tree for ``paths`` only."""
    repo.git.add("--", *[_relative(repo, p) for p in paths])


def open_repo(path: Path) -> git.Repo | None:
    """The repository holding ``path``, or None outside git."""
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def has_commits(repo: git.Repo) -> bool:
    return bool(repo.head.is_valid())


def _relative(repo: git.Repo, path: Path) -> str:
    assert repo.working_tree_dir is not None
    return path.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()


def is_dirty(repo: git.Repo, path: Path) -> bool:
    """True if ``path`` differs from HEAD (staged, unstaged, or untracked)."""
    relative = _relative(repo, path)
    if not repo.head.is_valid():
        return True
    return bool(repo.git.status("--porcelain", "--", relative).strip())


def head_bytes(repo: git.Repo, path: Path) -> bytes | None:
    """The file's content at HEAD, or None if it is not in HEAD."""
    try:
        blob = repo.head.commit.tree / _relative(repo, path)
    except (KeyError, ValueError):
        return None
    return bytes(blob.data_stream.read())


def switch_branch(repo: git.Repo, name: str) -> None:
    """Work on branch ``name`` (created from HEAD if new), e.g. to open a pull request from it."""
    try:
        if name in repo.heads:
            repo.git.checkout(name)
        else:
            repo.git.checkout("-b", name)
    except git.GitCommandError as exc:
        raise FatalError(f"git checkout {name} failed: {exc.stderr.strip()}") from None


def _hook(repo: git.Repo, name: str, *args: str, env: dict[str, str]) -> None:
    """Run the repository's ``name`` hook as `git commit` would (core.hooksPath honoured, the
    commit's index as GIT_INDEX_FILE, the work tree as cwd); a refusal is a FatalError."""
    hooks = Path(repo.git.rev_parse("--git-path", "hooks"))
    hook = hooks if hooks.is_absolute() else Path(repo.working_dir) / hooks
    hook = hook / name
    if not (hook.is_file() and os.access(hook, os.X_OK)):
        return
    done = subprocess.run([str(hook), *args], cwd=repo.working_dir, env={**os.environ, **env},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        said = " ".join((done.stderr.strip() or done.stdout.strip()).split())[-300:]
        raise FatalError(f"the {name} hook refused the commit (exit {done.returncode}): {said or 'no output'}; "
                         "fix what it reports, then run optimize again with --resume to commit the kept edit")


def _signing(repo: git.Repo) -> list[str]:
    """``-S`` when the repository asks for signed commits (commit-tree ignores commit.gpgSign)."""
    try:
        wanted = repo.git.config("--type=bool", "--get", "commit.gpgsign").strip() == "true"
    except git.GitCommandError:   # not set
        return []
    return ["-S"] if wanted else []


def commit_paths(repo: git.Repo, paths: list[Path], message: str) -> str:
    """Commit exactly ``paths`` on top of HEAD and return the new commit's sha.

    A private index starts from HEAD's tree, so whatever the user has staged or changed elsewhere
    is never swept into the commit; the user's own index is then updated for these paths only.
    Like `git commit`, the pre-commit and commit-msg hooks run (and may refuse), the commit is
    signed when commit.gpgSign is set (a failure to sign refuses), and post-commit runs after.
    """
    assert repo.git_dir is not None
    relative = [_relative(repo, p) for p in paths]
    fd, index = tempfile.mkstemp(dir=repo.git_dir, prefix="overseer-index-")
    os.close(fd)
    msg_fd, message_file = tempfile.mkstemp(dir=repo.git_dir, prefix="overseer-msg-")
    os.close(msg_fd)
    env = {"GIT_INDEX_FILE": index}
    try:
        parent = repo.head.commit.hexsha
        repo.git.read_tree(parent, env=env)
        repo.git.add("--", *relative, env=env)
        _hook(repo, "pre-commit", env=env)
        Path(message_file).write_text(message.rstrip("\n") + "\n", encoding="utf-8")
        _hook(repo, "commit-msg", message_file, env=env)
        message = Path(message_file).read_text(encoding="utf-8")
        tree = repo.git.write_tree(env=env)
        checkpoint("commit:tree-written")
        sha = repo.git.commit_tree(tree, "-p", parent, *_signing(repo), "-F", message_file)
        checkpoint("commit:commit-created")
        repo.git.update_ref("-m", f"overseer: {message.splitlines()[0]}", "HEAD", sha, parent)
        checkpoint("commit:ref-updated")
        repo.git.add("--", *relative)
    except git.GitCommandError as exc:
        raise FatalError(f"git commit of {', '.join(relative)} failed: {exc.stderr.strip()}") from None
    finally:
        Path(index).unlink(missing_ok=True)
        Path(message_file).unlink(missing_ok=True)
    checkpoint("commit:index-updated")
    with contextlib.suppress(FatalError):   # as with `git commit`, post-commit cannot undo it
        _hook(repo, "post-commit", env={})
    return str(sha)
