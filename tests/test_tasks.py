from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.tasks import DEFAULT_CHECK, load_task_set, split_holdout
from tests.helpers import REPO_ROOT, make_toy_project


def test_example_set_size_and_shape() -> None:
    task_set = load_task_set(REPO_ROOT / "tasks" / "pyfuncs")
    assert len(task_set) >= 40
    train, holdout = split_holdout(task_set, 0.25)
    assert len(holdout) == 12 and len(train) == len(task_set) - 12
    for task in task_set.tasks:
        # the default check, without loading the environment's pytest plugins (README, Tasks)
        assert task.check == f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {DEFAULT_CHECK}" and task.tests_dir.is_dir()
        assert (task.directory / "reference.py").is_file()
        tests = sum(f.read_text().count("\ndef test_") for f in task.tests_dir.glob("test_*.py"))
        assert tests >= 3, task.id


def test_pin_changes_with_any_file(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    first = load_task_set(project / "tasks" / "toy")
    assert load_task_set(project / "tasks" / "toy").content_hash == first.content_hash
    (project / "tasks" / "toy" / "add" / "tests" / "__pycache__").mkdir()
    (project / "tasks" / "toy" / "add" / "tests" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert load_task_set(project / "tasks" / "toy").content_hash == first.content_hash
    test_file = project / "tasks" / "toy" / "add" / "tests" / "test_add.py"
    test_file.write_text(test_file.read_text() + "\n")
    second = load_task_set(project / "tasks" / "toy")
    assert second.content_hash != first.content_hash
    assert second.tasks[0].content_hash != first.tasks[0].content_hash
    assert second.tasks[1].content_hash == first.tasks[1].content_hash


def test_split_is_deterministic_and_order_free() -> None:
    task_set = load_task_set(REPO_ROOT / "tasks" / "pyfuncs")
    _, holdout = split_holdout(task_set, 0.25)
    shuffled = task_set.subset("x", list(reversed(task_set.tasks)))
    _, again = split_holdout(shuffled, 0.25)
    assert {t.id for t in holdout.tasks} == {t.id for t in again.tasks}


def test_task_errors_name_the_file(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    task_yaml = project / "tasks" / "toy" / "add" / "task.yaml"
    task_yaml.write_text(task_yaml.read_text().replace("id: add", "id: plus"))
    with pytest.raises(FatalError, match=rf"{task_yaml}: id: 'plus' must equal its folder name"):
        load_task_set(project / "tasks" / "toy")
    task_yaml.write_text(task_yaml.read_text().replace("id: plus", "id: add") + "check: '{oops}'\n")
    with pytest.raises(FatalError, match=r"check: .*unknown placeholder \{oops\}"):
        load_task_set(project / "tasks" / "toy")
    with pytest.raises(FatalError, match="task set folder does not exist"):
        load_task_set(project / "tasks" / "missing")
