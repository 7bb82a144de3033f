from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_llm import FakeLLM
from tests.helpers import make_toy_project, overseer
from tests.toyloop import make_loop_project


def unwritable_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A HOME below a regular file: creating anything in it fails with NotADirectoryError, even
    as root, while reading it finds nothing (git and Python treat it as an empty home)."""
    blocker = tmp_path_factory.mktemp("home") / "not-a-directory"
    blocker.write_text("a test tried to write to the home directory\n")
    return str(blocker / "home")


def isolated_env(tmp_path_factory: pytest.TempPathFactory, env: pytest.MonkeyPatch) -> None:
    env.setenv("HOME", unwritable_home(tmp_path_factory))
    env.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        env.setenv(f"GIT_{role}_NAME", "test")
        env.setenv(f"GIT_{role}_EMAIL", "test@example.invalid")
    env.delenv("OVERSEER_SIM_PROFILE", raising=False)
    # The tasks' checks are plain pytest: without this venv's plugins (xdist, hypothesis) each
    # check starts in half the CPU time.
    env.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    env.delenv("OVERSEER_FAULT", raising=False)
    # promptfoo suites' case folders (suites/materialize.py): one cache per test session
    env.setenv("OVERSEER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "overseer-cache"))


@pytest.fixture(autouse=True)
def no_home_writes(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any test that writes to the home directory fails (as pre-commit's fixture makes it), and
    git never reads the developer's own config."""
    isolated_env(tmp_path_factory, monkeypatch)


@pytest.fixture
def toy_project(tmp_path: Path) -> Path:
    return make_toy_project(tmp_path / "project")


@pytest.fixture
def loop_project(tmp_path: Path) -> Path:
    """The fast toy target of the loop tests (tests/toyloop.py), in a git repository."""
    return make_loop_project(tmp_path / "loop")


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def optimized_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The loop project after a two-iteration optimize (one kept edit, one rejected), made once
    per test process; tests get a copy (``optimized``)."""
    with pytest.MonkeyPatch.context() as env:  # session scope: the autouse fixture has not run yet
        isolated_env(tmp_path_factory, env)
        project = make_loop_project(tmp_path_factory.mktemp("optimized") / "loop")
        result = overseer("optimize", "toy", "--iterations", "2", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def optimized(optimized_once: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "loop"
    shutil.copytree(optimized_once, copy, symlinks=True)
    return copy
