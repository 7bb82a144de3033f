from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.records import RecordLog, RunRecord, read_records


def make_record(i: int, padding: int = 0) -> RunRecord:
    return RunRecord(
        session_id="s", target="t", command="c", prompt_hash="p", task_id=f"task{i}",
        task_hash="h", task_set_hash="hs", repeat=0, seed=0, started_at="now",
        exit_code=0, timed_out=False, command_s=0.1, messages=["x" * padding] if padding else [],
    )


WRITER = """
import sys
from overseer.records import RecordLog
from tests.test_records import make_record
log = RecordLog(__import__("pathlib").Path(sys.argv[1]))
i = 0
while True:
    log.append(make_record(i, padding=int(sys.argv[2])))
    i += 1
"""

HALF_WRITER = """
import os, signal, sys
from overseer.records import RecordLog
from tests.test_records import make_record
path = __import__("pathlib").Path(sys.argv[1])
log = RecordLog(path)
for i in range(3):
    log.append(make_record(i))
line = make_record(3).model_dump_json().encode()
os.write(os.open(path, os.O_WRONLY | os.O_APPEND), line[: len(line) // 2])
os.kill(os.getpid(), signal.SIGKILL)
"""


def _python(code: str, *args: str) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)})


def test_killed_mid_append_loses_only_the_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    proc = _python(HALF_WRITER, str(path))
    assert proc.wait(timeout=60) == -signal.SIGKILL
    log = RecordLog(path)
    assert len(log.warnings) == 1 and "torn last line" in log.warnings[0]
    torn = path.with_name("s.jsonl.torn").read_text()
    assert torn.startswith('{"record_version":2') and torn.endswith("\n")
    log.append(make_record(4))
    log.close()
    records, warnings = read_records(path)
    assert [r.task_id for r in records] == ["task0", "task1", "task2", "task4"]
    assert warnings == []


@pytest.mark.parametrize("padding", [0, 300_000])
def test_sigkill_at_a_random_moment_keeps_every_complete_record(tmp_path: Path, padding: int) -> None:
    path = tmp_path / "s.jsonl"
    proc = _python(WRITER, str(path), str(padding))
    deadline = time.monotonic() + 30
    while (not path.exists() or path.read_bytes().count(b"\n") < 6) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    RecordLog(path).close()  # sets aside a torn tail, if the kill left one
    records, warnings = read_records(path)
    assert warnings == []
    assert [r.task_id for r in records] == [f"task{i}" for i in range(len(records))]
    assert len(records) >= 5
    torn = path.with_name("s.jsonl.torn")
    if torn.exists():  # whatever was set aside is the start of the next record, never a merge
        assert torn.read_text().count("\n") == 1


def test_reader_reports_a_bad_line_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    good = make_record(0).model_dump_json()
    path.write_text(good + "\n" + "{not json\n" + good + "\n")
    with pytest.raises(FatalError, match=rf"{path}:2: not a JSON line"):
        read_records(path)
    path.write_text(good + "\n" + json.dumps({"record_version": 1}) + "\n")
    with pytest.raises(FatalError, match=rf"{path}:2: not a RunRecord"):
        read_records(path)


def test_reader_ignores_a_torn_tail_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(make_record(0).model_dump_json() + "\n" + '{"record_')
    records, warnings = read_records(path)
    assert len(records) == 1
    assert warnings == [f"{path}:2: torn last line ignored (9 bytes)"]
