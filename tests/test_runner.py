"""Parts of one run that must stay bounded whatever the command writes."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.records import read_records
from overseer.runner import _ARTIFACT_FILE_CAP, RunContext, _keep_artifacts, run_one
from overseer.sanitizers import SANITIZE_CAP, sanitize_outputs
from overseer.tasks import load_task_set
from tests.helpers import TOY_CONFIG, make_toy_project, overseer


def _sparse(path: Path, size: int, head: bytes) -> None:
    with path.open("wb") as out:
        out.write(head)
        out.truncate(size)   # a hole: no disk used, but reading it whole costs `size` bytes


def _peak(action) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_huge_output_file_is_kept_up_to_the_cap_without_reading_it_whole(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _sparse(work / "solution.py", 300_000_000, b"print('hi')\n")
    dest = tmp_path / "kept"
    peak = _peak(lambda: _keep_artifacts([("outputs/solution.py", work / "solution.py")], dest, tmp_path))
    kept = (dest / "outputs" / "solution.py").read_text()
    assert kept.startswith("print('hi')\n") and len(kept) == _ARTIFACT_FILE_CAP
    assert peak < 20 * _ARTIFACT_FILE_CAP, f"{peak} bytes at the peak"


def test_sanitizers_leave_a_huge_file_alone(tmp_path: Path) -> None:
    _sparse(tmp_path / "solution.py", SANITIZE_CAP + 1, b"```python\nx = 1\n```\n")
    (tmp_path / "small.py").write_text("```python\ny = 2\n```\n")
    changed: dict[str, list[str]] = {}
    peak = _peak(lambda: changed.update(sanitize_outputs(tmp_path, ["strip_fences"])))
    assert changed == {"strip_fences": ["small.py"]}
    assert (tmp_path / "solution.py").stat().st_size == SANITIZE_CAP + 1
    assert peak < SANITIZE_CAP // 4, f"{peak} bytes at the peak"


def test_settings_reach_the_command_as_placeholders_and_variables_and_are_recorded(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    config = project / "overseer.yaml"
    config.write_text(TOY_CONFIG.replace(
        '"{python} tool.py"', '"echo {model} $OVERSEER_MODEL $OVERSEER_STRICT $OVERSEER_TEMPERATURE > {workdir}/seen.txt; {python} tool.py"')
        .replace("jobs: 2", "jobs: 2\n    settings: {model: 'openai:gpt-4o mini', strict: true, temperature: 0.2}"))
    result = overseer("run", "toy", "--json", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    records = [r for jsonl in (project / "runs" / "toy").glob("*.jsonl") for r in read_records(jsonl)[0]]
    assert records
    for record in records:
        assert record.settings == {"model": "openai:gpt-4o mini", "strict": "true", "temperature": "0.2"}
        seen = (project / record.artifacts["outputs/seen.txt"]).read_text()
        assert seen == "openai:gpt-4o mini openai:gpt-4o mini true 0.2\n"  # one shell-quoted word


def _env_seen(project: Path, names: tuple[str, ...] | None) -> str:
    loaded = load_config(project / "overseer.yaml")
    target = loaded.target("toy").model_copy(update={"command": "env > {workdir}/env.txt"})
    task = load_task_set(project / "tasks" / "toy").tasks[0]
    ctx = RunContext(session_id="s", target_name="toy", target=target, copy_root=project,
                     prompt_file=project / "prompts" / "system.md", prompt_hash="h",
                     scratch=project / "scratch", artifacts=project / "kept", artifacts_base=project,
                     env_names=names)
    record = run_one(ctx, task, "set", 0)
    return (project / record.artifacts["outputs/env.txt"]).read_text()


def test_a_run_on_a_cluster_node_gets_only_the_variables_named(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    monkeypatch.setenv("CLUSTER_KEY", "k-123")
    monkeypatch.setenv("NODE_SECRET", "s-456")
    named = _env_seen(project, ("CLUSTER_KEY",))
    assert "CLUSTER_KEY=k-123" in named and "NODE_SECRET" not in named
    assert "PATH=" in named and "OVERSEER_SEED=" in named
    assert "NODE_SECRET=s-456" in _env_seen(project, None)   # on this machine: the whole environment
