"""Isolation: candidates are evaluated in a copy of the target's repo, never in the user's files.

In a git repository the copy is a detached ``git worktree`` at HEAD; elsewhere it is a temporary
copy of the directory holding overseer.yaml. Either way it is removed afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import git

from overseer.errors import FatalError
from overseer.vcs import has_commits, open_repo

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
        self._tmp = Path(tempfile.mkdtemp(prefix="overseer-copy-"))
        repo = open_repo(self.source_root)
        self._repo = repo if repo is not None and has_commits(repo) else None
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
