"""Isolation: candidates are evaluated in a copy of the target's repo, never in the user's files.

In a git repository the copy is a detached ``git worktree`` at HEAD; elsewhere it is a temporary
copy of the directory holding overseer.yaml. Either way it is removed afterwards; a copy left by an
overseer that was killed (each temp directory names its owner process) is removed, and its
worktree unregistered, by the next overseer that makes a copy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import git

from overseer.errors import FatalError
from overseer.vcs import has_commits, open_repo

_OWNER_FILE = ".overseer-owner"
_LEFTOVER_PREFIXES = ("overseer-copy-", "overseer-work-")
_swept = False


def _identity(pid: int) -> str:
    """A process's pid and start time (so a reused pid is not mistaken for the owner)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return f"{pid}"
    return f"{pid} {stat[stat.rfind(b')') + 2:].split()[19].decode()}"


def claim(directory: Path) -> None:
    """Mark a temp directory as this process's, for ``sweep_leftovers``."""
    (directory / _OWNER_FILE).write_text(_identity(os.getpid()))


def _owner_alive(directory: Path) -> bool:
    try:
        owner = (directory / _OWNER_FILE).read_text().strip()
    except OSError:
        return True   # not ours to judge (or being made right now)
    pid = int(owner.split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _identity(pid) == owner or len(owner.split()) == 1


def sweep_leftovers(repo: git.Repo | None) -> list[Path]:
    """Remove the temp copies and scratch directories of overseers that were killed, and
    unregister their worktrees from ``repo``. Done once per process; returns what was removed."""
    global _swept
    if _swept:
        return []
    _swept = True
    dead = [p for p in Path(tempfile.gettempdir()).iterdir()
            if p.name.startswith(_LEFTOVER_PREFIXES) and p.is_dir() and not _owner_alive(p)]
    for directory in dead:
        if repo is not None and (directory / "tree").exists():
            with contextlib.suppress(git.GitCommandError):
                repo.git.worktree("remove", "--force", str(directory / "tree"))
        shutil.rmtree(directory, ignore_errors=True)
    if dead and repo is not None:
        with contextlib.suppress(git.GitCommandError):
            repo.git.worktree("prune")
    return dead


_COPY_IGNORE = shutil.ignore_patterns(
    ".git", "runs", "__pycache__", "*.pyc", ".venv", "venv", "node_modules", ".mypy_cache",
    ".pytest_cache", ".ruff_cache",
)


class IsolatedCopy:
    """``with IsolatedCopy(root) as copy:`` gives ``copy.root``, the mirror of ``root``."""

    def __init__(self, root: Path) -> None:
        self.source_root = root.resolve()
        self._tmp: Path | None = None
        self._repo: git.Repo | None = None
        self._worktree: Path | None = None
        self.root = self.source_root

    def __enter__(self) -> IsolatedCopy:
        repo = open_repo(self.source_root)
        self._repo = repo if repo is not None and has_commits(repo) else None
        sweep_leftovers(self._repo)
        self._tmp = Path(tempfile.mkdtemp(prefix="overseer-copy-"))
        claim(self._tmp)
        if self._repo is not None and self._repo.working_tree_dir is not None:
            top = Path(self._repo.working_tree_dir).resolve()
            self._worktree = self._tmp / "tree"
            try:
                self._repo.git.worktree("prune")
                self._repo.git.worktree("add", "--detach", str(self._worktree), "HEAD")
            except git.GitCommandError as exc:
                self._cleanup()
                raise FatalError(f"git worktree add failed in {top}: {exc.stderr.strip()}") from None
            self.root = self._worktree / self.source_root.relative_to(top)
        else:
            self.root = self._tmp / "tree"
            shutil.copytree(self.source_root, self.root, ignore=_COPY_IGNORE, symlinks=True)
        return self

    @property
    def top(self) -> Path:
        """The whole copy: the worktree's top (``root`` may be a folder inside it), or ``root``."""
        return self._worktree if self._worktree is not None else self.root

    def bring_file(self, relative: str) -> None:
        """Copy a file the copy lacks (for example, an uncommitted prompt file) from the source."""
        target = self.root / relative
        if not target.exists() and (self.source_root / relative).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.source_root / relative, target)

    def _cleanup(self) -> None:
        if self._worktree is not None and self._repo is not None:
            with contextlib.suppress(git.GitCommandError):
                self._repo.git.worktree("remove", "--force", str(self._worktree))
            self._worktree = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            if self._repo is not None:
                with contextlib.suppress(git.GitCommandError):
                    self._repo.git.worktree("prune")
            self._tmp = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._cleanup()
        if self._repo is not None:
            self._repo.close()
