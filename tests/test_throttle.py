"""Fewer runs at once while the provider fails, the same runs made: halved on a provider failure
(not below 1), one more after a streak of successes; a retry waits what the provider asks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from overseer import executor as executor_module
from overseer.throttle import Throttle
from tests.helpers import overseer, write_toy_task


def test_the_limit_halves_on_a_provider_failure_and_climbs_back_one_at_a_time() -> None:
    throttle = Throttle(8)
    throttle.outcome(True)
    assert throttle.limit == 4
    for _ in range(3):
        throttle.outcome(True)
    assert throttle.limit == 1 and throttle.lowest == 1 and throttle.halvings == 4
    throttle.outcome(True)
    assert throttle.limit == 1                     # never below one
    throttle.outcome(False)
    assert throttle.limit == 2                     # a streak of 1 success at a limit of 1
    for _ in range(2):
        throttle.outcome(False)
    assert throttle.limit == 3
    for _ in range(3 + 4 + 5 + 6 + 7):
        throttle.outcome(False)
    assert throttle.limit == 8                     # back to -j, and no further
    throttle.outcome(False)
    assert throttle.limit == 8


FLAKY = textwrap.dedent("""\
    import hashlib, json, os, sys
    from pathlib import Path
    task, repeat = Path(os.environ["OVERSEER_TASK_DIR"]).name, os.environ["OVERSEER_REPEAT"]
    good = "GOOD" in Path(os.environ["OVERSEER_PROMPT_FILE"]).read_text()
    flaky = os.environ.get("FLAKY_DIR")
    key = hashlib.sha256(f"{task}:{repeat}".encode()).digest()[0] % 3 == 0
    if flaky and key and not (Path(flaky) / f"{task}-{repeat}").exists():
        (Path(flaky) / f"{task}-{repeat}").write_text("")
        Path(os.environ["OVERSEER_USAGE_FILE"]).write_text(json.dumps({"provider_error": "HTTP 429", "retry_after": 0.2}))
        sys.exit(75)
    ops = {"add": "+", "sub": "-", "mul": "*", "pow": "**"}
    body = f"a {ops[task]} b" if good or int(repeat) % 2 else "0"
    Path(os.environ["OVERSEER_WORKDIR"], "solution.py").write_text(f"def {task}(a, b):\\n    return {body}\\n")
""")


def _project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "tool.py").write_text(FLAKY)
    (root / "prompt.md").write_text("Be careful.\n")
    for name, op in (("add", "+"), ("sub", "-"), ("mul", "*"), ("pow", "**")):
        write_toy_task(root, name, op)
    (root / "overseer.yaml").write_text(textwrap.dedent("""\
        schema_version: 1
        targets:
          toy:
            command: "{python} tool.py"
            prompt: prompt.md
            tasks: tasks/toy
            jobs: 8
            infra: {retries: 2, backoff_s: 0.1}
    """))
    return root


def test_a_rate_limited_provider_gets_fewer_runs_at_once_and_the_same_outcomes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Throttle] = []

    class Watched(Throttle):
        def __init__(self, most: int) -> None:
            super().__init__(most)
            made.append(self)

    monkeypatch.setattr(executor_module, "Throttle", Watched)
    calm = _project(tmp_path / "calm")
    first = overseer("run", "toy", "--repeats", "6", "--json", cwd=calm)
    assert first.returncode == 0, first.stderr
    flaky_dir = tmp_path / "flaky"
    flaky_dir.mkdir()
    busy = _project(tmp_path / "busy")
    second = overseer("run", "toy", "--repeats", "6", "--json", cwd=busy, env={"FLAKY_DIR": str(flaky_dir)})
    assert second.returncode == 0, second.stderr

    def outcomes(result_stdout: str) -> dict[tuple[str, int], bool]:
        from overseer.records import read_records
        records = read_records(Path(json.loads(result_stdout)["jsonl"]))[0]
        assert not any(r.infra for r in records)
        return {(r.task_id, r.repeat): r.passed for r in records}

    assert outcomes(second.stdout) == outcomes(first.stdout)
    failed_first = len(list(flaky_dir.iterdir()))
    assert 0 < failed_first < 24                                     # about a third of 24 runs
    assert made[0].halvings == 0 and made[0].lowest == 8
    assert made[1].halvings == failed_first and made[1].lowest < 8   # it backed off
